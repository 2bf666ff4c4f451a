//! The instruments the checks share: fakes, a recording event sink, an
//! egress that allows only the fake, and a bounded listing loop.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_bitbucket::{FakeBitbucket, FakeConfig};

use saas_runtime::egress::{Allowlist, Egress, EgressLimits, RetryPolicy};
use saas_runtime::imports::{Events, Io, Level};
use saas_runtime::latest::{
    ConnectorError, Credential, OauthClient, Setting, SettingValue, SlotCredential,
};
use saas_runtime::listing::{self, Listing, LoopOptions, Start, Step, Stop};
use saas_runtime::merge::Merged;
use saas_runtime::redact::Redactor;
use saas_runtime::roster::Roster;
use saas_runtime::settings::set_setting;
use saas_runtime::{Config, Connector, HostError, Session};

/// Most `list-users` calls a listing may take in a check.
pub const MAX_STEPS: usize = 60;

/// Who holds which workspaces.
pub type Seen = BTreeMap<String, BTreeSet<String>>;

/// Records log lines as the connector sent them (after host redaction).
#[derive(Default)]
pub struct Recorder {
    /// Log lines.
    pub lines: Mutex<Vec<String>>,
}

impl Events for Recorder {
    fn log(&self, _: Level, message: &str) {
        self.lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(message.to_string());
    }
    fn progress(&self, _: u64, _: Option<u64>, _: &str) {}
}

/// A fake with `workspaces` × `members`, tuned by `f`.
pub fn fake_with(
    workspaces: usize,
    members: usize,
    f: impl FnOnce(&mut FakeConfig),
) -> Result<FakeBitbucket, String> {
    let mut config = FakeConfig {
        workspaces,
        members,
        ..FakeConfig::default()
    };
    f(&mut config);
    FakeBitbucket::start(config).map_err(|e| format!("the fake Bitbucket did not start: {e}"))
}

/// A fake with default settings.
pub fn fake(workspaces: usize, members: usize) -> Result<FakeBitbucket, String> {
    fake_with(workspaces, members, |_| {})
}

/// The settings pointing at a fake.
pub fn settings(fake: &FakeBitbucket) -> Vec<Setting> {
    let mut config = Vec::new();
    set_setting(
        &mut config,
        "api-base-url",
        SettingValue::Url(fake.api_base_url()),
    );
    set_setting(
        &mut config,
        "token-url",
        SettingValue::Url(fake.token_url()),
    );
    config
}

/// The fake's demo OAuth client.
pub fn demo_credentials() -> Vec<SlotCredential> {
    slot(Credential::OauthClientCredentials(OauthClient {
        client_id: "demo-client".into(),
        client_secret: "demo-client-secret".into(),
    }))
}

/// `credential` for the `bitbucket` slot.
pub fn slot(credential: Credential) -> Vec<SlotCredential> {
    vec![SlotCredential {
        slot: "bitbucket".into(),
        credential,
    }]
}

/// The settings' config for connector `c`, or why it cannot take them.
pub fn config(c: &Connector, settings: &[Setting]) -> Result<Config, String> {
    c.config(settings).map_err(|e| e.to_string())
}

/// Limits with quick retries, for checks against a local fake.
pub fn limits() -> EgressLimits {
    EgressLimits {
        retry: RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        },
        request_timeout: Duration::from_secs(10),
        ..EgressLimits::default()
    }
}

/// The allowlist of the fake: its API origin only.
pub fn allowlist(fake: &FakeBitbucket) -> Allowlist {
    let url = url::Url::parse(&fake.api_base_url()).expect("the fake's URL");
    Allowlist::of_urls([&url]).expect("a loopback origin")
}

/// I/O that reaches only the fake, with quick retries.
pub fn io(fake: &FakeBitbucket) -> (Io, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let io = Io {
        egress: Arc::new(Egress::new(limits(), allowlist(fake))),
        redactor: Arc::new(Redactor::new()),
        events: recorder.clone(),
        credentials: Arc::new(saas_runtime::credentials::NotStored),
    };
    (io, recorder)
}

