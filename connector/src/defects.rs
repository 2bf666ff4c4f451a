//! Deliberate defects, compiled in only with the `defect-*` cargo features,
//! so that the conformance kit can prove that each of its checks fails on a
//! connector with the defect aimed at it. No default build has any of them.

/// Follows `next` links to any host.
pub const FOLLOW_FOREIGN: bool = cfg!(feature = "defect-follow-foreign");
/// Follows a repeated `next` link forever.
pub const LOOP_ON_REPEAT: bool = cfg!(feature = "defect-loop-on-repeat");
/// Drops the last page of each numbered listing, silently.
pub const DROP_LAST_PAGE: bool = cfg!(feature = "defect-drop-last-page");
/// Starts over whatever the cursor says.
pub const IGNORE_CURSOR: bool = cfg!(feature = "defect-ignore-cursor");
/// Logs the access token.
pub const LOG_SECRET: bool = cfg!(feature = "defect-log-secret");
/// Panics (traps) on a body that is not JSON.
pub const TRAP_ON_MALFORMED: bool = cfg!(feature = "defect-trap-on-malformed");
/// Marks users without evidence inactive.
pub const UNKNOWN_INACTIVE: bool = cfg!(feature = "defect-unknown-inactive");
/// Spins forever in `list-users`.
pub const RUNAWAY: bool = cfg!(feature = "defect-runaway");
/// Allocates without end in `list-users`.
pub const MEMORY_HOG: bool = cfg!(feature = "defect-memory-hog");

/// Reports refused credentials as an upstream failure.
pub const WRONG_AUTH_ERROR: bool = cfg!(feature = "defect-wrong-auth-error");
/// Never refreshes an expired token.
pub const NO_REFRESH: bool = cfg!(feature = "defect-no-refresh");
/// Reports a 429 as an upstream failure.
pub const GIVE_UP_ON_429: bool = cfg!(feature = "defect-give-up-on-429");
/// Orders the status report differently on every call.
pub const NONDETERMINISTIC: bool = cfg!(feature = "defect-nondeterministic");
/// Counts seats per user instead of per membership.
pub const MISCOUNT_SEATS: bool = cfg!(feature = "defect-miscount-seats");
/// Marks users idle even when the listing is partial.
pub const PARTIAL_IDLE: bool = cfg!(feature = "defect-partial-idle");
/// Reports a host denial as a transport error.
pub const EGRESS_UNTYPED: bool = cfg!(feature = "defect-egress-untyped");
/// Sends `add-member` with the wrong method.
pub const GROUPS_BROKEN: bool = cfg!(feature = "defect-groups-broken");
/// Declares hosts as URLs.
pub const BAD_INFO: bool = cfg!(feature = "defect-bad-info");

/// Runs the CPU and memory defects, when compiled in.
pub fn misbehave() {
    if RUNAWAY {
        let mut n = 0u64;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
    if MEMORY_HOG {
        let mut hog: Vec<Vec<u8>> = Vec::new();
        loop {
            hog.push(vec![1; 1 << 20]);
            std::hint::black_box(&hog);
        }
    }
}
