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
