//! Answers fetched ahead of time: requests a connector said it will send
//! (`http.prefetch`) go out in the background, and the later identical
//! request takes the answer instead of going out again, waiting for it when
//! it is still in flight. Bounded in entries and bytes; an answer nobody
//! asks for within [`PrefetchLimits::keep`] is dropped, and a request whose
//! background worker stops before answering it is released, so that no
//! call waits for an answer that will never come.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::in_flight::{Place, Priority};
use super::{Egress, EgressError, Request};

/// How much may be fetched ahead.
#[derive(Debug, Clone)]
pub struct PrefetchLimits {
    /// Most requests in flight or answered and not yet taken; further hints
    /// are ignored.
    pub entries: usize,
    /// Most bytes of answered bodies held; an answer past it is dropped (the
    /// request then goes out again when it is sent).
    pub bytes: u64,
    /// How long an answer waits to be taken.
    pub keep: Duration,
}

impl Default for PrefetchLimits {
    fn default() -> Self {
        PrefetchLimits {
            entries: 256,
            bytes: 64 * 1024 * 1024,
            keep: Duration::from_secs(60),
        }
    }
}

/// What makes two requests the same: method, URL, headers in order, body.
/// (The timeout is not part of it.) No `Debug`: the headers hold the
/// request's credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    method: http::Method,
    uri: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Key {
    pub(super) fn of(request: &http::Request<Vec<u8>>) -> Self {
        Key {
            method: request.method().clone(),
            uri: request.uri().to_string(),
            headers: request
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
                .collect(),
            body: request.body().clone(),
        }
    }
}

pub(super) type Answer = Result<http::Response<Vec<u8>>, EgressError>;

enum Entry {
    InFlight,
    Answered { answer: Answer, at: Instant },
}

fn size(answer: &Answer) -> u64 {
    answer.as_ref().map_or(0, |r| r.body().len() as u64)
}

/// The table of prefetched requests, shared by every call of a run.
#[derive(Default)]
pub(super) struct Prefetched {
    limits: PrefetchLimits,
    entries: Mutex<Table>,
    answered: Condvar,
}

#[derive(Default)]
struct Table {
    map: HashMap<Key, Entry>,
    bytes: u64,
}

impl Table {
    /// Drops answers kept too long.
    fn sweep(&mut self, keep: Duration) {
        let mut freed = 0;
        self.map.retain(|_, e| match e {
            Entry::Answered { at, answer } if at.elapsed() > keep => {
                freed += size(answer);
                false
            }
            _ => true,
        });
        self.bytes -= freed;
    }
}

