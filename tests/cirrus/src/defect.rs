//! The defects this test connector can build in, one at a time, chosen by
//! its `defect` setting. Each breaks exactly one rule of the contract, so
//! that exactly one conformance check fails for it, or misbehaves in a way
//! the host's sandbox must contain. None is the default.

use saas_connector_sdk::http::{HttpError, Response};
use saas_connector_sdk::{ConnectorError, RateLimit, UpstreamError};

/// One deliberate defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// No defect.
    None,
    /// Sends a request to a host outside its settings during a listing.
    PhoneHome,
    /// Without credentials, asks for a token anyway.
    NoCredentialCheck,
    /// Logs the access token.
    LogToken,
    /// Keeps the access token in the cursor.
    TokenInCursor,
    /// Cursors are plain JSON, unsealed.
    PlainCursor,
    /// Keeps using the expired token on the request after a renewal.
    StaleToken,
    /// Detects a next link to the page just fetched, not older ones.
    OnlyImmediateRepeats,
    /// Follows next links to another port.
    TrustPort,
    /// Follows next links to another scheme.
    TrustScheme,
    /// Ends the listing when a next link is missing, whatever the total.
    IgnoreTotal,
    /// Drops the `Retry-After` hint of a 429.
    DropRetryAfter,
    /// Takes an empty body for an empty last page.
    EmptyBodyIsEnd,
    /// Reports a 403 as an upstream failure.
    ForbiddenAsUpstream,
    /// Ends the listing quietly when the last page (by the total) fails.
    DropFailedLastPage,
    /// Reports a 5xx at the token endpoint as refused credentials.
    Token5xxAsRefused,
    /// Asks for the next page by a URL of its own making.
    BuildNextUrl,
    /// Spins forever in `list-users` (the sandbox's CPU budget).
    Runaway,
    /// Allocates without end in `list-users` (the sandbox's memory limit).
    MemoryHog,
    /// Panics (traps) on a body that is not JSON.
    TrapOnMalformed,
    /// Follows next links anywhere (the host's allowlist must deny them).
    FollowAnywhere,
    /// Takes a good token answer for a refusal.
    RefuseValid,
    /// Reports a refused client (401 at the token endpoint) as an upstream failure.
    Token401AsUpstream,
    /// Puts the access token in its error messages.
    TokenInErrors,
    /// Reports a 400 as not found.
    BadRequestAsNotFound,
    /// Reports a 401 on a page as forbidden.
    UnauthorizedAsForbidden,
    /// Reports a 404 as an upstream failure.
    NotFoundAsUpstream,
    /// Reports a 410 as an upstream failure.
    GoneAsUpstream,
    /// Reports a 5xx as a transport failure.
    ServerErrorAsTransport,
    /// Reports a timeout as an upstream failure.
    TimeoutAsUpstream,
    /// Reports a reset connection as an upstream failure.
    ResetAsUpstream,
    /// Reports a body over the host's cap as a transport failure.
    TooLargeAsTransport,
    /// Reports a 429 without `Retry-After` as an upstream failure.
    NoHintAsUpstream,
    /// Takes a truncated JSON body for an empty last page.
    TruncatedIsEnd,
    /// Takes an HTML body for an empty last page.
    HtmlIsEnd,
    /// Takes a body that is not UTF-8 for an empty last page.
    NonUtf8IsEnd,
    /// Takes items given as an object for a list.
    ObjectItems,
    /// Misses a next link that names the page just fetched.
    CycleOnly,
    /// Follows next links to another host.
    TrustHost,
    /// Follows next links with a user and password.
    TrustUserinfo,
    /// Leaves members' email addresses out.
    DropEmail,
    /// Answers `add-member` though it declares no membership changes.
    MembershipAnswerEmpty,
    /// Answers `create-group` with a group it never asked Cirrus for.
    GroupsNoEffect,
    /// Sends a create again when its answer was a 5xx.
    RetryCreate,
    /// Reports a write refused for a directory-managed group as forbidden.
    ReadOnlyAsForbidden,
    /// Reports no requests in a step's counters.
    UncountedRequests,
    /// Takes any text for its base URL.
    UncheckedUrl,
    /// Reports a token without a scope as plainly forbidden.
    ScopeAsForbidden,
    /// Takes a member seen before for the listing wrapping around, and
    /// ends it.
    RepeatIsEnd,
    /// Declares personal tokens but refuses them.
    BearerRefused,
    /// Reports an expired personal token as refused.
    ExpiredAsInvalid,
    /// Binds its cursors to the session's token, so that a listing cannot
    /// resume with a new session.
    SessionBoundCursor,
    /// Reports a request the host refused as a transport failure.
    DeniedAsTransport,
    /// Takes a page without members for a malformed answer.
    EmptyPageMalformed,
}

