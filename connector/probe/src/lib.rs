//! The host probe: a component that checks the host it runs in. Its
//! `list-users` sends requests that only a host honouring the contract
//! answers as the contract says (a batch in order, a redirect not followed,
//! a destination outside the settings denied, a body over the cap refused,
//! a guest's timeout kept, a forbidden header refused), writes one log line
//! per finding and reports progress, and posts its findings to the probe
//! server at `probe-url`. `saas-host conform-host` runs it in the reference
//! host; any other host runs it as a connector with `probe-url` set to a
//! probe server (`saas-host conform-host --serve`) and reads the findings
//! there.

pub mod findings;

use saas_connector_sdk::http::{self, HttpClient, Method, Request};
use saas_connector_sdk::log::{self as host_log, Logger};
use saas_connector_sdk::{
    Connector, ConnectorError, ConnectorInfo, CredentialKind, CredentialSlot, ListingProgress,
    PageStats, RequestBudgets, Result, Session, Setting, SettingSpec, SettingType, SlotCredential,
    UserPage, settings,
};

use findings::{Finding, experiments};

/// The probe.
pub struct Probe;

fn probe_url(config: &[Setting]) -> Result<String> {
    settings::url(config, "probe-url")?
        .map(|u| u.trim_end_matches('/').to_string())
        .ok_or_else(|| ConnectorError::InvalidConfig("probe-url is required".into()))
}

impl Connector for Probe {
    fn info() -> ConnectorInfo {
        ConnectorInfo {
            name: "host-probe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract_version: saas_connector_sdk::CONTRACT_VERSION.into(),
            description: "Checks the host's side of the contract against a probe server.".into(),
            settings: vec![
                SettingSpec::new("probe-url", SettingType::Url, "The probe server.").required(),
            ],
            credential_slots: vec![CredentialSlot::new(
                "probe",
                &[CredentialKind::BearerToken],
                "Not used: the probe server takes none.",
            )],
            capabilities: Vec::new(),
            budgets: RequestBudgets {
                requests_per_hour: None,
                max_concurrency: Some(4),
            },
        }
    }

    fn authenticate(_: &[Setting], _: &[SlotCredential]) -> Result<Session> {
        Ok(Session {
            state: "probe".into(),
            secrets: Vec::new(),
            expires_at: None,
            scopes: Vec::new(),
            principal: None,
            renewed: Vec::new(),
        })
    }

    fn list_users(config: &[Setting], _: &Session, _: Option<&str>) -> Result<UserPage> {
        let base = probe_url(config)?;
        let client = http::client();
        let log = host_log::logger();
        let found: Vec<Finding> = experiments(&client, &base);
        for (i, f) in found.iter().enumerate() {
            log.warn(&f.line());
            log.progress(i as u64 + 1, Some(found.len() as u64), "host probe");
        }
        let body = findings::to_json(&found).into_bytes();
        let posted = client
            .send(
                Request::new(Method::Post, format!("{base}/findings"))
                    .body("application/json", body),
            )
            .map_err(saas_connector_sdk::error::from_http)?;
        if !posted.is_success() {
            return Err(saas_connector_sdk::error::from_status(
                &posted,
                "POST /findings".into(),
            ));
        }
        Ok(UserPage {
            users: Vec::new(),
            units: Vec::new(),
            coverage: Vec::new(),
            next_cursor: None,
            progress: ListingProgress {
                units_done: 0,
                units_total: Some(0),
                memberships_listed: 0,
                memberships_total: Some(0),
            },
            session: None,
            stats: PageStats {
                requests: found.len() as u32 + 1,
                duplicates_dropped: 0,
            },
        })
    }
}

saas_connector_sdk::register_connector!(Probe);
