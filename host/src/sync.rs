//! A whole sync: authenticate, list every page (merging, checkpointing,
//! waiting out rate limits, refreshing tokens), then compute statuses.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::bindings::{
    BillingUnit, Capability, Config, ConnectorError, Coverage, Credential, ListingProgress, Policy,
    Session, SlotCredential, StatusReport, User,
};
use crate::cache::sha256_hex;
use crate::checkpoint::{Checkpoint, Entry};
use crate::error::HostError;
use crate::imports::Io;
use crate::merge::Merger;
use crate::runtime::Connector;

/// What to sync and how.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    /// Connector config.
    pub config: Config,
    /// Credentials.
    pub credentials: Vec<SlotCredential>,
    /// Checkpoint file, if any.
    pub checkpoint: Option<PathBuf>,
    /// Resume from the checkpoint instead of starting over.
    pub resume: bool,
    /// How many times one step may be retried after `rate-limited`.
    pub rate_limit_retries: u32,
    /// Longest wait after `rate-limited`.
    pub max_rate_limit_wait: Duration,
}

impl SyncRequest {
    /// A request with default retry settings and no checkpoint.
    pub fn new(config: Config, credentials: Vec<SlotCredential>) -> Self {
        SyncRequest {
            config,
            credentials,
            checkpoint: None,
            resume: false,
            rate_limit_retries: 5,
            max_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

/// Counters of a listing.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ListingStats {
    /// `list-users` calls that returned a page.
    pub pages: u32,
    /// Requests the connector reported.
    pub connector_requests: u64,
    /// Duplicates dropped (by the connector and by merging).
    pub duplicates: u64,
    /// Token refreshes.
    pub refreshes: u32,
    /// Waits after `rate-limited`.
    pub rate_limit_waits: u32,
    /// Pages taken from a checkpoint.
    pub resumed_pages: u32,
    /// Wall time.
    pub elapsed_ms: u64,
}

/// The merged result of a listing.
#[derive(Debug, Clone)]
pub struct Listing {
    /// Users, sorted by id.
    pub users: Vec<User>,
    /// Billing units, sorted by id.
    pub units: Vec<BillingUnit>,
    /// Which sources covered which units.
    pub coverage: Vec<Coverage>,
    /// Whether every page was listed.
    pub complete: bool,
    /// Why the listing stopped early, when it did.
    pub error: Option<String>,
    /// Counters.
    pub stats: ListingStats,
    /// The session at the end (possibly refreshed).
    pub session: Session,
}

/// Why a sync could not start.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The credentials were refused.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The host failed.
    #[error(transparent)]
    Host(#[from] HostError),
    /// The connector refused an operation (its typed error, described).
    #[error("the connector failed: {0}")]
    Connector(String),
    /// `--resume` with a connector whose cursors do not survive a restart.
    #[error(
        "the connector {0} does not declare resumable-listing: its cursors do not survive a \
         restart, so it cannot resume; run again without --resume"
    )]
    NotResumable(String),
}

/// Registers every secret of a credentials value for redaction.
pub fn register_credentials(io: &Io, connector: &Connector, credentials: &[SlotCredential]) {
    let r = &io.redactor;
    for given in credentials {
        match &given.credential {
            Credential::OauthClientCredentials(c) => r.add(&c.client_secret),
            Credential::OauthRefreshToken(x) => {
                r.add(&x.client.client_secret);
                r.add(&x.refresh_token);
            }
            Credential::OauthAuthorizationCode(x) => {
                r.add(&x.client.client_secret);
                r.add(&x.code);
                if let Some(v) = &x.code_verifier {
                    r.add(v);
                }
            }
            Credential::Basic(b) => r.add_basic(&b.username, &b.password),
            Credential::BearerToken(t) => r.add(t),
            Credential::NamedFields(fields) => {
                let slot = connector
                    .info()
                    .credential_slots
                    .iter()
                    .find(|s| s.name == given.slot);
                for f in fields {
                    // A field the slot does not declare public is secret.
                    let public = slot
                        .and_then(|s| s.fields.iter().find(|spec| spec.name == f.name))
                        .is_some_and(|spec| !spec.secret);
                    if !public {
                        r.add(&f.value);
                    }
                }
            }
        }
    }
}

pub fn register_session(io: &Io, session: &Session) {
    for secret in &session.secrets {
        io.redactor.add(secret);
    }
    io.redactor.add(&session.state);
}

pub fn authenticate(
    connector: &Connector,
    io: &Io,
    config: &Config,
    credentials: &[SlotCredential],
) -> Result<Session, SyncError> {
    register_credentials(io, connector, credentials);
    match connector.authenticate(io, config, credentials)? {
        Ok(session) => {
            register_session(io, &session);
            Ok(session)
        }
        Err(e) => Err(SyncError::Auth(
            io.redactor.redact(&e.describe()).into_owned(),
        )),
    }
}

/// Sleeps after a `rate-limited` answer: the hint, else exponential backoff.
fn wait_out(request: &SyncRequest, attempt: u32, retry_after: Option<u32>) {
    let backoff = Duration::from_secs(1 << attempt.min(6));
    let wait = retry_after
        .map(|s| Duration::from_secs(u64::from(s)))
        .unwrap_or(backoff)
        .min(request.max_rate_limit_wait);
    tracing::warn!("rate limited; waiting {wait:?} before trying again");
    std::thread::sleep(wait);
}

