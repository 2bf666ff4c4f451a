//! Connections kept between runs: what `saas-host connect` made (a
//! connector's credential slot, filled by a consent flow) and every later
//! run renews. Secrets go to the OS keyring when one answers, otherwise
//! into the index file itself; the index (`connections.toml`, mode 0600,
//! in the user's config folder) lists them either way.
//!
//! Writers hold the store's [`Lock`] (an exclusive lock on a file beside
//! the index), and the index is replaced atomically, so two runs that
//! rotate the same refresh token one after the other keep the newer one,
//! and a run killed mid-write leaves the old file whole.

mod file;
mod secrets;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use secrets::{Backend, Choice};

/// The index file's name inside the store's folder.
pub const INDEX: &str = "connections.toml";

/// The lock file's name inside the store's folder.
pub const LOCK: &str = "connections.lock";

/// The format version of the index file.
pub const FORMAT: u32 = 1;

/// Why the store could not do something; the text names no secret.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing a file failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The index file is not what this version writes.
    #[error("{path} is damaged or of another version: {why}", path = .1.display(), why = .0)]
    Format(String, PathBuf),
    /// Another run held the lock for longer than the wait.
    #[error(
        "another saas-host run kept the connection store locked for {secs} s ({path}): try \
         again once it ends",
        secs = .0,
        path = .1.display()
    )]
    Busy(u64, PathBuf),
    /// The keyring refused.
    #[error("the OS keyring: {0}")]
    Keyring(String),
}

/// A connection's secret fields by name (`refresh-token`).
pub type Fields = BTreeMap<String, String>;

/// One connection: what is known of it, and (file backend only, inside
/// the index) its secret fields, which `Debug` names but never shows.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Connection {
    /// The connector's name (`bitbucket`).
    pub connector: String,
    /// The credential slot the connection fills.
    pub slot: String,
    /// Who consented, when the upstream said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The scopes granted, when the upstream said.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// When it was made (RFC 3339).
    pub connected_at: String,
    /// When its secrets last changed (RFC 3339): the last rotation.
    pub renewed_at: String,
    /// Days its refresh token lives unused, when the connector declared it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_days: Option<u32>,
    /// Where its secret fields are.
    pub kept_in: Backend,
    /// The secret fields, when `kept_in` is the file.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("connector", &self.connector)
            .field("slot", &self.slot)
            .field("principal", &self.principal)
            .field("scopes", &self.scopes)
            .field("connected_at", &self.connected_at)
            .field("renewed_at", &self.renewed_at)
            .field("idle_days", &self.idle_days)
            .field("kept_in", &self.kept_in)
            .field("fields", &self.fields.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Connection {
    /// Whether this is the connection of `connector`'s `slot`.
    pub fn is(&self, connector: &str, slot: &str) -> bool {
        self.connector == connector && self.slot == slot
    }
}

/// The store: a folder with the index, the lock file, and a keyring or not.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    backend: Backend,
}

/// The store's exclusive lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: std::fs::File,
}

impl Store {
    /// The store in `dir`, keeping secrets as `choice` says.
    pub fn open(dir: &Path, choice: Choice) -> Store {
        Store {
            dir: dir.to_path_buf(),
            backend: secrets::choose(choice),
        }
    }

    /// The user's config folder for saas-host: `$XDG_CONFIG_HOME/saas-host`
    /// or `~/.config/saas-host`; none without either variable.
    pub fn default_dir() -> Option<PathBuf> {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .map(|d| d.join("saas-host"))
    }

    /// Where new secrets go.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The index file.
    pub fn index_path(&self) -> PathBuf {
        self.dir.join(INDEX)
    }

    /// Where `backend` keeps secrets, for people.
    pub fn describe(&self, backend: Backend) -> String {
        match backend {
            Backend::Keyring => "the OS keyring".into(),
            Backend::File => format!("{} (mode 0600)", self.index_path().display()),
        }
    }

