//! The Bitbucket Cloud connector.
//!
//! Everything Bitbucket-specific is plain Rust over the [`http::HttpClient`]
//! trait, so it runs natively in tests and benchmarks and, compiled to
//! `wasm32-wasip2`, behind the host's `http` import. The component glue is
//! the private `component` module.

pub mod auth;
pub mod cursor;
pub mod defects;
pub mod endpoints;
pub mod error;
pub mod groups;
pub mod http;
pub mod listing;
pub mod model;
pub mod status;
pub mod upstream;
pub mod wire;

#[cfg(target_arch = "wasm32")]
mod component;

/// The contract version this connector implements.
pub const CONTRACT_VERSION: &str = "0.1.0";

/// The connector's name.
pub const NAME: &str = "bitbucket";

/// Hosts the connector reaches by default.
pub const HOSTS: [&str; 2] = ["api.bitbucket.org", "bitbucket.org"];