/// Authenticates, waiting out rate limits like the listing does; also
/// returns how many waits that took.
fn authenticate_patiently(
    connector: &Connector,
    io: &Io,
    request: &SyncRequest,
) -> Result<(Session, u32), SyncError> {
    register_credentials(io, connector, &request.credentials);
    let mut attempt = 0;
    loop {
        match connector.authenticate(io, &request.config, &request.credentials)? {
            Ok(session) => {
                register_session(io, &session);
                return Ok((session, attempt));
            }
            Err(ConnectorError::RateLimited(r)) if attempt < request.rate_limit_retries => {
                attempt += 1;
                wait_out(request, attempt, r.retry_after);
            }
            Err(e) => {
                return Err(SyncError::Auth(
                    io.redactor.redact(&e.describe()).into_owned(),
                ));
            }
        }
    }
}

/// What identifies a sync for its checkpoint: the connector and the config.
fn fingerprint(connector: &Connector, config: &Config) -> String {
    let settings = serde_json::to_string(config).expect("settings serialise");
    sha256_hex(format!("{}|{settings}", connector.sha256()).as_bytes())
}

pub fn list_all(
    connector: &Connector,
    io: &Io,
    request: &SyncRequest,
    mut on_page: impl FnMut(&ListingProgress, &Merger),
) -> Result<Listing, SyncError> {
    let start = Instant::now();
    let (mut session, auth_waits) = authenticate_patiently(connector, io, request)?;
    let mut merger = Merger::default();
    let mut stats = ListingStats {
        rate_limit_waits: auth_waits,
        ..ListingStats::default()
    };
    let mut cursor: Option<String> = None;
    let mut finished = false;
    let print = fingerprint(connector, &request.config);
    // Checkpoints only for connectors whose cursors survive a restart.
    let resumable = connector.info().has(Capability::ResumableListing);
    if request.resume && !resumable {
        return Err(SyncError::NotResumable(connector.info().name.clone()));
    }
    let mut checkpoint = match &request.checkpoint {
        Some(_) if !resumable => {
            tracing::warn!(
                "the connector does not declare resumable-listing: no checkpoint is written"
            );
            None
        }
        Some(path) if request.resume && path.exists() => {
            let (cp, entries) = Checkpoint::resume(path, &print)?;
            for entry in entries {
                stats.resumed_pages += 1;
                finished = entry.cursor.is_none();
                cursor = entry.cursor;
                merger.add(entry.users, entry.units, entry.coverage);
            }
            Some(cp)
        }
        Some(path) => Some(Checkpoint::create(path, &print)?),
        None => None,
    };
    let mut error = None;
    let mut refreshed_after_401 = false;
    let mut waits_this_step = 0;
    while !finished {
        let page = match connector.list_users(io, &request.config, &session, cursor.as_deref()) {
            Ok(Ok(page)) => page,
            Ok(Err(ConnectorError::RateLimited(r)))
                if waits_this_step < request.rate_limit_retries =>
            {
                waits_this_step += 1;
                stats.rate_limit_waits += 1;
                let backoff = Duration::from_secs(1 << waits_this_step.min(6));
                let wait = r
                    .retry_after
                    .map(|s| Duration::from_secs(u64::from(s)))
                    .unwrap_or(backoff)
                    .min(request.max_rate_limit_wait);
                tracing::warn!("rate limited; waiting {wait:?} before retrying the step");
                std::thread::sleep(wait);
                continue;
            }
            Ok(Err(
                ConnectorError::InvalidCredentials(_) | ConnectorError::ExpiredCredentials(_),
            )) if !refreshed_after_401 && connector.info().has(Capability::Refresh) => {
                refreshed_after_401 = true;
                match connector.refresh(io, &request.config, &session)? {
                    Ok(fresh) => {
                        register_session(io, &fresh);
                        session = fresh;
                        stats.refreshes += 1;
                        continue;
                    }
                    Err(e) => {
                        error = Some(e.describe());
                        break;
                    }
                }
            }
            Ok(Err(e)) => {
                error = Some(e.describe());
                break;
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        };
        waits_this_step = 0;
        if let Some(fresh) = page.session {
            register_session(io, &fresh);
            session = fresh;
            stats.refreshes += 1;
        }
        stats.pages += 1;
        stats.connector_requests += u64::from(page.stats.requests);
        stats.duplicates += u64::from(page.stats.duplicates_dropped);
        if let Some(cp) = &mut checkpoint {
            cp.append(&Entry {
                cursor: page.next_cursor.clone(),
                users: page.users.clone(),
                units: page.units.clone(),
                coverage: page.coverage.clone(),
            })?;
        }
        merger.add(page.users, page.units, page.coverage);
        on_page(&page.progress, &merger);
        finished = page.next_cursor.is_none();
        cursor = page.next_cursor;
    }
    stats.duplicates += merger.duplicates();
    stats.elapsed_ms = start.elapsed().as_millis() as u64;
    let merged = merger.finish();
    Ok(Listing {
        users: merged.users,
        units: merged.units,
        coverage: merged.coverage,
        complete: finished,
        error: error.map(|e| io.redactor.redact(&e).into_owned()),
        stats,
        session,
    })
}

/// Computes statuses for a listing.
pub fn compute_status(
    connector: &Connector,
    io: &Io,
    listing: &Listing,
    as_of: i64,
    inactive_after_days: u32,
    purchased_seats: Option<u32>,
) -> Result<StatusReport, SyncError> {
    let policy = Policy {
        as_of,
        inactive_after_days,
        purchased_seats,
    };
    match connector.compute_status(io, &listing.to_contract(), policy)? {
        Ok(report) => Ok(report),
        Err(e) => Err(SyncError::Connector(format!(
            "compute-status: {}",
            io.redactor.redact(&e.describe())
        ))),
    }
}

impl Listing {
    /// The listing as `compute-status` takes it.
    pub fn to_contract(&self) -> crate::bindings::Listing {
        crate::bindings::Listing {
            users: self.users.clone(),
            units: self.units.clone(),
            coverage: self.coverage.clone(),
            complete: self.complete,
        }
    }
}
