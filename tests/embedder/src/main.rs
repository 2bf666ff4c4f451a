//! An embedding example: what a platform engineer's host needs to list the
//! users of any connector component, with `saas-runtime` alone.
//!
//! ```text
//! embedder COMPONENT.wasm [SETTING=VALUE]...
//! ```
//!
//! Settings are the connector's declared ones (`api-base-url=...`); the
//! credential of its first slot comes from `EMBEDDER_<FIELD>` variables
//! (`EMBEDDER_CLIENT_ID`, `EMBEDDER_CLIENT_SECRET`, ...), never from
//! arguments. Prints one line per user, then a total.

use std::collections::BTreeMap;
use std::process::ExitCode;

use saas_runtime::egress::{Allowlist, Egress, EgressLimits};
use saas_runtime::latest::{Setting, SlotCredential};
use saas_runtime::sync::{self, SyncRequest};
use saas_runtime::{Io, Runtime, RuntimeOptions, settings};

fn run(args: &[String]) -> Result<(), String> {
    let [wasm, given @ ..] = args else {
        return Err("usage: embedder COMPONENT.wasm [SETTING=VALUE]...".into());
    };
    let runtime = Runtime::new(RuntimeOptions::default()).map_err(|e| e.to_string())?;
    let connector = runtime
        .load_file(wasm.as_ref())
        .map_err(|e| e.to_string())?;
    let info = connector.info();
    let mut typed = Vec::new();
    for pair in given {
        let (name, text) = pair
            .split_once('=')
            .ok_or_else(|| format!("{pair:?} is not SETTING=VALUE"))?;
        let spec = info
            .settings
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| format!("the connector has no setting {name}"))?;
        typed.push(Setting {
            name: name.into(),
            value: settings::parse_value(spec.type_, text)?,
        });
    }
    let effective = settings::effective(&info.settings, &typed)?;
    let slot = info
        .credential_slots
        .first()
        .ok_or("the connector declares no credential slot")?;
    let fields: BTreeMap<String, String> = settings::field_names(slot)
        .into_iter()
        .filter_map(|(name, _)| {
            let var = settings::env_name("EMBEDDER", &name);
            std::env::var(var).ok().map(|v| (name, v))
        })
        .collect();
    let credential = settings::credential(slot, &fields)?;
    let allowlist = Allowlist::of_urls(&connector.egress_urls(&effective))?;
    let io = Io::new(Egress::new(EgressLimits::default(), allowlist));
    let request = SyncRequest::new(
        effective,
        vec![SlotCredential {
            slot: slot.name.clone(),
            credential,
        }],
    );
    let listing =
        sync::list_all(&connector, &io, &request, &mut |_| {}).map_err(|e| e.to_string())?;
    for user in &listing.users {
        let units: Vec<&str> = user
            .memberships
            .iter()
            .map(|m| m.unit.key.as_str())
            .collect();
        println!("{} {}", user.id, units.join(","));
    }
    let memberships: usize = listing.users.iter().map(|u| u.memberships.len()).sum();
    println!(
        "{} users, {memberships} memberships, contract {}, {}",
        listing.users.len(),
        connector.contract_version(),
        if listing.complete {
            "complete"
        } else {
            "partial"
        }
    );
    match listing.error(&io) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("embedder: {e}");
            ExitCode::FAILURE
        }
    }
}
