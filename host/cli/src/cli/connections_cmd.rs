//! `connections` and `disconnect`: what `connect` stored, and forgetting
//! it. Neither reads a secret: the list comes from the index alone.

use anyhow::anyhow;
use saas_host_files::connections::{Backend, Connection, Store};

use super::stored::{self, LOCK_WAIT};
use super::{Exit, Failure};

/// Options of `disconnect`.
#[derive(Debug, Clone, clap::Args)]
pub struct DisconnectArgs {
    /// The connector whose connection goes (`connections` lists them); by
    /// default the only one.
    pub connector: Option<String>,
    /// The credential slot, when the connector has several connections.
    #[arg(long)]
    pub slot: Option<String>,
}

/// When a connection lapses unless a run renews it first: its last
/// renewal plus the days its refresh token lives unused.
fn lapses(c: &Connection) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let renewed = time::OffsetDateTime::parse(&c.renewed_at, &Rfc3339).ok()?;
    let at = renewed + time::Duration::days(i64::from(c.idle_days?));
    at.format(&Rfc3339).ok()
}

/// One line for people about a connection.
fn line(c: &Connection) -> String {
    let scopes = if c.scopes.is_empty() {
        String::new()
    } else {
        format!(", scopes {}", c.scopes.join(" "))
    };
    let lapses = lapses(c)
        .map(|at| format!(", lapses unless used by {at}"))
        .unwrap_or_default();
    format!(
        "{}/{}: {}{scopes}; connected {}, last renewed {}{lapses}; secrets in {}",
        c.connector,
        c.slot,
        c.principal.as_deref().unwrap_or("an unnamed account"),
        c.connected_at,
        c.renewed_at,
        match c.kept_in {
            Backend::Keyring => "the OS keyring",
            Backend::File => "the index file",
        }
    )
}

fn store() -> Result<Store, Failure> {
    stored::connection_store()
        .and_then(stored::required)
        .map_err(Failure::usage)
}

/// `connections`.
pub fn list() -> Result<Exit, Failure> {
    let store = store()?;
    let all = store.list().map_err(|e| Failure::other(e.into()))?;
    if all.is_empty() {
        eprintln!(
            "nothing is connected ({}); `saas-host connect` makes a connection",
            store.index_path().display()
        );
    }
    for c in &all {
        println!("{}", line(c));
    }
    Ok(Exit::Success)
}

/// What the connector says about revoking, when it is a bundled one.
fn revocation(connector: &str, slot: &str) -> Option<String> {
    let runtime = saas_runtime::Runtime::new(saas_runtime::RuntimeOptions::default()).ok()?;
    let loaded = super::bundled::load(&runtime, Some(std::path::Path::new(connector))).ok()?;
    loaded
        .info()
        .credential_slots
        .iter()
        .find(|s| s.name == slot)
        .and_then(|s| s.consent.as_ref())
        .map(|f| f.revocation.clone())
}

/// `disconnect`.
pub fn disconnect(args: &DisconnectArgs) -> Result<Exit, Failure> {
    let store = store()?;
    let all = store.list().map_err(|e| Failure::other(e.into()))?;
    let matching: Vec<&Connection> = all
        .iter()
        .filter(|c| args.connector.as_ref().is_none_or(|n| &c.connector == n))
        .filter(|c| args.slot.as_ref().is_none_or(|s| &c.slot == s))
        .collect();
    let target = match matching.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Err(Failure::usage(anyhow!(
                "no such connection ({} connected): `saas-host connections` lists them",
                all.len()
            )));
        }
        _ => {
            return Err(Failure::usage(anyhow!(
                "{} connections match: name the connector (and --slot)",
                matching.len()
            )));
        }
    };
    let lock = store
        .lock(LOCK_WAIT)
        .map_err(|e| Failure::other(e.into()))?;
    store
        .remove(&lock, &target.connector, &target.slot)
        .map_err(|e| Failure::other(e.into()))?;
    println!(
        "disconnected {}/{}: its tokens are gone from {}",
        target.connector,
        target.slot,
        store.describe(target.kept_in)
    );
    match revocation(&target.connector, &target.slot) {
        Some(how) => eprintln!("{how}"),
        None => {
            eprintln!("the grant itself still stands at the provider until it is revoked there")
        }
    }
    Ok(Exit::Success)
}
