//! Turns HTTP failures and error answers into typed connector errors.

use crate::{Error, wire};
use saas_connector_sdk::http::{HttpError, Response};
use saas_connector_sdk::{RateLimit, ScopeError, UpstreamError};

fn upstream(status: u16, message: String) -> Error {
    Error::Upstream(UpstreamError { status, message })
}

fn scope(required: Vec<String>, granted: Vec<String>, message: String) -> Error {
    Error::InsufficientScope(ScopeError {
        required,
        granted,
        message,
    })
}

/// Maps a failed exchange (no response) to a connector error.
pub fn transport_error(err: HttpError, what: &str) -> Error {
    match err {
        HttpError::Denied(reason) => Error::DeniedByHost(format!("{what}: {reason}")),
        HttpError::Timeout => Error::Transport(format!("{what}: timed out")),
        HttpError::Transport(m) => Error::Transport(format!("{what}: {m}")),
        HttpError::TooLarge(limit) => Error::DeniedByHost(format!(
            "{what}: response larger than the host's {limit} bytes"
        )),
        HttpError::InvalidRequest(m) => Error::InvalidConfig(format!("{what}: {m}")),
    }
}

/// Whether a 401 says the access token expired (as opposed to bad credentials).
pub fn is_expired_token(response: &Response) -> bool {
    response.status == 401
        && wire::error_message(response)
            .to_ascii_lowercase()
            .contains("expired")
}

/// Seconds to wait from `Retry-After` or `X-RateLimit-Reset`-style hints.
fn retry_hint(response: &Response) -> Option<u32> {
    let parse = |name: &str| {
        response
            .header(name)
            .and_then(|v| v.trim().parse::<u32>().ok())
    };
    parse("retry-after").or_else(|| parse("x-ratelimit-reset-after"))
}

/// Maps a non-2xx API answer to a connector error.
pub fn api_error(response: &Response, what: &str) -> Error {
    let message = format!("{what}: {}", wire::error_message(response));
    match response.status {
        401 if message.to_ascii_lowercase().contains("expired") => {
            Error::ExpiredCredentials(message)
        }
        401 => Error::InvalidCredentials(message),
        403 => match wire::scope_detail(response) {
            Some((required, granted)) => scope(required, granted, message),
            None if message.to_ascii_lowercase().contains("scope") => {
                scope(Vec::new(), Vec::new(), message)
            }
            None => Error::Forbidden(message),
        },
        404 | 410 => Error::NotFound(message),
        409 => Error::Conflict(message),
        429 => Error::RateLimited(RateLimit {
            retry_after: retry_hint(response),
            message,
        }),
        status => upstream(status, message),
    }
}

/// Maps a non-2xx token endpoint answer to a connector error.
pub fn token_error(response: &Response) -> Error {
    let message = format!("token endpoint: {}", wire::error_message(response));
    match wire::oauth_error_code(response).as_deref() {
        Some("invalid_grant" | "invalid_client" | "unauthorized_client" | "access_denied") => {
            Error::InvalidCredentials(message)
        }
        Some("invalid_scope") => scope(Vec::new(), Vec::new(), message),
        Some("invalid_request" | "unsupported_grant_type") => Error::InvalidConfig(message),
        _ if response.status == 401 => Error::InvalidCredentials(message),
        _ => api_error(response, "token endpoint"),
    }
}
