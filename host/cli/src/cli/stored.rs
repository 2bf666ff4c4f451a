//! Credentials kept between runs, for the commands that run a connector:
//! a slot the config file and the variables leave empty (or give only the
//! OAuth client of) is filled from the connection `saas-host connect`
//! stored, and what the upstream renews during the run goes back there.
//!
//! The store's lock is taken when the stored fields are read and held
//! until the renewed refresh token is written (or the run ends): a second
//! run that starts meanwhile waits, then reads the newer token, so two
//! runs at once never spend the same rotating token or lose the last one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Result, anyhow};
use saas_host_files::connections::{Choice, Lock, Store};
use saas_runtime::credentials::CredentialStore;
use saas_runtime::latest::RenewedField;

use super::credential_file::ConfigFileStore;

/// Longest wait for another run that holds the store.
pub const LOCK_WAIT: Duration = Duration::from_secs(120);

/// Fields a renewed refresh token makes stale.
const SPENT_BY_REFRESH: [&str; 2] = ["code", "auth-code"];

/// Fields that may come from the config file or the variables beside a
/// stored connection: they name the client, they do not replace it.
pub const CLIENT_FIELDS: [&str; 3] = ["client-id", "client-secret", "kind"];

/// The variable that picks where new connections keep their secrets:
/// `auto` (the OS keyring when one answers, else the file), `file`, or
/// `keyring`.
pub const STORE_VARIABLE: &str = "SAAS_HOST_CREDENTIAL_STORE";

/// The connection store of this user, as [`STORE_VARIABLE`] says; none
/// when there is no config folder (no `XDG_CONFIG_HOME` or `HOME`).
pub fn connection_store() -> Result<Option<Store>> {
    let choice = match std::env::var(STORE_VARIABLE).as_deref() {
        Err(_) | Ok("" | "auto") => Choice::Auto,
        Ok("file") => Choice::File,
        Ok("keyring") => Choice::Keyring,
        Ok(other) => {
            return Err(anyhow!(
                "{STORE_VARIABLE} is {other:?}: auto, file or keyring"
            ));
        }
    };
    Ok(Store::default_dir().map(|d| Store::open(&d, choice)))
}

/// The store, or why there is none to keep a connection in.
pub fn required(store: Option<Store>) -> Result<Store> {
    store.ok_or_else(|| {
        anyhow!("no config folder for the connection store: set XDG_CONFIG_HOME or HOME")
    })
}

/// Now, in RFC 3339, for the store's dates.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Where one run's renewed credentials go: the stored connection for the
/// slots that came from it, the config file for the others.
pub struct RunStore {
    file: ConfigFileStore,
    connections: Option<Store>,
    connector: String,
    /// Slots filled from the store.
    slots: Mutex<BTreeSet<String>>,
    /// The store's lock, from the first read until the renewal is written
    /// (one per run: a second lock of the same file would wait on this one).
    lock: Mutex<Option<Lock>>,
}

impl RunStore {
    /// The run's store for `connector`.
    pub fn new(file: ConfigFileStore, connections: Option<Store>, connector: &str) -> Self {
        RunStore {
            file,
            connections,
            connector: connector.to_string(),
            slots: Mutex::new(BTreeSet::new()),
            lock: Mutex::new(None),
        }
    }

    /// This user's connection store, when there is one (not for the demo).
    pub fn connections(&self) -> Option<&Store> {
        self.connections.as_ref()
    }

    /// The stored fields of `slot`, if `saas-host connect` stored some;
    /// the store stays locked until they are renewed or the run ends.
    pub fn take(&self, slot: &str) -> Result<Option<(BTreeMap<String, String>, String)>> {
        let Some(store) = &self.connections else {
            return Ok(None);
        };
        if !store.index_path().exists() {
            return Ok(None);
        }
        let mut lock = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        if lock.is_none() {
            *lock = Some(store.lock(LOCK_WAIT)?);
        }
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let Some((connection, fields)) = store.get(&self.connector, slot)? else {
            if slots.is_empty() {
                *lock = None;
            }
            return Ok(None);
        };
        slots.insert(slot.to_string());
        Ok(Some((fields, store.describe(connection.kept_in))))
    }

    /// What to add to "authentication failed": how to mend a stored
    /// connection the upstream refused (nothing when none was used).
    pub fn refused_hint(&self) -> &'static str {
        if self
            .slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
        {
            ""
        } else {
            " (the stored connection no longer works: run `saas-host connect` again)"
        }
    }

    /// Writes the renewed fields of stored slots back to the store, each
    /// slot under the lock, which is then let go.
    fn store_connected(&self, renewed: &[&RenewedField]) -> Result<String, String> {
        let store = self.connections.as_ref().ok_or("no connection store")?;
        let mut held = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let lock = match held.take() {
            Some(lock) => lock,
            None => store.lock(LOCK_WAIT).map_err(|e| e.to_string())?,
        };
        let mut place = String::new();
        let slots: BTreeSet<&str> = renewed.iter().map(|r| r.slot.as_str()).collect();
        for slot in slots {
            let changes: Vec<(String, String)> = renewed
                .iter()
                .filter(|r| r.slot == slot)
                .map(|r| (r.field.clone(), r.value.clone()))
                .collect();
            let drop: &[&str] = if changes.iter().any(|(f, _)| f == "refresh-token") {
                &SPENT_BY_REFRESH
            } else {
                &[]
            };
            let kept_in = store
                .renew(
                    &lock,
                    (&self.connector, slot),
                    &changes,
                    drop,
                    &now_rfc3339(),
                )
                .map_err(|e| e.to_string())?
                .ok_or_else(|| {
                    format!(
                        "the connection of {}/{slot} was removed while this run used it",
                        self.connector
                    )
                })?;
            place = store.describe(kept_in);
        }
        Ok(place)
    }
}

impl CredentialStore for RunStore {
    fn store(&self, renewed: &[RenewedField]) -> Result<String, String> {
        let stored: Vec<&RenewedField> = {
            let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            renewed.iter().filter(|r| slots.contains(&r.slot)).collect()
        };
        let others: Vec<RenewedField> = renewed
            .iter()
            .filter(|r| !stored.iter().any(|s| std::ptr::eq(*s, *r)))
            .cloned()
            .collect();
        let mut places = Vec::new();
        if !stored.is_empty() {
            places.push(self.store_connected(&stored)?);
        }
        if !others.is_empty() {
            places.push(self.file.store(&others)?);
        }
        Ok(places.join(" and "))
    }
}
