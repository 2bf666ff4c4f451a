//! `connect`: the consent flow a connector declares (OAuth 2.0 for native
//! apps, RFC 8252), run from the terminal: open the consent page, take the
//! code on a loopback redirect after checking its `state`, let the
//! connector exchange it (with the PKCE verifier) and check the session,
//! then keep the client and the refresh token in the connection store for
//! every later run.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::anyhow;
use saas_host_files::connections::{Backend, Connection};
use saas_runtime::consent::{AuthorizationRequest, ConsentError};
use saas_runtime::credentials::CredentialStore;
use saas_runtime::latest::{
    ConsentFlow, CredentialSlot, OauthClient, RenewedField, SettingValue, SlotCredential,
};
use saas_runtime::listing::LoopOptions;
use saas_runtime::sync::{self, SyncError};

use super::progress::BarEvents;
use super::settings::{self, ConnectorArgs, Ready};
use super::stored::{self, LOCK_WAIT};
use super::{Exit, Failure, callback};

/// Options of `connect`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// Connector, sandbox and settings options (the OAuth client's id and
    /// secret come from the config file or the variables).
    #[command(flatten)]
    pub connector: ConnectorArgs,
    /// The credential slot to fill: by default the first one with a consent flow.
    #[arg(long)]
    pub slot: Option<String>,
    /// The port of the loopback redirect, http://127.0.0.1:PORT/callback,
    /// which must be the client's registered callback URL; 0 takes a free
    /// port, for providers that accept any loopback port.
    #[arg(long, default_value_t = 8976, env = "SAAS_HOST_CONNECT_PORT")]
    pub port: u16,
    /// Print the consent page's address without trying to open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Longest wait for the redirect, in seconds.
    #[arg(long, default_value_t = 300)]
    pub wait: u64,
}

/// Keeps what the upstream renews during the exchange (the first refresh
/// token), for the connection being made.
#[derive(Default)]
struct Captured(Mutex<Vec<RenewedField>>);

impl CredentialStore for Captured {
    fn store(&self, renewed: &[RenewedField]) -> Result<String, String> {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.extend_from_slice(renewed);
        Ok("the connection being made".into())
    }
}

/// The slot to fill and its flow.
fn chosen<'a>(
    ready: &'a Ready,
    want: Option<&str>,
) -> Result<(usize, &'a CredentialSlot, ConsentFlow), Failure> {
    let info = ready.connector.info();
    let problems =
        saas_runtime::consent::declaration_problems(&info.credential_slots, &info.settings);
    if !problems.is_empty() {
        return Err(Failure::usage(anyhow!(
            "the connector {} declares its consent flow wrongly: {}",
            info.name,
            problems.join("; ")
        )));
    }
    let found = info
        .credential_slots
        .iter()
        .enumerate()
        .find(|(_, s)| want.is_none_or(|w| s.name == w) && s.consent.is_some());
    match found {
        Some((i, slot)) => Ok((i, slot, slot.consent.clone().expect("found with one"))),
        None => Err(Failure::usage(anyhow!(
            "the connector {} declares no consent flow{}: give its credentials in the config \
             file or the variables instead (`saas-host inspect` lists them)",
            info.name,
            want.map(|w| format!(" for a slot {w}")).unwrap_or_default()
        ))),
    }
}

/// The consent page: the effective value of the flow's `url` setting.
fn page(ready: &Ready, flow: &ConsentFlow) -> Result<String, Failure> {
    ready
        .settings
        .iter()
        .find(|s| s.name == flow.authorize_setting)
        .and_then(|s| match &s.value {
            SettingValue::Url(u) => Some(u.clone()),
            _ => None,
        })
        .ok_or_else(|| {
            Failure::usage(anyhow!(
                "the connector's consent flow names the setting {}, which has no URL value",
                flow.authorize_setting
            ))
        })
}

/// The client whose consent is asked, from the config file or variables.
fn client(
    ready: &Ready,
    index: usize,
    slot: &CredentialSlot,
    flow: &ConsentFlow,
    redirect: &str,
) -> Result<OauthClient, Failure> {
    let given = ready.given_fields(index);
    match (given.get("client-id"), given.get("client-secret")) {
        (Some(id), Some(secret)) => Ok(OauthClient {
            client_id: id.clone(),
            client_secret: secret.clone(),
        }),
        _ => Err(Failure::usage(anyhow!(
            "connecting needs the OAuth client's id and secret: set {} and {} (or client-id and \
             client-secret in the config file's [credentials.{}] table). {} Redirect URI: {redirect}",
            saas_runtime::settings::env_name(&slot.name, "client-id"),
            saas_runtime::settings::env_name(&slot.name, "client-secret"),
            slot.name,
            flow.registration
        ))),
    }
}

/// The billing units (workspaces) the session sees, from the listing's
/// first step, as "to 3 workspaces (a, b, c)" with at most five names;
/// none when that step fails (the connection is still good).
fn units_seen(ready: &Ready, session: &saas_runtime::Session) -> Option<String> {
    use saas_runtime::latest::UnitKind;
    let page = ready
        .connector
        .list_users(&ready.io, &ready.config, session, None)
        .ok()?
        .ok()?;
    let names: Vec<&str> = page.units.iter().map(|u| u.unit.key.as_str()).collect();
    let total = page
        .progress
        .units_total
        .map_or(names.len(), |t| t as usize);
    let noun = match page.units.first().map(|u| u.unit.kind) {
        Some(UnitKind::Workspace) => "workspace",
        Some(UnitKind::Instance) => "instance",
        Some(UnitKind::Organization) => "organization",
        _ => "unit",
    };
    let shown = &names[..names.len().min(5)];
    let list = match total.saturating_sub(shown.len()) {
        _ if shown.is_empty() => String::new(),
        0 => format!(" ({})", shown.join(", ")),
        n => format!(" ({}, and {n} more)", shown.join(", ")),
    };
    Some(format!(
        "to {total} {noun}{}{list}",
        if total == 1 { "" } else { "s" }
    ))
}

