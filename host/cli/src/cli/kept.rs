//! A finished sync into the history, and its HTML report: what `sync` and
//! `demo` keep after they print.

use std::path::{Path, PathBuf};

use anyhow::Context;
use saas_history::{History, RunMeta, Snapshot};

use super::Failure;
use super::audit::source_of;
use super::history_args::operator;
use super::sync_cmd::{SyncArgs, Synced};

/// A sync as stored (or as it would have been, with `--no-history`).
pub struct Kept {
    /// The run, with its number once stored.
    pub snapshot: Snapshot,
    /// The history it went into.
    pub history: Option<History>,
}

/// Stores the sync unless `--no-history` (or there is no data folder). `source` names it (the demo's, else
/// [`source_of`]). With `users_read` false (no table, no HTML report), the
/// kept snapshot is only its outline, and the users go into the history
/// one row at a time: no second copy of every user while the output is
/// written.
pub fn keep(
    s: &Synced,
    args: &SyncArgs,
    source: Option<&str>,
    users_read: bool,
) -> Result<Kept, Failure> {
    let info = s.ready.connector.info();
    let meta = RunMeta {
        source: source.map_or_else(|| source_of(&s.ready), String::from),
        connector: info.name.clone(),
        connector_version: info.version.clone(),
        operator: operator(),
        started_at: s.started_at,
        finished_at: time::OffsetDateTime::now_utc().unix_timestamp(),
        inactive_days: args.inactive_days,
        requests: s.ready.io.egress.counts().requests,
        error: s.listing.error(&s.ready.io),
    };
    let mut snapshot = if users_read {
        Snapshot::from_sync(meta, &s.listing, &s.report)
    } else {
        Snapshot::outline(meta, &s.listing, &s.report)
    };
    if args.no_history {
        return Ok(Kept {
            snapshot,
            history: None,
        });
    }
    let fail = |e: anyhow::Error| {
        Failure::other(e.context("the sync was not stored in the history (--no-history skips it)"))
    };
    let Some(mut history) = args
        .history
        .open(&s.ready.file.contents.history)
        .map_err(fail)?
    else {
        tracing::info!("no data folder (XDG_DATA_HOME or HOME): the sync is not kept");
        return Ok(Kept {
            snapshot,
            history: None,
        });
    };
    let started = std::time::Instant::now();
    let recorded = if users_read {
        history.record(&snapshot)
    } else {
        history.record_users(&snapshot, saas_history::user_rows(&s.listing, &s.report))
    };
    snapshot.run.id = recorded.context("storing the run").map_err(fail)?;
    tracing::info!(
        "run {} kept in the history in {:.2} s",
        snapshot.run.id,
        started.elapsed().as_secs_f64()
    );
    Ok(Kept {
        snapshot,
        history: Some(history),
    })
}

impl Kept {
    /// Says on stderr where the run went, if anywhere.
    pub fn say(&self) {
        if let Some(h) = &self.history {
            eprintln!(
                "kept as run {} in {}{} (`saas-host history`, `diff`, `report`)",
                self.snapshot.run.id,
                h.path().display(),
                if self.snapshot.run.complete {
                    ""
                } else {
                    ", marked partial"
                }
            );
        }
    }
}

/// Writes the HTML report of `snapshot` to `path`, with the trend of its
/// source's runs when there is a history.
pub fn write_html(
    snapshot: &Snapshot,
    history: Option<&History>,
    seat_price: Option<f64>,
    path: &Path,
) -> anyhow::Result<PathBuf> {
    let runs = match history {
        Some(h) => h.runs(Some(&snapshot.run.source))?,
        None => vec![snapshot.run.clone()],
    };
    let page = saas_report::render(snapshot, &runs, seat_price, env!("CARGO_PKG_VERSION"))?;
    let write = || -> std::io::Result<()> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let mut tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))?;
        std::io::Write::write_all(&mut tmp, page.as_bytes())?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().with_context(|| format!("writing the report to {}", path.display()))?;
    Ok(path.to_path_buf())
}
