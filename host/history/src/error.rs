//! What can go wrong with the history, as one typed error.

use std::path::PathBuf;

/// A history failure.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The file or its folder cannot be created or opened.
    #[error("cannot open the history at {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a database of ours, or is damaged.
    #[error("the history at {path} cannot be read ({source}); move it away to start a new one")]
    Damaged {
        /// The database file.
        path: PathBuf,
        /// SQLite's words.
        source: rusqlite::Error,
    },
    /// The file was written by a newer saas-host, or its schema cannot be
    /// brought up to date.
    #[error("the history at {path} cannot be brought up to date: {detail}")]
    Schema {
        /// The database file.
        path: PathBuf,
        /// The migration's words.
        detail: String,
    },
    /// A query failed.
    #[error("the history: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A stored value is not what this version writes.
    #[error("the history holds a value this saas-host cannot read: {0}")]
    Value(String),
    /// No run has this number.
    #[error("no run {0} in the history (`saas-host history` lists them)")]
    NoSuchRun(i64),
    /// No operation has this number.
    #[error("no operation {0} in the history (`saas-host history --operations` lists them)")]
    NoSuchOperation(i64),
}