/// `connect`.
pub fn run(args: &ConnectArgs) -> Result<Exit, Failure> {
    let file = settings::load_file(args.connector.config.as_deref()).map_err(Failure::usage)?;
    let mut ready = args
        .connector
        .ready(file, &[], Arc::new(BarEvents::new(false)))
        .map_err(Failure::usage)?;
    let store = stored::required(ready.stored.connections().cloned()).map_err(Failure::usage)?;
    let (index, slot, flow) = chosen(&ready, args.slot.as_deref())?;
    let slot = slot.clone();
    let listener = TcpListener::bind(("127.0.0.1", args.port)).map_err(|e| {
        Failure::usage(anyhow!(
            "listening on 127.0.0.1:{} for the redirect: {e} (free the port, or pass --port)",
            args.port
        ))
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| Failure::other(e.into()))?
        .port();
    let redirect = format!("http://127.0.0.1:{port}{}", callback::PATH);
    let client = client(&ready, index, &slot, &flow, &redirect)?;
    let request =
        AuthorizationRequest::new(&flow, &page(&ready, &flow)?, &client.client_id, &redirect)
            .map_err(|e| Failure::usage(e.into()))?;
    ready.io.redactor.add(&request.state);
    if let Some(v) = &request.verifier {
        ready.io.redactor.add(v);
    }
    eprintln!(
        "To connect {}, grant access on this page:\n\n  {}\n\nWaiting up to {} s for the \
         redirect to {redirect} (the OAuth client's registered callback URL must be exactly \
         this).",
        ready.connector.info().name,
        request.url,
        args.wait
    );
    if !args.no_browser && webbrowser::open(request.url.as_str()).is_err() {
        eprintln!("No browser could be opened here: open the page above yourself.");
    }
    let check_against = request.clone();
    let answer = callback::wait_for(listener, Duration::from_secs(args.wait), move |q| {
        check_against.code_from(q)
    })
    .map_err(|e| Failure::other(e.into()))?;
    let code = match answer {
        Some(Ok(code)) => code,
        Some(Err(e @ ConsentError::StateMismatch)) => {
            return Err(Failure::new(Exit::Auth, e.into()));
        }
        Some(Err(e)) => return Err(Failure::new(Exit::Auth, anyhow!("consent failed: {e}"))),
        None => {
            return Err(Failure::other(anyhow!(
                "no redirect came within {} s: nothing was stored; run connect again",
                args.wait
            )));
        }
    };
    ready.io.redactor.add(&code);
    let captured = Arc::new(Captured::default());
    ready.io.credentials = captured.clone();
    let credentials = [SlotCredential {
        slot: slot.name.clone(),
        credential: request.credential(client.clone(), code),
    }];
    let (session, _) = sync::authenticate(
        &ready.connector,
        &ready.io,
        &ready.config,
        &credentials,
        &LoopOptions::default(),
    )
    .map_err(|e| match e {
        SyncError::Auth(m) => Failure::new(Exit::Auth, anyhow!("the exchange was refused: {m}")),
        e => Failure::other(anyhow!(
            ready.io.redactor.redact(&e.to_string()).into_owned()
        )),
    })?;
    // Before the renewed fields are read: a step that refreshed the session
    // rotated the refresh token again.
    let units = units_seen(&ready, &session);
    let renewed = std::mem::take(&mut *captured.0.lock().unwrap_or_else(|p| p.into_inner()));
    let mut fields = BTreeMap::from([
        ("client-id".to_string(), client.client_id.clone()),
        ("client-secret".to_string(), client.client_secret.clone()),
    ]);
    fields.extend(
        renewed
            .into_iter()
            .filter(|r| r.slot == slot.name)
            .map(|r| (r.field, r.value)),
    );
    if !fields.contains_key("refresh-token") {
        return Err(Failure::other(anyhow!(
            "the provider issued no refresh token, so there is nothing to keep for later runs"
        )));
    }
    let now = stored::now_rfc3339();
    let connection = Connection {
        connector: ready.connector.info().name.clone(),
        slot: slot.name.clone(),
        principal: session.principal().map(String::from),
        scopes: session.scopes().to_vec(),
        connected_at: now.clone(),
        renewed_at: now,
        idle_days: flow.refresh_idle_days,
        kept_in: Backend::File,
        fields: BTreeMap::new(),
    };
    let lock = store
        .lock(LOCK_WAIT)
        .map_err(|e| Failure::other(e.into()))?;
    let kept_in = store
        .put(&lock, connection.clone(), fields)
        .map_err(|e| Failure::other(e.into()))?;
    println!(
        "connected {} as {}{}, with {}; kept in {}",
        connection.connector,
        connection
            .principal
            .as_deref()
            .unwrap_or("an account the provider did not name"),
        units.map(|u| format!(" {u}")).unwrap_or_default(),
        if connection.scopes.is_empty() {
            "the scopes of the client's registration".to_string()
        } else {
            format!("scopes {}", connection.scopes.join(" "))
        },
        store.describe(kept_in)
    );
    Ok(Exit::Success)
}
