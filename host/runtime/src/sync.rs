//! A whole sync: authenticate (waiting out rate limits), open or resume the
//! checkpoint, run the listing loop, and compute statuses.

use std::path::PathBuf;

use crate::checkpoint::{Checkpoint, Header, header_for};
use crate::connector::Connector;
use crate::error::HostError;
use crate::imports::Io;
pub use crate::listing::Listing;
use crate::listing::{self, LoopOptions, Start, Step, Stop, register_session};
use crate::report::Report;
use crate::status_chunks::{self, CHUNK_USERS};
use crate::values::{Config, Session};
use crate::wit::ContractVersion;
use crate::wit::latest::{Capability, ConnectorError, Credential, Policy, Setting, SlotCredential};

/// Where a sync keeps its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointAt {
    /// Nowhere.
    Nowhere,
    /// The default place for this connector and settings
    /// ([`crate::checkpoint::Header::default_path`]); nowhere when there is none.
    Default,
    /// This file.
    File(PathBuf),
}

/// What to sync and how.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    /// The effective settings.
    pub settings: Vec<Setting>,
    /// Credentials, one per slot given.
    pub credentials: Vec<SlotCredential>,
    /// Where the checkpoint goes.
    pub checkpoint: CheckpointAt,
    /// Resume from the checkpoint instead of starting over.
    pub resume: bool,
    /// How the listing loop treats trouble.
    pub options: LoopOptions,
}

impl SyncRequest {
    /// A request with the loop's defaults and no checkpoint.
    pub fn new(settings: Vec<Setting>, credentials: Vec<SlotCredential>) -> Self {
        SyncRequest {
            settings,
            credentials,
            checkpoint: CheckpointAt::Nowhere,
            resume: false,
            options: LoopOptions::default(),
        }
    }
}

/// Why a sync could not start.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The credentials were refused (`invalid-credentials`,
    /// `expired-credentials`, `forbidden`, `insufficient-scope`): fix them.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Signing in did not get an answer about the credentials (the token
    /// endpoint unreachable, failing or answering garbage): worth retrying.
    #[error("could not sign in, worth retrying: {0}")]
    SignIn(String),
    /// The connector found its settings or credentials unusable
    /// (`invalid-config`).
    #[error("unusable settings: {0}")]
    Config(String),
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

/// Registers every secret of the credentials for redaction: a named field
/// is secret unless its slot declares it public.
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

/// Whether an error says the credentials were refused: fix them.
fn refused(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::InvalidCredentials(_)
            | ConnectorError::ExpiredCredentials(_)
            | ConnectorError::Forbidden(_)
            | ConnectorError::InsufficientScope(_)
    )
}

/// Authenticates, waiting out `rate-limited` answers as the loop does;
/// returns the session and how many waits it took.
pub fn authenticate(
    connector: &Connector,
    io: &Io,
    config: &Config,
    credentials: &[SlotCredential],
    options: &LoopOptions,
) -> Result<(Session, u32), SyncError> {
    register_credentials(io, connector, credentials);
    let mut waits = 0;
    loop {
        match connector.authenticate(io, config, credentials)? {
            Ok(session) => {
                register_session(io, &session);
                return Ok((session, waits));
            }
            Err(ConnectorError::RateLimited(r)) if waits < options.rate_limit_retries => {
                waits += 1;
                if let Err(wanted) = options.wait_out(waits, r.retry_after) {
                    return Err(SyncError::SignIn(format!(
                        "rate limited at sign-in: the upstream needs a wait of {} s, longer \
                         than the longest wait of {} s; try again later",
                        wanted.as_secs(),
                        options.max_rate_limit_wait.as_secs()
                    )));
                }
            }
            Err(e) => {
                let text = io.redactor.redact(&e.describe()).into_owned();
                return Err(if refused(&e) {
                    SyncError::Auth(text)
                } else if matches!(e, ConnectorError::InvalidConfig(_)) {
                    SyncError::Config(text)
                } else {
                    SyncError::SignIn(text)
                });
            }
        }
    }
}

/// What becomes of a sync's checkpoint.
enum Plan {
    /// No checkpoint.
    None,
    /// Resumed: the file, open, and where the listing goes on.
    Resumed(Checkpoint, Box<Start>),
    /// A new one, created once the credentials proved good (so that a
    /// failed sign-in never wipes an earlier checkpoint); whether it was
    /// asked for by path (then failing to write it fails the sync).
    Create(PathBuf, Header, bool),
}

