//! The error matrix: each failure of a listing page maps to one contract
//! error, after the host's retries where it retries.

use saas_runtime::egress::Fault;

use saas_runtime::latest::ConnectorError;

use super::faults::{ends_with, first_faulted, listed_under};
use super::{Miss, Outcome, Subject};
use crate::kit::{self, Listed};

fn status(code: u16) -> Fault {
    Fault::Status {
        status: code,
        retry_after: None,
        body: br#"{"error": "injected by the conformance kit"}"#.to_vec(),
    }
}

/// 400: `upstream`.
pub fn status_400(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, status(400), "upstream")
}

/// 401 on a page, and on every retry or renewal: `invalid-credentials`.
pub fn status_401(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, status(401), "invalid-credentials")
}

/// 403: `forbidden`.
pub fn status_403(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, status(403), "forbidden")
}

/// The scenario's answer to a credential without a scope, on a page:
/// `insufficient-scope`, naming the scopes the answer requires.
pub fn status_403_scope(s: &Subject<'_>) -> Outcome {
    let Some(answer) = &s.scenario.file.auth.lacks_scope else {
        return Err(Miss::Skip("the scenario has no [auth] lacks-scope".into()));
    };
    let fault = Fault::Status {
        status: answer.status,
        retry_after: None,
        body: answer.body.as_bytes().to_vec(),
    };
    let (b, listed) = listed_under(s, u32::MAX, fault)?;
    let evidence = first_faulted(&b);
    match listed {
        Listed::Failed(ConnectorError::InsufficientScope(e)) => {
            match answer.required.iter().find(|r| !e.required.contains(r)) {
                Some(missing) => Err(Miss::Fail(format!(
                    "after {evidence}: insufficient-scope without the required {missing:?} \
                     (it names {:?})",
                    e.required
                ))),
                None => Ok(format!(
                    "{evidence}: insufficient-scope, requiring {:?}",
                    e.required
                )),
            }
        }
        Listed::Failed(e) => Err(Miss::Fail(format!(
            "after {evidence}: expected insufficient-scope, got {}",
            e.describe()
        ))),
        other => Err(Miss::Fail(format!(
            "after {evidence}, the listing {} instead of insufficient-scope",
            kit::describe(&other)
        ))),
    }
}

/// 404: `not-found`.
pub fn status_404(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, status(404), "not-found")
}

/// 410: `not-found`.
pub fn status_410(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, status(410), "not-found")
}

/// 503 without `Retry-After`, past the host's retries: `upstream`.
pub fn status_5xx(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, status(503), "upstream")
}

/// Every attempt times out: `transport`.
pub fn timeout(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, Fault::Timeout, "transport")
}

/// Every attempt's connection is reset: `transport`.
pub fn reset(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, Fault::Reset, "transport")
}

/// The host refuses to send a page (its policy changed mid-listing):
/// `denied-by-host`.
pub fn denied(s: &Subject<'_>) -> Outcome {
    let fault = Fault::Denied("the conformance kit's host refused it".into());
    ends_with(s, u32::MAX, fault, "denied-by-host")
}

/// The body is over the host's cap: `denied-by-host`.
pub fn too_large(s: &Subject<'_>) -> Outcome {
    let cap = crate::kit::limits().max_response_bytes;
    ends_with(s, u32::MAX, Fault::TooLarge(cap), "denied-by-host")
}
