//! The one listing loop. `sync`, the conformance kit and the benchmarks all
//! drive it: it calls `list-users` step by step, merges, waits out
//! `rate-limited` answers, refreshes an expired session once per step
//! (through the `refresh` export, when declared), commits each step to a
//! checkpoint, and shows each step to an observer.

use std::time::{Duration, Instant};

use crate::checkpoint::{Checkpoint, Entry};
use crate::connector::Connector;
use crate::error::HostError;
use crate::imports::Io;
use crate::merge::Merger;
use crate::roster::Roster;
use crate::values::{Config, Page, Session};
use crate::wit::latest::{self, BillingUnit, Capability, ConnectorError, Coverage};

/// How the loop treats trouble.
#[derive(Debug, Clone)]
pub struct LoopOptions {
    /// How many times one step may be retried after `rate-limited`.
    pub rate_limit_retries: u32,
    /// Longest wait after `rate-limited`: an upstream that asks for more
    /// ends the run (resumable from its checkpoint) instead of stalling it.
    pub max_rate_limit_wait: Duration,
    /// Whether an expired session is renewed through `refresh` (when the
    /// connector declares it).
    pub refresh: bool,
    /// Most `list-users` calls; none for no limit.
    pub max_steps: Option<u32>,
}

impl Default for LoopOptions {
    fn default() -> Self {
        LoopOptions {
            rate_limit_retries: 5,
            max_rate_limit_wait: Duration::from_secs(900),
            refresh: true,
            max_steps: None,
        }
    }
}

impl LoopOptions {
    /// The connector alone: no waiting, no host refresh, at most `steps`
    /// calls. What the conformance kit holds a connector to.
    pub fn strict(steps: u32) -> Self {
        LoopOptions {
            rate_limit_retries: 0,
            max_rate_limit_wait: Duration::ZERO,
            refresh: false,
            max_steps: Some(steps),
        }
    }

    /// Sleeps after the `attempt`-th `rate-limited` answer: the hint, else
    /// exponential backoff (2, 4, 8 ... s), saying so on the log. A wait
    /// longer than the longest is not slept: `Err` carries it.
    pub fn wait_out(&self, attempt: u32, retry_after: Option<u32>) -> Result<Duration, Duration> {
        let backoff = Duration::from_secs(1 << attempt.clamp(1, 10));
        let (wait, why) = match retry_after {
            Some(s) => (Duration::from_secs(u64::from(s)), "as its Retry-After asks"),
            None => (backoff, "it gave no hint: backing off"),
        };
        if wait > self.max_rate_limit_wait {
            return Err(wait);
        }
        tracing::warn!(
            "rate limited by the upstream; waiting {} s ({why}), attempt {attempt} of {}; \
             what is listed so far is checkpointed",
            wait.as_secs(),
            self.rate_limit_retries
        );
        std::thread::sleep(wait);
        Ok(wait)
    }
}

/// Why a listing stopped before its end.
#[derive(Debug)]
pub enum Stop {
    /// The connector answered with an error.
    Connector(ConnectorError),
    /// The host failed the call (trap, limits) or the checkpoint.
    Host(HostError),
    /// The listing did not end within `max-steps` calls.
    StepLimit(u32),
    /// The upstream asked for a longer wait than the longest allowed.
    RateLimitWait {
        /// The wait asked for (or the backoff reached).
        wanted: Duration,
        /// The longest wait allowed.
        longest: Duration,
    },
}

impl Stop {
    /// The reason in a sentence.
    pub fn describe(&self) -> String {
        match self {
            Stop::Connector(e) => e.describe(),
            Stop::Host(e) => e.to_string(),
            Stop::StepLimit(n) => format!("the listing did not end within {n} calls"),
            Stop::RateLimitWait { wanted, longest } => format!(
                "rate limited: the upstream needs a wait of {} s, longer than the longest wait \
                 of {} s; stopped with a checkpoint: run again with --resume later (or allow \
                 a longer wait)",
                wanted.as_secs(),
                longest.as_secs()
            ),
        }
    }
}

/// Counters of a listing.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ListingStats {
    /// Listing steps: `list-users` calls that returned a page, taken from a
    /// checkpoint or not (each spends up to the connector's step budget of
    /// requests, so this is not a count of upstream pages).
    pub steps: u32,
    /// Requests the connector reported.
    pub connector_requests: u64,
    /// Duplicates dropped (by the connector and by merging).
    pub duplicates: u64,
    /// Session refreshes (by the host or handed back by the connector).
    pub refreshes: u32,
    /// Of those, the host's: calls of the connector's `refresh` export after
    /// a step failed on expired credentials (the step then ran again).
    pub host_refreshes: u32,
    /// Waits after `rate-limited`.
    pub rate_limit_waits: u32,
    /// Steps taken from a checkpoint.
    pub resumed_steps: u32,
    /// Wall time.
    pub elapsed_ms: u64,
}

/// The merged result of a listing.
#[derive(Debug)]
pub struct Listing {
    /// Users, sorted by id, kept compact: each is built when read.
    pub users: Roster,
    /// Billing units, sorted by id.
    pub units: Vec<BillingUnit>,
    /// Which sources covered which units.
    pub coverage: Vec<Coverage>,
    /// Whether every page was listed.
    pub complete: bool,
    /// Why the listing stopped early, when it did.
    pub stop: Option<Stop>,
    /// Counters.
    pub stats: ListingStats,
    /// The session at the end (possibly refreshed).
    pub session: Session,
}

