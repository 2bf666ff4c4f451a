//! The instruments the checks share: a recording event sink, quick retry
//! limits, and a bounded listing loop held to the connector alone.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use saas_runtime::egress::{EgressLimits, RetryPolicy};
use saas_runtime::imports::{Events, Io, Level};
use saas_runtime::latest::ConnectorError;
use saas_runtime::listing::{self, Listing, LoopOptions, Start, Step, Stop};
use saas_runtime::merge::Merged;
use saas_runtime::roster::Roster;
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

/// Limits with quick retries, for checks against a loopback upstream.
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
