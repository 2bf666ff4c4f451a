//! The error matrix: each failure of a listing page maps to one contract
//! error, after the host's retries where it retries.

use saas_runtime::egress::Fault;

use super::faults::ends_with;
use super::{Outcome, Subject};

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

/// The body is over the host's cap: `denied-by-host`.
pub fn too_large(s: &Subject<'_>) -> Outcome {
    let cap = crate::kit::limits().max_response_bytes;
    ends_with(s, u32::MAX, Fault::TooLarge(cap), "denied-by-host")
}
