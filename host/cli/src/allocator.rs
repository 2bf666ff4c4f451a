//! The C allocator's one setting that a sync's peak memory depends on.
//!
//! glibc serves an allocation of 128 KiB or more from a mapping of its
//! own, returned to the system when freed, but raises that threshold to
//! the size of each such block freed, up to 32 MiB. A sync frees response
//! bodies and guest buffers of hundreds of KiB all through the listing, so
//! after the first few they are carved from the heap and from each
//! thread's arena instead, around the roster's long-lived users, and the
//! holes they leave stay resident. At a million memberships that was
//! about 23 MiB of the peak (246–249 MiB without, 223–224 MiB with it, in
//! separate runs of the same build: BENCHMARKS.md), the statuses and the
//! output as fast as without it.

/// The threshold, fixed: blocks this large or larger get mappings of their
/// own for as long as the process runs.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 64 * 1024;

/// Fixes glibc's mapping threshold; elsewhere (musl, macOS, Windows) the
/// allocator is left as it is. Called first thing in `main`, before any
/// other thread starts.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets a parameter of the C library's allocator,
    // and no other thread is allocating yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
