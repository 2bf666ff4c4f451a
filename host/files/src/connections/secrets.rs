//! Where secret fields go: the OS keyring (Keychain, Windows Credential
//! Manager, the Secret Service), when one answers, else the index file.
//! One keyring entry per connection holds its fields as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::StoreError;

/// Where a connection's secret fields are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// The OS keyring.
    Keyring,
    /// The index file (0600).
    File,
}

/// Which backend new connections use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    /// The keyring when one answers, else the file.
    #[default]
    Auto,
    /// Always the file.
    File,
    /// The keyring, when one answers (else the file, as `Auto`).
    Keyring,
}

/// The service name of keyring entries.
const SERVICE: &str = "saas-host";

/// The backend `choice` gives on this machine now.
pub fn choose(choice: Choice) -> Backend {
    match choice {
        Choice::File => Backend::File,
        Choice::Auto | Choice::Keyring if keyring::Entry::store_status().is_ok() => {
            Backend::Keyring
        }
        Choice::Auto | Choice::Keyring => Backend::File,
    }
}

fn entry(connector: &str, slot: &str) -> Result<keyring::Entry, StoreError> {
    keyring::Entry::new(SERVICE, &format!("{connector}/{slot}")).map_err(keyring_error)
}

/// The keyring's error, without anything it may quote.
fn keyring_error(e: keyring::Error) -> StoreError {
    StoreError::Keyring(match e {
        keyring::Error::NoEntry => "the entry is missing".into(),
        keyring::Error::NoStorageAccess(_) => "access was refused (is it locked?)".into(),
        keyring::Error::PlatformFailure(_) => "the platform's store failed".into(),
        keyring::Error::BadEncoding(_) => "the entry is not text".into(),
        _ => "it refused the request".into(),
    })
}

/// The fields of a connection kept in the keyring.
pub fn keyring_get(connector: &str, slot: &str) -> Result<BTreeMap<String, String>, StoreError> {
    let text = entry(connector, slot)?
        .get_password()
        .map_err(keyring_error)?;
    serde_json::from_str(&text)
        .map_err(|_| StoreError::Keyring(format!("the entry of {connector}/{slot} is damaged")))
}

/// Puts the fields of a connection into the keyring.
pub fn keyring_set(
    connector: &str,
    slot: &str,
    fields: &BTreeMap<String, String>,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(fields).expect("a map of strings serialises");
    entry(connector, slot)?
        .set_password(&text)
        .map_err(keyring_error)
}

/// Removes a connection's keyring entry (a missing one is fine).
pub fn keyring_delete(connector: &str, slot: &str) -> Result<(), StoreError> {
    match entry(connector, slot)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_error(e)),
    }
}
