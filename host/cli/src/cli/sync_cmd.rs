//! `sync`: list every user, compute statuses, print.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use saas_runtime::HostError;
use saas_runtime::latest::Policy;
use saas_runtime::listing::Listing;
use saas_runtime::report::Report;
use saas_runtime::sync::{self, CheckpointAt, SyncError, SyncRequest};

use super::history_args::HistoryArgs;
use super::in_order::Renderers;
use super::kept;
use super::output::{self, Format};
use super::progress::BarEvents;
use super::settings::{self, ConnectorArgs, Ready};
use super::{Exit, Failure};

/// Options of `sync` (and of `reclaim`, which syncs first).
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// Connector, sandbox and settings options.
    #[command(flatten)]
    pub connector: ConnectorArgs,
    /// Output format (table on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Seats bought, to report unused seats.
    #[arg(long)]
    pub purchased: Option<u32>,
    /// Days without access after which a user is inactive.
    #[arg(long, default_value_t = 90)]
    pub inactive_days: u32,
    /// Only these workspaces (repeatable).
    #[arg(long = "workspace", value_name = "SLUG")]
    pub include: Vec<String>,
    /// Never these workspaces (repeatable).
    #[arg(long = "exclude-workspace", value_name = "SLUG")]
    pub exclude: Vec<String>,
    /// Where the checkpoint goes (one page a line); by default a file per
    /// connector and settings in the state folder
    /// ($XDG_STATE_HOME/saas-host/checkpoints).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Resume from the checkpoint (the default one, or --checkpoint FILE).
    #[arg(long)]
    pub resume: bool,
    /// No progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Longest wait after a rate limit, in seconds (the config file's
    /// `max_rate_limit_wait`; 900 when neither says): an upstream that asks
    /// for more ends the run with exit 4 and a checkpoint to resume from.
    #[arg(long, value_name = "SECONDS")]
    pub max_rate_limit_wait: Option<u64>,
    /// On a terminal, list everyone (idle first, longest idle first), not
    /// only the idle people who lead.
    #[arg(long)]
    pub all: bool,
    /// Also write the HTML report of this sync to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Keep nothing of this sync in the history.
    #[arg(long)]
    pub no_history: bool,
    /// Where the history is, what it keeps, what a seat costs.
    #[command(flatten)]
    pub history: HistoryArgs,
}

/// A finished sync.
pub struct Synced {
    /// The connector and its I/O.
    pub ready: Ready,
    /// The listing.
    pub listing: Listing,
    /// The statuses.
    pub report: Report,
    /// Why the unknown users are unknown, worked out once for the output
    /// and the closing lines.
    pub unknown: Vec<super::gaps::Gap>,
    /// Unix seconds when the sync began.
    pub started_at: i64,
}

/// The sync options, as settings of the connector.
impl SyncArgs {
    /// `--workspace` and `--exclude-workspace`: shorthands for the settings
    /// `include-workspaces` and `exclude-workspaces`.
    pub fn shorthands(&self) -> Vec<(String, String)> {
        [
            ("include-workspaces", &self.include),
            ("exclude-workspaces", &self.exclude),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), v.join(",")))
        .collect()
    }
}

