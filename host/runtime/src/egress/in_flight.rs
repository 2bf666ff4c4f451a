//! The per-host cap on requests in flight: every attempt, whether a batch's
//! or a prefetch's, holds one of its host's slots while it is on the wire,
//! so batches, prefetches and calls running side by side never pass it.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};

/// Slots per upstream host.
#[derive(Debug)]
pub(super) struct InFlight {
    cap: usize,
    busy: Mutex<HashMap<String, usize>>,
    freed: Condvar,
}

/// A held slot; dropping it frees the slot.
pub(super) struct Slot<'a> {
    owner: &'a InFlight,
    host: String,
}

impl InFlight {
    /// At most `cap` (at least 1) requests in flight to each host.
    pub(super) fn new(cap: usize) -> Self {
        InFlight {
            cap: cap.max(1),
            busy: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
        }
    }

    /// Waits for a slot of `host`.
    pub(super) fn acquire(&self, host: &str) -> Slot<'_> {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let n = busy.entry(host.to_string()).or_insert(0);
            if *n < self.cap {
                *n += 1;
                return Slot {
                    owner: self,
                    host: host.to_string(),
                };
            }
            busy = self.freed.wait(busy).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut busy = self.owner.busy.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = busy.get_mut(&self.host) {
            *n = n.saturating_sub(1);
        }
        drop(busy);
        self.owner.freed.notify_all();
    }
}