/// How a bounded listing ended.
pub enum Listed {
    /// Every page came in.
    Done {
        /// The merged listing.
        listing: Merged,
        /// Calls made.
        steps: usize,
        /// Replacement sessions handed back.
        refreshes: usize,
    },
    /// The connector answered with an error.
    Failed(ConnectorError),
    /// The host stopped or failed the call.
    Host(HostError),
    /// The listing did not end within [`MAX_STEPS`] calls.
    Endless,
}

/// Authenticates with the demo client, as evidence on failure.
pub fn session(c: &Connector, io: &Io, config: &Config) -> Result<Session, String> {
    match c.authenticate(io, config, &demo_credentials()) {
        Ok(Ok(s)) => {
            listing::register_session(io, &s);
            Ok(s)
        }
        Ok(Err(e)) => Err(format!("authenticate failed: {}", e.describe())),
        Err(e) => Err(format!("authenticate: {e}")),
    }
}

/// Lists from `cursor` to the end with the host's own loop, holding the
/// connector to itself: no waiting, no host refresh, at most
/// [`MAX_STEPS`] calls. `observe` sees every step.
pub fn list_observed(
    c: &Connector,
    io: &Io,
    config: &Config,
    session: &Session,
    cursor: Option<String>,
    observe: &mut dyn FnMut(&Step<'_>),
) -> Listed {
    let options = LoopOptions::strict(MAX_STEPS as u32);
    let mut steps = 0;
    let listing: Listing = listing::run(
        c,
        io,
        config,
        session.clone(),
        Start::at(cursor),
        &options,
        None,
        &mut |step| {
            steps += 1;
            observe(step);
        },
    );
    match listing.stop {
        None => Listed::Done {
            refreshes: listing.stats.refreshes as usize,
            listing: Merged {
                users: listing.users,
                units: listing.units,
                coverage: listing.coverage,
            },
            steps,
        },
        Some(Stop::Connector(e)) => Listed::Failed(e),
        Some(Stop::Host(e)) => Listed::Host(e),
        Some(Stop::StepLimit(_)) => Listed::Endless,
        Some(Stop::RateLimitWait { wanted, .. }) => Listed::Failed(
            saas_runtime::latest::ConnectorError::RateLimited(saas_runtime::latest::RateLimit {
                retry_after: u32::try_from(wanted.as_secs()).ok(),
                message: "a longer wait than the kit allows".into(),
            }),
        ),
    }
}

/// Lists from `cursor` to the end, at most [`MAX_STEPS`] calls.
pub fn list(
    c: &Connector,
    io: &Io,
    config: &Config,
    session: &Session,
    cursor: Option<String>,
) -> Listed {
    list_observed(c, io, config, session, cursor, &mut |_| {})
}

/// Lists a fake completely or says why not.
pub fn list_all(c: &Connector, io: &Io, settings: &[Setting]) -> Result<Merged, String> {
    let config = config(c, settings)?;
    let session = session(c, io, &config)?;
    let config = &config;
    match list(c, io, config, &session, None) {
        Listed::Done { listing, .. } => Ok(listing),
        other => Err(describe(&other)),
    }
}

/// What an unfinished listing means, in words.
pub fn describe(listed: &Listed) -> String {
    match listed {
        Listed::Done { steps, .. } => format!("finished in {steps} calls"),
        Listed::Failed(e) => format!("ended with {}", e.describe()),
        Listed::Host(HostError::Trap(t)) => {
            format!("trapped: {}", t.lines().next().unwrap_or_default())
        }
        Listed::Host(e) => e.to_string(),
        Listed::Endless => format!("did not end within {MAX_STEPS} calls"),
    }
}

/// Who holds which workspaces, from users.
pub fn seen(users: &Roster) -> Seen {
    users
        .iter()
        .map(|u| {
            (
                u.id.clone(),
                u.memberships.iter().map(|m| m.unit.key.clone()).collect(),
            )
        })
        .collect()
}