/// The checkpoint plan of a request: a checkpoint to resume is read (and
/// refused, when it must be) before anything is sent.
fn plan(connector: &Connector, request: &SyncRequest) -> Result<Plan, SyncError> {
    let resumable = connector.info().has(Capability::ResumableListing);
    if request.resume && !resumable {
        return Err(SyncError::NotResumable(connector.info().name.clone()));
    }
    let header = header_for(connector, &request.settings);
    let path = match &request.checkpoint {
        CheckpointAt::Nowhere => return Ok(Plan::None),
        CheckpointAt::Default => header.default_path(),
        CheckpointAt::File(p) => Some(p.clone()),
    };
    let Some(path) = path else {
        tracing::info!("no state folder (XDG_STATE_HOME or HOME): no checkpoint is written");
        return Ok(Plan::None);
    };
    if !resumable {
        tracing::warn!(
            "the connector does not declare resumable-listing: no checkpoint is written"
        );
        return Ok(Plan::None);
    }
    if request.resume && path.exists() {
        let (cp, entries) = Checkpoint::resume(&path, &header)?;
        return Ok(Plan::Resumed(cp, Box::new(Start::after(entries))));
    }
    if request.resume {
        tracing::warn!(
            "no checkpoint at {}: starting from the beginning",
            path.display()
        );
    }
    let asked = matches!(request.checkpoint, CheckpointAt::File(_));
    Ok(Plan::Create(path, header, asked))
}

/// Authenticates and lists everything, checkpointing every step.
pub fn list_all(
    connector: &Connector,
    io: &Io,
    request: &SyncRequest,
    observe: &mut dyn FnMut(&Step<'_>),
) -> Result<Listing, SyncError> {
    let config = connector.config(&request.settings)?;
    let plan = plan(connector, request)?;
    let (session, waits) = authenticate(
        connector,
        io,
        &config,
        &request.credentials,
        &request.options,
    )?;
    let (mut checkpoint, start) = match plan {
        Plan::None => (None, Start::default()),
        Plan::Resumed(cp, start) => (Some(cp), *start),
        Plan::Create(path, header, asked) => match Checkpoint::create(&path, &header) {
            Ok(cp) => (Some(cp), Start::default()),
            Err(e) if !asked => {
                // The default place is a convenience: without it the sync
                // still runs, it only cannot be resumed.
                tracing::warn!("no checkpoint: {e}");
                (None, Start::default())
            }
            Err(e) => return Err(e.into()),
        },
    };
    let mut listing = listing::run(
        connector,
        io,
        &config,
        session,
        start,
        &request.options,
        checkpoint.as_mut(),
        observe,
    );
    listing.stats.rate_limit_waits += waits;
    // A connector whose sign-in was proved by a grant lets the listing's
    // first request prove the rest (a token's scopes, say): refused there,
    // before any step went through, the credentials were refused.
    if let Some(Stop::Connector(e)) = &listing.stop
        && refused(e)
        && listing.stats.steps == listing.stats.resumed_steps
    {
        return Err(SyncError::Auth(
            io.redactor.redact(&e.describe()).into_owned(),
        ));
    }
    Ok(listing)
}

/// Computes statuses for a listing: a 0.2.0 component in calls of at most
/// [`CHUNK_USERS`] users each, on as many cores as there are
/// ([`status_chunks::in_chunks`]), combined (the contract promises the
/// report adds up over disjoint users), so that neither a copy of the
/// listing nor the guest's memory grows with the whole organization; a
/// 0.1.0 component, which promised nothing of the kind, in one call.
pub fn compute_status(
    connector: &Connector,
    io: &Io,
    listing: &Listing,
    policy: Policy,
) -> Result<Report, SyncError> {
    let call = |range: std::ops::Range<usize>| match connector
        .compute_status_of(io, listing, range, policy)?
    {
        Ok(report) => Ok(report),
        Err(e) => Err(SyncError::Connector(format!(
            "compute-status: {}",
            io.redactor.redact(&e.describe())
        ))),
    };
    if connector.contract_version() == ContractVersion::V0_1_0 || listing.users.len() <= CHUNK_USERS
    {
        return call(0..listing.users.len()).map(Report::from);
    }
    status_chunks::in_chunks(&listing.users, policy, call)
}
