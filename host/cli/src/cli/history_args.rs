//! Where the history is and what it keeps: the options that `sync`,
//! `demo`, `history`, `diff`, `report` and `undo` share, over the config
//! file's `history_db`, `retain_days` and `seat_price`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use saas_history::History;
use saas_host_files::config_file::HistorySettings;

/// The history options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct HistoryArgs {
    /// The history database (SQLite); by default
    /// $XDG_DATA_HOME/saas-host/history.sqlite (else ~/.local/share/...).
    #[arg(long, value_name = "PATH", env = "SAAS_HOST_DB")]
    pub db: Option<PathBuf>,
    /// Forget runs and operations older than this many days (the config
    /// file's `retain_days`); every run is kept when neither says.
    #[arg(long, value_name = "DAYS")]
    pub retain: Option<u32>,
    /// The monthly price of one seat, to show what idle seats cost (the
    /// config file's `seat_price`).
    #[arg(long, value_name = "PRICE")]
    pub seat_price: Option<f64>,
}

/// Seconds in a day.
const DAY: i64 = 86_400;

impl HistoryArgs {
    /// The database file: `--db`, else the file's `history_db`, else the
    /// data folder; none when there is no data folder.
    pub fn path(&self, file: &HistorySettings) -> Option<PathBuf> {
        self.db
            .clone()
            .or_else(|| file.db.clone())
            .or_else(History::default_path)
    }

    /// The seat price: `--seat-price`, else the file's.
    pub fn seat_price(&self, file: &HistorySettings) -> Option<f64> {
        self.seat_price
            .filter(|p| p.is_finite() && *p >= 0.0)
            .or(file.seat_price)
    }

    /// Opens the history, pruned to the retention period; none when there
    /// is nowhere to keep it.
    pub fn open(&self, file: &HistorySettings) -> Result<Option<History>> {
        let Some(path) = self.path(file) else {
            return Ok(None);
        };
        let mut history = History::open(&path)?;
        if let Some(days) = self.retain.or(file.retain_days) {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let gone = history
                .prune(now - i64::from(days) * DAY)
                .context("pruning the history")?;
            if gone > 0 {
                tracing::info!("forgot {gone} runs older than {days} days");
            }
        }
        Ok(Some(history))
    }

    /// Opens the history that must exist (for `history`, `diff`, `report`,
    /// `undo`).
    pub fn open_existing(&self, file: &HistorySettings) -> Result<History> {
        let path = self.path(file).context(
            "no history: neither --db, SAAS_HOST_DB, XDG_DATA_HOME nor HOME says where it is",
        )?;
        if !path.exists() {
            anyhow::bail!(
                "no history at {}: a sync stores one (or pass --db)",
                path.display()
            );
        }
        self.open(file)?.context("no history")
    }
}

/// The local account running this, for the history's `operator`.
pub fn operator() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}
