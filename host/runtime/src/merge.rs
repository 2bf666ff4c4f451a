//! Merging listing steps: users by id, memberships by unit id (the first
//! seen wins, its evidence united with later copies' by source, kind and
//! unit, and its evidence gap or the user's email filled in by a later copy
//! when it had none; the more restrictive account state wins), billing
//! units by id, and coverage as a set.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;

use foldhash::fast::RandomState;

use hashbrown::HashTable;

use crate::roster::{Person, Roster, Symbols};
use crate::wit::latest::{AccountState, BillingUnit, Coverage, User};

/// How much an account state restricts access: when two copies of a user
/// disagree, the more restrictive state wins (one source seeing a suspension
/// is enough).
fn restriction(state: AccountState) -> u8 {
    match state {
        AccountState::Unknown => 0,
        AccountState::Active => 1,
        AccountState::Suspended => 2,
        AccountState::Deactivated => 3,
    }
}

/// Accumulates listing steps, keeping users compact ([`Roster`]'s form)
/// from the step they arrive in.
#[derive(Debug, Default, Clone)]
pub struct Merger {
    symbols: Symbols,
    people: Vec<Person>,
    /// Positions in `people`, found by the id's hash: the ids are not
    /// kept twice.
    index: HashTable<u32>,
    hasher: RandomState,
    units: BTreeMap<String, BillingUnit>,
    coverage: BTreeSet<(String, String)>,
    duplicates: u64,
}

/// What a merged listing holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Merged {
    /// Users sorted by id, memberships by unit key, evidence by source,
    /// kind and time (each piece once).
    pub users: Roster,
    /// Units sorted by id.
    pub units: Vec<BillingUnit>,
    /// Coverage sorted by source, then unit.
    pub coverage: Vec<Coverage>,
}

impl Merger {
    /// Takes in one step's users, units and coverage.
    pub fn add(&mut self, users: Vec<User>, units: Vec<BillingUnit>, coverage: Vec<Coverage>) {
        for u in units {
            self.units.entry(u.unit.id.clone()).or_insert(u);
        }
        self.coverage
            .extend(coverage.into_iter().map(|c| (c.source, c.unit_id)));
        for user in users {
            let person = Person::compact(user, &mut self.symbols);
            let (people, hasher) = (&self.people, &self.hasher);
            let hash = hasher.hash_one(person.id());
            match self
                .index
                .find(hash, |&i| people[i as usize].id() == person.id())
            {
                Some(&i) => {
                    self.duplicates +=
                        merge_into(&mut self.people[i as usize], person, &self.symbols);
                }
                None => {
                    let at = u32::try_from(people.len()).expect("fewer than 2^32 users");
                    self.index
                        .insert_unique(hash, at, |&i| hasher.hash_one(people[i as usize].id()));
                    self.people.push(person);
                }
            }
        }
    }

    /// Distinct users so far.
    pub fn user_count(&self) -> usize {
        self.people.len()
    }

    /// Memberships so far.
    pub fn membership_count(&self) -> usize {
        self.people.iter().map(|p| p.seats.len()).sum()
    }

    /// Memberships seen twice with nothing new.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// The merged listing, sorted.
    pub fn finish(self) -> Merged {
        let Merger {
            symbols,
            mut people,
            index,
            units,
            coverage,
            ..
        } = self;
        // The index is done with: freed before sorting, at the listing's
        // peak, rather than when `finish` returns.
        drop(index);
        // Ids are unique here: an unstable sort gives the same order
        // without a buffer of half the users (23 MB at a million
        // memberships, at the listing's peak).
        people.sort_unstable_by(|a, b| a.id().cmp(b.id()));
        for p in &mut people {
            // Unit ids are unique within a user: they were merged by them.
            p.seats.sort_unstable_by(|a, b| {
                (symbols.unit_key(a.unit), symbols.unit_id(a.unit))
                    .cmp(&(symbols.unit_key(b.unit), symbols.unit_id(b.unit)))
            });
            for s in &mut p.seats {
                s.settle_evidence(&symbols);
            }
        }
        Merged {
            users: Roster::of(symbols, people),
            units: units.into_values().collect(),
            coverage: coverage
                .into_iter()
                .map(|(source, unit_id)| Coverage { source, unit_id })
                .collect(),
        }
    }
}

/// Merges a later copy of a user into the known one; returns how many of
/// its memberships brought nothing new.
fn merge_into(known: &mut Person, copy: Person, symbols: &Symbols) -> u64 {
    let mut duplicates = 0;
    if let (None, Some(email)) = (known.email(), copy.email()) {
        known.set_email(email);
    }
    if restriction(copy.state) > restriction(known.state) {
        known.state = copy.state;
        known.upstream_status = copy.upstream_status;
    }
    for m in copy.seats {
        let id = symbols.unit_id(m.unit);
        match known
            .seats
            .iter_mut()
            .find(|k| symbols.unit_id(k.unit) == id)
        {
            Some(k) => {
                let before = k.evidence_count();
                k.unite(&m);
                let gap_is_new = k.evidence_gap.is_none() && m.evidence_gap.is_some();
                if gap_is_new {
                    k.evidence_gap = m.evidence_gap;
                }
                if k.evidence_count() == before && !gap_is_new {
                    duplicates += 1;
                }
            }
            None => known.add_seat(m),
        }
    }
    duplicates
}

#[cfg(test)]
mod properties;