    /// Takes the lock, waiting up to `wait` for another run to let go.
    pub fn lock(&self, wait: Duration) -> Result<Lock, StoreError> {
        let path = self.dir.join(LOCK);
        file::private_dir(&self.dir).map_err(|source| StoreError::Io {
            what: "creating",
            path: self.dir.clone(),
            source,
        })?;
        let f = file::open_private(&path).map_err(|source| StoreError::Io {
            what: "opening",
            path: path.clone(),
            source,
        })?;
        let start = Instant::now();
        loop {
            match f.try_lock() {
                Ok(()) => return Ok(Lock { _file: f }),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(StoreError::Busy(wait.as_secs(), path));
                }
                Err(std::fs::TryLockError::Error(source)) => {
                    return Err(StoreError::Io {
                        what: "locking",
                        path,
                        source,
                    });
                }
            }
        }
    }

    /// Every connection, with no secret read.
    pub fn list(&self) -> Result<Vec<Connection>, StoreError> {
        file::read_index(&self.index_path())
    }

    /// The connection of `connector`'s `slot` and its secret fields.
    pub fn get(
        &self,
        connector: &str,
        slot: &str,
    ) -> Result<Option<(Connection, Fields)>, StoreError> {
        let Some(c) = self.list()?.into_iter().find(|c| c.is(connector, slot)) else {
            return Ok(None);
        };
        let fields = match c.kept_in {
            Backend::File => c.fields.clone(),
            Backend::Keyring => secrets::keyring_get(connector, slot)?,
        };
        Ok(Some((
            Connection {
                fields: BTreeMap::new(),
                ..c
            },
            fields,
        )))
    }

    /// Puts (or replaces) a connection with its secret fields; where they
    /// went. The store sets `kept_in` and `fields`: a new connection takes
    /// the store's backend, a replaced one keeps its own.
    pub fn put(
        &self,
        _lock: &Lock,
        mut connection: Connection,
        fields: BTreeMap<String, String>,
    ) -> Result<Backend, StoreError> {
        let mut all = self.list()?;
        let old = all
            .iter()
            .position(|c| c.is(&connection.connector, &connection.slot))
            .map(|i| all.remove(i));
        connection.kept_in = old.as_ref().map_or(self.backend, |o| o.kept_in);
        match connection.kept_in {
            Backend::File => connection.fields = fields,
            Backend::Keyring => {
                connection.fields.clear();
                secrets::keyring_set(&connection.connector, &connection.slot, &fields)?;
            }
        }
        let kept_in = connection.kept_in;
        all.push(connection);
        file::write_index(&self.index_path(), &all)?;
        Ok(kept_in)
    }

    /// Sets some secret fields of a stored connection (a rotated refresh
    /// token; `drop` names fields the new ones make stale) and its
    /// `renewed-at`. Where they went; none when there is no such
    /// connection.
    pub fn renew(
        &self,
        lock: &Lock,
        (connector, slot): (&str, &str),
        changes: &[(String, String)],
        drop: &[&str],
        now: &str,
    ) -> Result<Option<Backend>, StoreError> {
        let Some((mut connection, mut fields)) = self.get(connector, slot)? else {
            return Ok(None);
        };
        for name in drop {
            fields.remove(*name);
        }
        fields.extend(changes.iter().cloned());
        connection.renewed_at = now.to_string();
        self.put(lock, connection, fields).map(Some)
    }

    /// Removes a connection and its secrets; the removed one, if any.
    pub fn remove(
        &self,
        _lock: &Lock,
        connector: &str,
        slot: &str,
    ) -> Result<Option<Connection>, StoreError> {
        let mut all = self.list()?;
        let Some(i) = all.iter().position(|c| c.is(connector, slot)) else {
            return Ok(None);
        };
        let gone = all.remove(i);
        if gone.kept_in == Backend::Keyring {
            secrets::keyring_delete(connector, slot)?;
        }
        file::write_index(&self.index_path(), &all)?;
        Ok(Some(Connection {
            fields: BTreeMap::new(),
            ..gone
        }))
    }
}

#[cfg(test)]
mod tests;
