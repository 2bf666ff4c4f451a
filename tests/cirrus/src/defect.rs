//! The defects this test connector can build in, one at a time, chosen by
//! its `defect` setting. Each breaks exactly one rule of the contract, so
//! that exactly one conformance check fails for it, or misbehaves in a way
//! the host's sandbox must contain. None is the default.

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
            _ => None,
        }
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
