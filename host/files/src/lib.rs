//! The files a `saas-host` user may edit, copy or damage, read here with
//! no runtime, so that they can be fuzzed without building wasmtime: the
//! sync checkpoint's format and (feature `config-file`) the settings file.

pub mod checkpoint;
#[cfg(feature = "config-file")]
pub mod config_file;

use sha2::{Digest, Sha256};

/// The lower-case hex SHA-256 of some bytes: what names a component, its
/// cache entry and its checkpoint.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
