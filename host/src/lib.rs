//! The reference host for `saas:connector` components.
//!
//! - [`runtime`]: load a connector `.wasm` (compile cache, contract check,
//!   `InstancePre`) and call it in a fresh sandboxed store per call.
//! - [`egress`]: the HTTP client behind the `http` import: allowlist, no
//!   redirects, caps, timeouts, retries, concurrency, rate limit.
//! - [`sync`]: the listing loop with merging, retries and checkpoints.
//! - [`redact`]: secret masking for everything printed.
//! - [`conform`]: the conformance kit.

pub mod bindings;
pub mod cache;
pub mod checkpoint;
pub mod conform;
pub mod contract;
pub mod egress;
pub mod error;
pub mod imports;
pub mod merge;
pub mod redact;
pub mod runtime;
pub mod settings;
pub mod sync;

pub use error::HostError;
pub use runtime::{Connector, Outcome, Runtime, RuntimeOptions};

/// The Bitbucket connector built with this host, for `demo` and tests.
pub const BUNDLED_CONNECTOR: &[u8] = include_bytes!(env!("BUNDLED_CONNECTOR_WASM"));

/// Path of the bundled connector's `.wasm` as built.
pub const BUNDLED_CONNECTOR_PATH: &str = env!("BUNDLED_CONNECTOR_WASM");
