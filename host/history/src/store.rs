//! Opening the database file: where it lives, who may read it, and its
//! schema brought up to date.

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::HistoryError;

/// How long a write waits for another process's write to finish.
const BUSY_WAIT: Duration = Duration::from_secs(30);

/// An open history database.
pub struct History {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl History {
    /// Where the history goes by default: `$XDG_DATA_HOME/saas-host/
    /// history.sqlite`, else `~/.local/share/saas-host/history.sqlite`.
    /// None when neither variable is set.
    pub fn default_path() -> Option<PathBuf> {
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
        Some(data.join("saas-host").join("history.sqlite"))
    }

    /// Opens the database at `path`, creating it (mode 0600, its folder
    /// 0700) when it is missing, and migrates it to this version's schema.
    /// A file that is not a database, or one written by a newer saas-host,
    /// is refused and left untouched.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let open_err = |source| HistoryError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(open_err)?;
        }
        // Made here, not by SQLite, so that it is never readable by others,
        // not even for a moment; SQLite's journal takes the same mode.
        OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(open_err)?;
        let damaged = |source| HistoryError::Damaged {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(damaged)?;
        conn.busy_timeout(BUSY_WAIT).map_err(damaged)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(damaged)?;
        // Reading the schema is the first real read: a file that is not a
        // database fails here.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(damaged)?;
        if let Err(e) = crate::schema::migrations().to_latest(&mut conn) {
            return Err(HistoryError::Schema {
                path: path.to_path_buf(),
                detail: crate::schema::describe(&e, &conn),
            });
        }
        Ok(History {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Forgets the runs and operations stored before `cutoff` (Unix
    /// seconds), with everything they hold; returns how many runs went.
    pub fn prune(&mut self, cutoff: i64) -> Result<usize, HistoryError> {
        let tx = self.conn.transaction()?;
        let runs = tx.execute("DELETE FROM runs WHERE finished_at < ?1", [cutoff])?;
        tx.execute("DELETE FROM operations WHERE at < ?1", [cutoff])?;
        tx.commit()?;
        Ok(runs)
    }
}