impl Prefetched {
    pub(super) fn new(limits: PrefetchLimits) -> Self {
        Prefetched {
            limits,
            ..Prefetched::default()
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims the requests not yet in the table, within its bounds: the
    /// caller sends exactly those and files each answer with [`Self::file`].
    pub(super) fn claim(&self, keys: Vec<Key>) -> Vec<Key> {
        let mut table = self.table();
        table.sweep(self.limits.keep);
        let mut claimed = Vec::new();
        for key in keys {
            if table.map.len() >= self.limits.entries {
                break;
            }
            if !table.map.contains_key(&key) {
                table.map.insert(key.clone(), Entry::InFlight);
                claimed.push(key);
            }
        }
        claimed
    }

    /// Files the answer to a claimed request (or forgets it when the bytes
    /// would pass the bound), and wakes whoever waits for it.
    pub(super) fn file(&self, key: &Key, answer: Answer) {
        let mut table = self.table();
        let bytes = size(&answer);
        if table.bytes + bytes > self.limits.bytes {
            table.map.remove(key);
        } else if let Some(entry) = table.map.get_mut(key) {
            *entry = Entry::Answered {
                answer,
                at: Instant::now(),
            };
            table.bytes += bytes;
        }
        drop(table);
        self.answered.notify_all();
    }

    /// Forgets the claimed requests among `keys` that are still in flight,
    /// waking whoever waits for them: they take no answer and send their
    /// requests themselves. Filed answers stay.
    fn release(&self, keys: &[Key]) {
        let mut table = self.table();
        let before = table.map.len();
        for key in keys {
            if matches!(table.map.get(key), Some(Entry::InFlight)) {
                table.map.remove(key);
            }
        }
        let released = table.map.len() < before;
        drop(table);
        if released {
            self.answered.notify_all();
        }
    }

    /// Takes the answer to this request when it was prefetched, waiting
    /// while it is in flight; `None` when it was not (or was dropped).
    pub(super) fn take(&self, key: &Key) -> Option<Answer> {
        let mut table = self.table();
        loop {
            match table.map.get(key)? {
                Entry::InFlight => {
                    table = self.answered.wait(table).unwrap_or_else(|p| p.into_inner());
                }
                Entry::Answered { .. } => {
                    let Some(Entry::Answered { answer, .. }) = table.map.remove(key) else {
                        unreachable!("the entry was just seen answered")
                    };
                    table.bytes -= size(&answer);
                    return Some(answer);
                }
            }
        }
    }
}

/// The key under which a request may be prefetched: GET and HEAD only.
pub(super) fn prefetchable(request: &http::Request<Vec<u8>>) -> Option<Key> {
    matches!(*request.method(), http::Method::GET | http::Method::HEAD).then(|| Key::of(request))
}

impl Egress {
    /// Starts GET and HEAD requests in the background that are expected to
    /// be sent soon (a connector's `prefetch`), within the prefetch limits;
    /// [`Self::send`] and [`Self::send_all`] then answer them from what came
    /// back. Requests the policy refuses are left for the later send to
    /// refuse; nothing is answered here.
    pub fn prefetch(self: &Arc<Self>, requests: Vec<http::Request<Vec<u8>>>) {
        let wanted: Vec<(Key, http::Request<Vec<u8>>)> = requests
            .into_iter()
            .filter(|r| self.check(r).is_ok())
            .filter_map(|r| prefetchable(&r).map(|k| (k, r)))
            .collect();
        let claimed = self
            .prefetched
            .claim(wanted.iter().map(|(k, _)| k.clone()).collect());
        if claimed.is_empty() {
            return;
        }
        // Places in line in the order the requests were named, whenever a
        // thread picks each one up.
        let jobs: Vec<(Key, Request, Place)> = wanted
            .into_iter()
            .filter(|(k, _)| claimed.contains(k))
            .map(|(k, r)| (k, r, self.in_flight.place(Priority::Ahead)))
            .collect();
        // Moved into the worker, the claims are released when it ends
        // however it ends, and when no thread can be started for it (the
        // closure is dropped then): a later send never waits in vain.
        let claims = Claims::new(Arc::clone(self), claimed);
        let work = move || {
            let egress = &claims.egress;
            // Each answer is filed as it comes: a call waiting for one of
            // them does not wait for the rest of the group (filed together,
            // the first pages of a sync waited for the details named after
            // them, a round later).
            egress.each_at_once(&jobs, |(key, r, place)| {
                let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    egress.fetch(r, *place)
                }))
                .unwrap_or_else(|_| Err(EgressError::Transport("the prefetch failed".into())));
                egress.prefetched.file(key, answer);
            });
        };
        if let Err(e) = std::thread::Builder::new()
            .name("prefetch".into())
            .spawn(work)
        {
            tracing::debug!("no thread to prefetch on ({e}): the requests go out when sent");
        }
    }
}

/// Claimed requests that must not be left in flight: dropped (the worker
/// done, stopped by a panic, or never started because no thread could be
/// made), it releases those whose answer was not filed, so that no call
/// waits for an answer that will never come.
pub(super) struct Claims {
    /// The egress the requests go out through.
    pub(super) egress: Arc<Egress>,
    keys: Vec<Key>,
}

impl Claims {
    /// Guards `keys`, claimed in `egress`'s table.
    pub(super) fn new(egress: Arc<Egress>, keys: Vec<Key>) -> Self {
        Claims { egress, keys }
    }
}

impl Drop for Claims {
    fn drop(&mut self) {
        self.egress.prefetched.release(&self.keys);
    }
}
