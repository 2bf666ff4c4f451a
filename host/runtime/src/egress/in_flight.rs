//! The per-host cap on requests in flight: every attempt, whether a batch's
//! or a prefetch's, holds one of its host's slots while it is on the wire,
//! so batches, prefetches and calls running side by side never pass it.
//!
//! Slots go out in order: a request a call is waiting for before any
//! request fetched ahead, and within each, in the order their places were
//! given (a prefetch's when it was named, not when a thread picks it up). A
//! connector names what it fetches ahead in the order it will read it, so
//! the answers its next batch needs come back first; without the order a
//! freed slot went to whichever waiting thread woke first, and a batch
//! could wait a whole extra round behind requests named after it.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

/// Who waits for a request's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Priority {
    /// A call of the connector is waiting for it now.
    Waited,
    /// It is fetched ahead (`prefetch`): nobody waits for it yet.
    Ahead,
}

/// A request's place in the line for a slot: who waits for it, then when
/// the place was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Place {
    priority: Priority,
    ticket: u64,
}

/// Slots per upstream host.
#[derive(Debug)]
pub(super) struct InFlight {
    cap: usize,
    tickets: AtomicU64,
    hosts: Mutex<HashMap<String, Queue>>,
    freed: Condvar,
}

/// One host's slots and the places waiting for one.
#[derive(Debug, Default)]
struct Queue {
    busy: usize,
    waiting: BTreeSet<Place>,
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
            tickets: AtomicU64::new(0),
            hosts: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
        }
    }

    /// A place behind every place of the same priority given before.
    pub(super) fn place(&self, priority: Priority) -> Place {
        Place {
            priority,
            ticket: self.tickets.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Waits for a slot of `host`: its turn comes when no place waiting for
    /// one of the host's slots comes before `me`.
    pub(super) fn acquire(&self, host: &str, me: Place) -> Slot<'_> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(host.to_string())
            .or_default()
            .waiting
            .insert(me);
        loop {
            let queue = hosts.get_mut(host).expect("a waiting host keeps its queue");
            if queue.busy < self.cap && queue.waiting.first() == Some(&me) {
                queue.waiting.remove(&me);
                queue.busy += 1;
                if queue.busy < self.cap && !queue.waiting.is_empty() {
                    // The next in line may take the next free slot.
                    self.freed.notify_all();
                }
                return Slot {
                    owner: self,
                    host: host.to_string(),
                };
            }
            hosts = self.freed.wait(hosts).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut hosts = self.owner.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(queue) = hosts.get_mut(&self.host) {
            queue.busy = queue.busy.saturating_sub(1);
        }
        drop(hosts);
        self.owner.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    /// Holds the only slot, queues requests of both priorities behind it
    /// (their places given in one order, their threads started in the
    /// reverse one), and frees it: the waited-for requests go first, each
    /// kind in the order of its places.
    #[test]
    fn slots_go_to_waited_requests_first_then_in_arrival_order() {
        let cap = Arc::new(InFlight::new(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        let held = cap.acquire("h", cap.place(Priority::Waited));
        let mut threads = Vec::new();
        let queued = [
            (Priority::Ahead, "ahead 1"),
            (Priority::Ahead, "ahead 2"),
            (Priority::Waited, "waited 1"),
            (Priority::Ahead, "ahead 3"),
            (Priority::Waited, "waited 2"),
        ];
        let places: Vec<_> = queued.iter().map(|(p, _)| cap.place(*p)).collect();
        for (place, (_, name)) in places.into_iter().zip(queued).rev() {
            let (mine, order) = (cap.clone(), order.clone());
            threads.push(std::thread::spawn(move || {
                let _slot = mine.acquire("h", place);
                order.lock().unwrap().push(name);
            }));
            // Each thread is queued before the next one starts.
            while cap.hosts.lock().unwrap()["h"].waiting.len() < threads.len() {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        drop(held);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(
            *order.lock().unwrap(),
            ["waited 1", "waited 2", "ahead 1", "ahead 2", "ahead 3"]
        );
    }

    /// Two hosts never wait for each other.
    #[test]
    fn hosts_have_their_own_slots() {
        let cap = InFlight::new(1);
        let _a = cap.acquire("a", cap.place(Priority::Ahead));
        let _b = cap.acquire("b", cap.place(Priority::Ahead));
    }
}
