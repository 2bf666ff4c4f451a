//! Merging listing steps: users by id, memberships by unit id (the first
//! seen wins, its evidence united with later copies' by source, kind and
//! unit, and its evidence gap or the user's email filled in by a later copy
//! when it had none; the more restrictive account state wins), billing
//! units by id, and coverage as a set.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// Accumulates listing steps.
#[derive(Debug, Default, Clone)]
pub struct Merger {
    users: Vec<User>,
    index: HashMap<String, usize>,
    units: BTreeMap<String, BillingUnit>,
    coverage: BTreeSet<(String, String)>,
    duplicates: u64,
}

/// What a merged listing holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Merged {
    /// Users sorted by id, memberships by unit key, evidence by source,
    /// kind and time (each piece once).
    pub users: Vec<User>,
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
            let Some(&i) = self.index.get(&user.id) else {
                self.index.insert(user.id.clone(), self.users.len());
                self.users.push(user);
                continue;
            };
            let known = &mut self.users[i];
            if known.email.is_none() {
                known.email = user.email;
            }
            if restriction(user.status.state) > restriction(known.status.state) {
                known.status = user.status;
            }
            for m in user.memberships {
                match known
                    .memberships
                    .iter_mut()
                    .find(|k| k.unit.id == m.unit.id)
                {
                    Some(k) => {
                        let before = k.evidence.len();
                        for e in m.evidence {
                            if !k.evidence.iter().any(|x| {
                                (x.source.as_str(), x.kind, x.at)
                                    == (e.source.as_str(), e.kind, e.at)
                            }) {
                                k.evidence.push(e);
                            }
                        }
                        let gap_is_new = k.evidence_gap.is_none() && m.evidence_gap.is_some();
                        if gap_is_new {
                            k.evidence_gap = m.evidence_gap;
                        }
                        if k.evidence.len() == before && !gap_is_new {
                            self.duplicates += 1;
                        }
                    }
                    None => known.memberships.push(m),
                }
            }
        }
    }

    /// Distinct users so far.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// Memberships so far.
    pub fn membership_count(&self) -> usize {
        self.users.iter().map(|u| u.memberships.len()).sum()
    }

    /// Memberships seen twice with nothing new.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// The merged listing, sorted.
    pub fn finish(self) -> Merged {
        let mut users = self.users;
        users.sort_by(|a, b| a.id.cmp(&b.id));
        for u in &mut users {
            u.memberships
                .sort_by(|a, b| (&a.unit.key, &a.unit.id).cmp(&(&b.unit.key, &b.unit.id)));
            // Evidence in one order whatever order the steps came in, each
            // piece once even when one copy repeated it.
            for m in &mut u.memberships {
                m.evidence.sort_by(|a, b| {
                    (&a.source, a.kind as u8, a.at).cmp(&(&b.source, b.kind as u8, b.at))
                });
                m.evidence.dedup();
            }
        }
        Merged {
            users,
            units: self.units.into_values().collect(),
            coverage: self
                .coverage
                .into_iter()
                .map(|(source, unit_id)| Coverage { source, unit_id })
                .collect(),
        }
    }
}

#[cfg(test)]
mod properties;
