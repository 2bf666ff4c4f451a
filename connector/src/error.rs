//! The connector's error type, one case per WIT `connector-error` case.

use std::fmt;

/// Every way a connector call fails. Messages never contain secrets: the
/// code that builds them only ever quotes the upstream's own descriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Credentials or session refused.
    InvalidCredentials(String),
    /// Scopes missing.
    InsufficientScope {
        /// Needed scopes, when known.
        required: Vec<String>,
        /// Granted scopes.
        granted: Vec<String>,
        /// Upstream message.
        message: String,
    },
    /// 429.
    RateLimited {
        /// Seconds to wait.
        retry_after: Option<u32>,
        /// Upstream message.
        message: String,
    },
    /// 404.
    NotFound(String),
    /// Any other error status.
    Upstream {
        /// HTTP status.
        status: u16,
        /// Upstream message.
        message: String,
    },
    /// 2xx with an unusable body.
    MalformedResponse(String),
    /// Paging broke its rules.
    Pagination(String),
    /// No answer.
    Transport(String),
    /// The host refused the request.
    DeniedByHost(String),
    /// Bad config.
    InvalidConfig(String),
    /// Bad cursor.
    InvalidCursor(String),
    /// Not supported.
    Unsupported(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidCredentials(m) => write!(f, "invalid credentials: {m}"),
            Error::InsufficientScope { message, .. } => write!(f, "insufficient scope: {message}"),
            Error::RateLimited {
                retry_after,
                message,
            } => match retry_after {
                Some(s) => write!(f, "rate limited (retry after {s} s): {message}"),
                None => write!(f, "rate limited: {message}"),
            },
            Error::NotFound(m) => write!(f, "not found: {m}"),
            Error::Upstream { status, message } => write!(f, "upstream error {status}: {message}"),
            Error::MalformedResponse(m) => write!(f, "malformed response: {m}"),
            Error::Pagination(m) => write!(f, "pagination error: {m}"),
            Error::Transport(m) => write!(f, "transport error: {m}"),
            Error::DeniedByHost(m) => write!(f, "denied by host: {m}"),
            Error::InvalidConfig(m) => write!(f, "invalid config: {m}"),
            Error::InvalidCursor(m) => write!(f, "invalid cursor: {m}"),
            Error::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for connector results.
pub type Result<T> = std::result::Result<T, Error>;