impl Listing {
    /// Why the listing stopped early, in a sentence with secrets masked.
    pub fn error(&self, io: &Io) -> Option<String> {
        self.stop
            .as_ref()
            .map(|s| io.redactor.redact(&s.describe()).into_owned())
    }

    /// The listing as `compute-status` takes it, whole: a copy of every
    /// user in contract form.
    pub fn to_contract(&self) -> latest::Listing {
        latest::Listing {
            users: self.users.to_vec(),
            units: self.units.clone(),
            coverage: self.coverage.clone(),
            complete: self.complete,
        }
    }
}

/// Where a listing starts: from nothing, or from committed pages.
#[derive(Debug, Default)]
pub struct Start {
    /// The cursor to continue from.
    pub cursor: Option<String>,
    /// What was merged so far.
    pub merger: Merger,
    /// Whether the pages so far reached the end.
    pub finished: bool,
    /// How many pages came from a checkpoint.
    pub resumed_steps: u32,
}

impl Start {
    /// The start after a checkpoint's entries.
    pub fn after(entries: Vec<Entry>) -> Self {
        let mut start = Start::default();
        for entry in entries {
            start.resumed_steps += 1;
            start.finished = entry.cursor.is_none();
            start.cursor = entry.cursor;
            start.merger.add(entry.users, entry.units, entry.coverage);
        }
        start
    }

    /// The start from a cursor (nothing merged before it).
    pub fn at(cursor: Option<String>) -> Self {
        Start {
            cursor,
            ..Start::default()
        }
    }
}

/// One step, as the observer sees it before it is merged.
pub struct Step<'a> {
    /// The cursor the step was called with.
    pub cursor: Option<&'a str>,
    /// What it returned.
    pub page: &'a Page,
}

/// Registers every secret of a session for redaction.
pub fn register_session(io: &Io, session: &Session) {
    for secret in session.secrets() {
        io.redactor.add(secret);
    }
}

/// Lists from `start` to the end (or a stop), merging every step.
#[allow(clippy::too_many_arguments)]
pub fn run(
    connector: &Connector,
    io: &Io,
    config: &Config,
    session: Session,
    start: Start,
    options: &LoopOptions,
    mut checkpoint: Option<&mut Checkpoint>,
    observe: &mut dyn FnMut(&Step<'_>),
) -> Listing {
    let began = Instant::now();
    let Start {
        mut cursor,
        mut merger,
        mut finished,
        resumed_steps,
    } = start;
    let mut stats = ListingStats {
        resumed_steps,
        steps: resumed_steps,
        ..ListingStats::default()
    };
    let can_refresh = options.refresh && connector.info().has(Capability::Refresh);
    let mut session = session;
    let (mut refreshed, mut waits, mut calls, mut stop) = (false, 0, 0, None);
    while !finished {
        if options.max_steps.is_some_and(|max| calls >= max) {
            stop = Some(Stop::StepLimit(calls));
            break;
        }
        calls += 1;
        let page = match connector.list_users(io, config, &session, cursor.as_deref()) {
            Ok(Ok(page)) => page,
            Ok(Err(ConnectorError::RateLimited(r))) if waits < options.rate_limit_retries => {
                waits += 1;
                stats.rate_limit_waits += 1;
                match options.wait_out(waits, r.retry_after) {
                    Ok(_) => continue,
                    Err(wanted) => {
                        stop = Some(Stop::RateLimitWait {
                            wanted,
                            longest: options.max_rate_limit_wait,
                        });
                        break;
                    }
                }
            }
            Ok(Err(
                ConnectorError::InvalidCredentials(_) | ConnectorError::ExpiredCredentials(_),
            )) if can_refresh && !refreshed => {
                refreshed = true;
                match connector.refresh(io, config, &session) {
                    Ok(Ok(fresh)) => {
                        register_session(io, &fresh);
                        session = fresh;
                        stats.refreshes += 1;
                        stats.host_refreshes += 1;
                        continue;
                    }
                    Ok(Err(e)) => stop = Some(Stop::Connector(e)),
                    Err(e) => stop = Some(Stop::Host(e)),
                }
                break;
            }
            Ok(Err(e)) => {
                stop = Some(Stop::Connector(e));
                break;
            }
            Err(e) => {
                stop = Some(Stop::Host(e));
                break;
            }
        };
        // A step went through: the next one may wait and refresh again.
        (waits, refreshed) = (0, false);
        if let Some(fresh) = &page.session {
            register_session(io, fresh);
            session = fresh.clone();
            stats.refreshes += 1;
        }
        stats.steps += 1;
        stats.connector_requests += u64::from(page.stats.requests);
        stats.duplicates += u64::from(page.stats.duplicates_dropped);
        if let Some(cp) = checkpoint.as_deref_mut() {
            let entry = Entry {
                cursor: page.next_cursor.clone(),
                users: page.users.clone(),
                units: page.units.clone(),
                coverage: page.coverage.clone(),
            };
            if let Err(e) = cp.append(entry) {
                stop = Some(Stop::Host(e));
                break;
            }
        }
        observe(&Step {
            cursor: cursor.as_deref(),
            page: &page,
        });
        finished = page.next_cursor.is_none();
        cursor = page.next_cursor;
        merger.add(page.users, page.units, page.coverage);
    }
    stats.duplicates += merger.duplicates();
    stats.elapsed_ms = began.elapsed().as_millis() as u64;
    let merged = merger.finish();
    Listing {
        users: merged.users,
        units: merged.units,
        coverage: merged.coverage,
        complete: finished,
        stop,
        stats,
        session,
    }
}