/// Runs a sync with these settings; without `--checkpoint` the checkpoint
/// goes to `checkpoint` (the state folder for `sync` and `reclaim`, nowhere
/// for the demo, whose fake is gone when it ends).
pub fn run_with(
    args: &SyncArgs,
    settings: settings::FileSettings,
    checkpoint: CheckpointAt,
) -> Result<Synced, Failure> {
    let started_at = time::OffsetDateTime::now_utc().unix_timestamp();
    let show = !args.no_progress && std::io::stderr().is_terminal();
    let events = Arc::new(BarEvents::new(show));
    let ready = args
        .connector
        .ready(settings, &args.shorthands(), events.clone())
        .map_err(Failure::usage)?;
    let credentials = ready.credentials().map_err(Failure::usage)?;
    let mut request = SyncRequest::new(ready.settings.clone(), credentials);
    request.checkpoint = match &args.checkpoint {
        Some(path) => CheckpointAt::File(path.clone()),
        None => checkpoint,
    };
    request.resume = args.resume;
    if let Some(secs) = args
        .max_rate_limit_wait
        .or(ready.file.contents.max_rate_limit_wait)
    {
        request.options.max_rate_limit_wait = std::time::Duration::from_secs(secs);
    }
    let result = sync::list_all(&ready.connector, &ready.io, &request, &mut |_| {});
    events.finish();
    let listing = match result {
        Ok(l) => l,
        Err(SyncError::Auth(m)) => {
            return Err(Failure::new(
                Exit::Auth,
                anyhow::anyhow!("authentication failed: {m}{}", ready.stored.refused_hint()),
            ));
        }
        Err(
            e @ (SyncError::NotResumable(_)
            | SyncError::Config(_)
            | SyncError::Host(HostError::Checkpoint { .. })),
        ) => {
            return Err(Failure::usage(e.into()));
        }
        Err(e @ (SyncError::Host(_) | SyncError::Connector(_) | SyncError::SignIn(_))) => {
            let text = ready.io.redactor.redact(&e.to_string()).into_owned();
            return Err(Failure::other(anyhow::anyhow!(text)));
        }
    };
    tracing::info!(
        "listed {} users and {} memberships; computing their statuses",
        listing.users.len(),
        listing.users.membership_count()
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let policy = Policy {
        as_of: now,
        inactive_after_days: args.inactive_days,
        purchased_seats: args.purchased,
    };
    let statuses = std::time::Instant::now();
    let report =
        sync::compute_status(&ready.connector, &ready.io, &listing, policy).map_err(|e| {
            Failure::other(anyhow::anyhow!(
                ready.io.redactor.redact(&e.to_string()).into_owned()
            ))
        })?;
    tracing::info!(
        "statuses of {} users in {:.2} s",
        listing.users.len(),
        statuses.elapsed().as_secs_f64()
    );
    let unknown = super::gaps::unknown(&listing, &report);
    Ok(Synced {
        ready,
        listing,
        report,
        unknown,
        started_at,
    })
}

/// `n` and the noun, in the plural unless `n` is 1.
fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Prints the closing summary on stderr.
pub fn print_summary(s: &Synced) {
    let counts = s.ready.io.egress.counts();
    let st = &s.listing.stats;
    eprintln!(
        "synced {}, {}, {}: {} ({} retries, {} denied, {} answered ahead) in {}, {} dropped, {:.2} s{}",
        plural(s.report.seats.per_unit.len() as u64, "unit"),
        plural(u64::from(s.report.reconciliation.unique_users), "user"),
        plural(
            u64::from(s.report.reconciliation.membership_sum),
            "membership"
        ),
        plural(counts.requests, "request"),
        counts.retries,
        counts.denied,
        counts.answered_ahead,
        plural(u64::from(st.steps), "listing step"),
        plural(st.duplicates, "duplicate"),
        st.elapsed_ms as f64 / 1000.0,
        if s.listing.complete { "" } else { " (PARTIAL)" }
    );
    if let Some(e) = s.listing.error(&s.ready.io) {
        eprintln!("the listing stopped early: {e}");
    }
    for line in super::gaps::lines(&s.unknown) {
        eprintln!("{line}");
    }
}

/// Keeps a sync in the history, prints its result in the chosen format
/// (the answer first on a terminal), writes `--html`, and returns the exit
/// code. `source` names the run in the history (the demo's own), else it
/// is the connector and its host.
pub fn print(s: &Synced, args: &SyncArgs, source: Option<&str>) -> Result<Exit, Failure> {
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    // The run as the history keeps it is one more copy of every user: it
    // is made only when the table or the HTML report reads it, and then it
    // is kept before anything is written. Otherwise the history takes the
    // users one row at a time on a thread of its own while the output is
    // written: neither waits for the other.
    let users_read = format == Format::Table || args.html.is_some();
    let wanted = !args.no_history || users_read;
    let price = args.history.seat_price(&s.ready.file.contents.history);
    let error = s.listing.error(&s.ready.io);
    // `busy`: cores another thread of ours is using meanwhile (the
    // history's), which the output leaves to it.
    let write = |table: Option<output::TableView<'_>>, busy: usize| {
        let started = std::time::Instant::now();
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let how = output::Writing {
            format,
            table,
            renderers: Renderers::beside(busy),
        };
        output::write(
            &mut out,
            how,
            &s.listing,
            &s.report,
            &s.unknown,
            error.as_deref(),
        )
        .map_err(Failure::other)?;
        tracing::info!("output written in {:.2} s", started.elapsed().as_secs_f64());
        Ok::<_, Failure>(())
    };
    let kept = if users_read {
        let kept = wanted
            .then(|| kept::keep(s, args, source, true))
            .transpose()?;
        let overview = kept
            .as_ref()
            .filter(|_| format == Format::Table)
            .map(|k| saas_report::Overview::of(&k.snapshot, price));
        let table = overview.as_ref().map(|overview| output::TableView {
            overview,
            all: args.all,
        });
        write(table, 0)?;
        kept
    } else {
        let (kept, written) = std::thread::scope(|scope| {
            let keeping = wanted.then(|| {
                std::thread::Builder::new()
                    .name("history".into())
                    .spawn_scoped(scope, || kept::keep(s, args, source, false))
            });
            let keeping = keeping
                .transpose()
                .map_err(|e| Failure::other(anyhow::anyhow!("no thread for the history: {e}")));
            let written = write(None, usize::from(wanted));
            let kept = keeping.and_then(|k| {
                k.map(|k| k.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .transpose()
            });
            (kept, written)
        });
        written?;
        kept?
    };
    if let (Some(path), Some(kept)) = (&args.html, &kept) {
        kept::write_html(&kept.snapshot, kept.history.as_ref(), price, path)
            .map_err(Failure::other)?;
        eprintln!("wrote the report to {}", path.display());
    }
    print_summary(s);
    if let Some(kept) = &kept {
        kept.say();
    }
    Ok(if s.listing.complete {
        Exit::Success
    } else {
        Exit::Partial
    })
}

/// `sync`.
pub fn run(args: &SyncArgs) -> Result<Exit, Failure> {
    let settings = settings::load_file(args.connector.config.as_deref()).map_err(Failure::usage)?;
    let synced = run_with(args, settings, CheckpointAt::Default)?;
    let exit = print(&synced, args, None);
    // The users, shared by the listing and the report, are left for the
    // system to take back with the rest of the process, at once: freeing
    // half a million of them one allocation at a time took 0.3 s after
    // the output was written. The rest is dropped as usual.
    std::mem::forget(synced.listing.users.clone());
    exit
}
