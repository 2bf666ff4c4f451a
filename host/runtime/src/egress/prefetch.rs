//! Answers fetched ahead of time: requests a connector said it will send
//! (`http.prefetch`) go out in the background, and the later identical
//! request takes the answer instead of going out again, waiting for it when
//! it is still in flight. Bounded in entries and bytes; an answer nobody
//! asks for within [`PrefetchLimits::keep`] is dropped.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::EgressError;

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
