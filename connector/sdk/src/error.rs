//! The contract's error type, with constructors and the shared mapping of
//! HTTP outcomes to error cases (the table in the WIT's `connector-error`),
//! so that every connector maps alike.

pub use crate::__bindings::saas::connector::types::ConnectorError;
use crate::http::{HttpError, Response};
use crate::{RateLimit, ReadOnlyError, UpstreamError};

/// Shorthand for connector results.
pub type Result<T> = std::result::Result<T, ConnectorError>;

/// `unsupported`, naming the operation.
pub fn unsupported(operation: &str) -> ConnectorError {
    ConnectorError::Unsupported(format!("this connector does not support {operation}"))
}

/// `read-only` with a reason and a hint.
pub fn read_only(reason: impl Into<String>, hint: impl Into<String>) -> ConnectorError {
    ConnectorError::ReadOnly(ReadOnlyError {
        reason: reason.into(),
        hint: hint.into(),
    })
}

/// The error for a request that got no response.
pub fn from_http(error: HttpError) -> ConnectorError {
    match error {
        HttpError::Denied(m) => ConnectorError::DeniedByHost(m),
        HttpError::Timeout => ConnectorError::Transport("the request timed out".into()),
        HttpError::Transport(m) => ConnectorError::Transport(m),
        HttpError::TooLarge(n) => ConnectorError::DeniedByHost(format!(
            "the response exceeded the host's cap of {n} bytes"
        )),
        HttpError::InvalidRequest(m) => ConnectorError::InvalidConfig(m),
    }
}

/// The default error for a non-2xx response, by the contract's table:
/// 401 invalid credentials, 403 forbidden, 404 and 410 not found, 409
/// conflict, 429 (and 503 with `Retry-After`) rate limited, anything else
/// `upstream`. `message` is what the connector parsed from the body; a
/// connector refines the cases its upstream distinguishes (expired tokens,
/// scopes, read-only) before falling back on this.
pub fn from_status(response: &Response, message: String) -> ConnectorError {
    let retry_after = response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u32>().ok());
    match response.status {
        401 => ConnectorError::InvalidCredentials(message),
        403 => ConnectorError::Forbidden(message),
        404 | 410 => ConnectorError::NotFound(message),
        409 => ConnectorError::Conflict(message),
        429 => ConnectorError::RateLimited(RateLimit {
            retry_after,
            message,
        }),
        503 if retry_after.is_some() => ConnectorError::RateLimited(RateLimit {
            retry_after,
            message,
        }),
        status => ConnectorError::Upstream(UpstreamError { status, message }),
    }
}
