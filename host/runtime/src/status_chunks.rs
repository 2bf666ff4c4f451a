//! `compute-status` over bounded chunks of users. Contract 0.2.0 promises
//! that the report is additive over disjoint sets of users (each chunk with
//! every unit, all coverage and the same `complete` flag), so neither the
//! host's copy of the listing nor the guest's memory grows with the whole
//! organization: [`Combined`] adds chunk reports up by the contract's
//! definitions and derives the totals that are not sums again.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;
use std::ops::Range;
use std::sync::Mutex;

use crate::report::Report;
use crate::roster::{Roster, Verdicts};
use crate::wit::latest::{
    ActivityCounts, MfaCoverage, Policy, Reconciliation, SeatSummary, StatusReport, UnitSeats,
};

/// Users handed to one `compute-status` call: small enough that a call's
/// copy of its users stays a few MB, large enough that the calls' fixed
/// cost (a fresh instance, the units and coverage passed again) is noise.
pub const CHUNK_USERS: usize = 1_000;

/// At most this many chunks at once: each call is a fresh instance with
/// its own memory, and after the listing the host's cores are free.
pub const STATUS_WORKERS: usize = 4;

/// The report of `users`, computed by `call` on the users at each range of
/// at most [`CHUNK_USERS`] positions, as many at once as the machine has
/// cores (at most [`STATUS_WORKERS`]), and combined. The first failure
/// stops the chunks not yet started.
pub fn in_chunks<E: Send>(
    users: &Roster,
    policy: Policy,
    call: impl Fn(Range<usize>) -> Result<StatusReport, E> + Sync,
) -> Result<Report, E> {
    let workers = std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .clamp(1, STATUS_WORKERS);
    let len = users.len();
    let ranges = (0..len)
        .step_by(CHUNK_USERS)
        .map(|from| from..len.min(from + CHUNK_USERS));
    let chunks = Mutex::new(ranges.enumerate());
    let combined = Mutex::new(Combined::new(policy, users));
    let failed: Mutex<Option<E>> = Mutex::new(None);
    let held = "no worker panics while holding a lock";
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    if failed.lock().expect(held).is_some() {
                        return;
                    }
                    let Some((at, chunk)) = chunks.lock().expect(held).next() else {
                        return;
                    };
                    match call(chunk) {
                        Ok(part) => combined.lock().expect(held).add_in_order(at, part),
                        Err(e) => {
                            failed.lock().expect(held).get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    match failed.into_inner().expect(held) {
        Some(e) => Err(e),
        None => Ok(combined.into_inner().expect(held).finish()),
    }
}

/// The sum of chunk reports so far.
pub struct Combined {
    policy: Policy,
    users: Verdicts,
    counts: ActivityCounts,
    mfa: MfaCoverage,
    per_unit: Vec<UnitSeats>,
    unit_index: HashMap<String, usize>,
    used: u32,
    unique_users: u32,
    membership_sum: u32,
    reconciled_users: u32,
    multi_unit_users: u32,
    /// The chunk [`Combined::add_in_order`] adds next.
    next_chunk: usize,
    /// Chunks that finished before one ahead of them.
    waiting: BTreeMap<usize, StatusReport>,
}

impl Combined {
    /// Nothing added yet, for reports computed under `policy` on chunks of
    /// `users` (whose verdicts then point at them instead of copying their
    /// ids, names and emails).
    pub fn new(policy: Policy, users: &Roster) -> Self {
        Combined {
            policy,
            users: Verdicts::over(users),
            counts: ActivityCounts {
                active: 0,
                inactive: 0,
                never_active: 0,
                unknown: 0,
            },
            mfa: MfaCoverage {
                enabled: 0,
                disabled: 0,
                unknown: 0,
            },
            per_unit: Vec::new(),
            unit_index: HashMap::new(),
            used: 0,
            unique_users: 0,
            membership_sum: 0,
            reconciled_users: 0,
            multi_unit_users: 0,
            next_chunk: 0,
            waiting: BTreeMap::new(),
        }
    }

    /// Adds the report of chunk number `at` (from 0) once every chunk
    /// before it is added: the verdicts then come in the users' order, and
    /// need no sorting at the end (whose buffer was the largest thing a
    /// million memberships allocated after the listing).
    pub fn add_in_order(&mut self, at: usize, part: StatusReport) {
        self.waiting.insert(at, part);
        while let Some(part) = self.waiting.remove(&self.next_chunk) {
            self.add(part);
            self.next_chunk += 1;
        }
    }

    /// Adds the report of one chunk of users, none of them in another.
    pub fn add(&mut self, part: StatusReport) {
        part.users.into_iter().for_each(|u| self.users.push(u));
        let (c, p) = (&mut self.counts, &part.counts);
        c.active += p.active;
        c.inactive += p.inactive;
        c.never_active += p.never_active;
        c.unknown += p.unknown;
        let (m, p) = (&mut self.mfa, &part.mfa);
        m.enabled += p.enabled;
        m.disabled += p.disabled;
        m.unknown += p.unknown;
        self.used += part.seats.used;
        self.unique_users += part.seats.unique_users;
        let r = &part.reconciliation;
        self.membership_sum += r.membership_sum;
        self.reconciled_users += r.unique_users;
        self.multi_unit_users += r.multi_unit_users;
        for unit in part.seats.per_unit {
            match self.unit_index.get(&unit.unit.id) {
                // The unit's facts (purchased, reported use, coverage) are
                // the same in every chunk: the counts add up.
                Some(&at) => {
                    let known = &mut self.per_unit[at];
                    known.used += unit.used;
                    known.non_billable += unit.non_billable;
                    known.idle += unit.idle;
                    known.admins.extend(unit.admins);
                }
                None => {
                    self.unit_index
                        .insert(unit.unit.id.clone(), self.per_unit.len());
                    self.per_unit.push(unit);
                }
            }
        }
    }

    /// The report of all chunks: lists sorted as the contract says, and
    /// `purchased`, `unused`, `used-exceeds-purchased` and
    /// `extra-memberships` derived from the sums.
    pub fn finish(mut self) -> Report {
        // Only a chunk that skipped its turn is left: add it anyway.
        for part in std::mem::take(&mut self.waiting).into_values() {
            self.add(part);
        }
        self.users.settle();
        for unit in &mut self.per_unit {
            unit.admins.sort();
        }
        self.per_unit
            .sort_by(|a, b| (&a.unit.key, &a.unit.id).cmp(&(&b.unit.key, &b.unit.id)));
        // The units' own purchases add up only when every unit reports one.
        let reported: Option<u32> = if self.per_unit.is_empty() {
            None
        } else {
            self.per_unit.iter().map(|u| u.purchased).sum()
        };
        let purchased = self.policy.purchased_seats.or(reported);
        Report {
            as_of: self.policy.as_of,
            users: self.users,
            counts: self.counts,
            seats: SeatSummary {
                purchased,
                used: self.used,
                unused: purchased.and_then(|p| p.checked_sub(self.used)),
                used_exceeds_purchased: purchased.is_some_and(|p| self.used > p),
                unique_users: self.unique_users,
                per_unit: self.per_unit,
            },
            reconciliation: Reconciliation {
                membership_sum: self.membership_sum,
                unique_users: self.reconciled_users,
                multi_unit_users: self.multi_unit_users,
                extra_memberships: self.membership_sum.saturating_sub(self.reconciled_users),
            },
            mfa: self.mfa,
        }
    }
}
