//! Turns Bitbucket Data Center's answers into the contract's errors. Its
//! 401 means both "not authenticated" and "not permitted"; its 403 means a
//! full licence or a target that outranks the caller.

use crate::{Error, Result, wire};
use saas_connector_sdk::error::{from_http, from_status};
use saas_connector_sdk::http::{HttpClient, HttpError, Request, Response};

/// What an ADMIN-only call answers a session without ADMIN.
pub const NEEDS_ADMIN: &str = "this needs the global permission ADMIN (or SYS_ADMIN). HTTP access \
     tokens cannot carry ADMIN (Bitbucket refuses \"Tokens may not have the following permission: \
     ADMIN\"): give the bitbucket-dc slot the username and password of an administrator, as basic";

/// The error for a non-2xx answer to `what`.
pub fn api_error(response: &Response, what: &str) -> Error {
    let message = format!("{what}: {}", wire::error_message(response));
    match response.status {
        401 if wire::is_authorisation_refusal(response) => {
            Error::Forbidden(format!("{message}; {NEEDS_ADMIN}"))
        }
        401 if message.to_ascii_lowercase().contains("captcha") => {
            Error::InvalidCredentials(format!(
                "{message}; the account is behind a CAPTCHA after failed logins: an administrator \
                 clears it (Administration > Users, or DELETE /rest/api/1.0/admin/users/captcha)"
            ))
        }
        401 if message.to_ascii_lowercase().contains("expired") => {
            Error::ExpiredCredentials(message)
        }
        403 => Error::Forbidden(format!(
            "{message} (Bitbucket answers 403 when the licence is full or the target outranks \
             the caller)"
        )),
        _ => from_status(response, message),
    }
}

/// Sends `request` and returns the answer when it is 2xx, the typed error
/// for `what` otherwise.
pub fn send(http: &dyn HttpClient, request: Request, what: &str) -> Result<Response> {
    let response = http.send(request).map_err(|e| transport(e, what))?;
    if response.is_success() {
        Ok(response)
    } else {
        Err(api_error(&response, what))
    }
}

/// A request that got no answer, naming `what`.
pub fn transport(error: HttpError, what: &str) -> Error {
    match from_http(error) {
        Error::DeniedByHost(m) => Error::DeniedByHost(format!("{what}: {m}")),
        Error::Transport(m) => Error::Transport(format!("{what}: {m}")),
        other => other,
    }
}
