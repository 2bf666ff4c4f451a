//! The files a `saas-host` user may edit, copy or damage, read here with
//! no runtime, so that they can be fuzzed without building wasmtime: the
//! sync checkpoint's format, (feature `config-file`) the settings file and
//! (feature `connections`) the connections kept between runs.

pub mod checkpoint;
#[cfg(feature = "config-file")]
pub mod config_file;
#[cfg(feature = "connections")]
pub mod connections;

use sha2::{Digest, Sha256};

/// The SHA-256 of some bytes (a PKCE challenge is its base64url).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The lower-case hex SHA-256 of some bytes: what names a component, its
/// cache entry and its checkpoint.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha256(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