impl Defect {
    /// The defect a setting value names; none for anything else.
    pub fn named(name: &str) -> Self {
        use Defect::*;
        match name {
            "phone-home" => PhoneHome,
            "no-credential-check" => NoCredentialCheck,
            "log-token" => LogToken,
            "token-in-cursor" => TokenInCursor,
            "plain-cursor" => PlainCursor,
            "stale-token" => StaleToken,
            "only-immediate-repeats" => OnlyImmediateRepeats,
            "trust-port" => TrustPort,
            "trust-scheme" => TrustScheme,
            "ignore-total" => IgnoreTotal,
            "drop-retry-after" => DropRetryAfter,
            "empty-body-is-end" => EmptyBodyIsEnd,
            "forbidden-as-upstream" => ForbiddenAsUpstream,
            "drop-failed-last-page" => DropFailedLastPage,
            "token-5xx-as-refused" => Token5xxAsRefused,
            "build-next-url" => BuildNextUrl,
            "runaway" => Runaway,
            "memory-hog" => MemoryHog,
            "trap-on-malformed" => TrapOnMalformed,
            "follow-anywhere" => FollowAnywhere,
            "refuse-valid" => RefuseValid,
            "token-401-as-upstream" => Token401AsUpstream,
            "token-in-errors" => TokenInErrors,
            "400-as-not-found" => BadRequestAsNotFound,
            "401-as-forbidden" => UnauthorizedAsForbidden,
            "404-as-upstream" => NotFoundAsUpstream,
            "410-as-upstream" => GoneAsUpstream,
            "5xx-as-transport" => ServerErrorAsTransport,
            "timeout-as-upstream" => TimeoutAsUpstream,
            "reset-as-upstream" => ResetAsUpstream,
            "too-large-as-transport" => TooLargeAsTransport,
            "no-hint-as-upstream" => NoHintAsUpstream,
            "truncated-is-end" => TruncatedIsEnd,
            "html-is-end" => HtmlIsEnd,
            "non-utf8-is-end" => NonUtf8IsEnd,
            "object-items" => ObjectItems,
            "cycle-only" => CycleOnly,
            "trust-host" => TrustHost,
            "trust-userinfo" => TrustUserinfo,
            "drop-email" => DropEmail,
            "membership-answer-empty" => MembershipAnswerEmpty,
            "groups-no-effect" => GroupsNoEffect,
            "retry-create" => RetryCreate,
            "read-only-as-forbidden" => ReadOnlyAsForbidden,
            "uncounted-requests" => UncountedRequests,
            "unchecked-url" => UncheckedUrl,
            "scope-as-forbidden" => ScopeAsForbidden,
            "repeat-is-end" => RepeatIsEnd,
            "bearer-refused" => BearerRefused,
            "expired-as-invalid" => ExpiredAsInvalid,
            "session-bound-cursor" => SessionBoundCursor,
            "denied-as-transport" => DeniedAsTransport,
            "empty-page-malformed" => EmptyPageMalformed,
            _ => None,
        }
    }
}

fn upstream(status: u16, message: &str) -> ConnectorError {
    ConnectorError::Upstream(UpstreamError {
        status,
        message: message.into(),
    })
}

/// The wrong error a defect gives for a non-2xx page, if it changes it.
pub fn page_error(defect: Defect, response: &Response, url: &str) -> Option<ConnectorError> {
    let hinted = response.header("retry-after").is_some();
    Some(match (defect, response.status) {
        (Defect::ForbiddenAsUpstream, 403) => upstream(403, url),
        (Defect::DropRetryAfter, 429) => ConnectorError::RateLimited(RateLimit {
            retry_after: None,
            message: url.into(),
        }),
        (Defect::NoHintAsUpstream, 429) if !hinted => upstream(429, url),
        (Defect::BadRequestAsNotFound, 400) => ConnectorError::NotFound(url.into()),
        (Defect::UnauthorizedAsForbidden, 401) => ConnectorError::Forbidden(url.into()),
        (Defect::NotFoundAsUpstream, 404) => upstream(404, url),
        (Defect::GoneAsUpstream, 410) => upstream(410, url),
        (Defect::ServerErrorAsTransport, 500..) => ConnectorError::Transport(url.into()),
        _ => return None,
    })
}

/// The wrong error a defect gives for a failed exchange, if it changes it.
pub fn exchange_error(defect: Defect, error: &HttpError) -> Option<ConnectorError> {
    Some(match (defect, error) {
        (Defect::TimeoutAsUpstream, HttpError::Timeout) => upstream(504, "timed out"),
        (Defect::ResetAsUpstream, HttpError::Transport(m)) => upstream(502, m),
        (Defect::TooLargeAsTransport, HttpError::TooLarge(_)) => {
            ConnectorError::Transport("too large".into())
        }
        (Defect::DeniedAsTransport, HttpError::Denied(m)) => ConnectorError::Transport(m.clone()),
        _ => return None,
    })
}

/// Whether a defect takes this unreadable body for an empty last page.
pub fn unreadable_is_end(defect: Defect, body: &[u8]) -> bool {
    let readable = std::str::from_utf8(body).is_ok();
    match defect {
        Defect::EmptyBodyIsEnd => body.is_empty(),
        Defect::HtmlIsEnd => body.starts_with(b"<"),
        Defect::NonUtf8IsEnd => !readable,
        Defect::TruncatedIsEnd => {
            readable
                && !body.is_empty()
                && serde_json::from_slice::<serde_json::Value>(body).is_err_and(|e| e.is_eof())
        }
        _ => false,
    }
}

/// Runs the CPU and memory defects.
pub fn misbehave(defect: Defect) {
    if defect == Defect::Runaway {
        let mut n = 0u64;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
    if defect == Defect::MemoryHog {
        let mut hog: Vec<Vec<u8>> = Vec::new();
        loop {
            hog.push(vec![1; 1 << 20]);
            std::hint::black_box(&hog);
        }
    }
}
