//! Merging listing pages: users by id, memberships by workspace (the first
//! seen wins), workspaces by slug.

use std::collections::{BTreeMap, HashMap};

use crate::bindings::{User, Workspace};

/// Accumulates pages into one listing.
#[derive(Debug, Default, Clone)]
pub struct Merger {
    users: Vec<User>,
    index: HashMap<String, usize>,
    workspaces: BTreeMap<String, Workspace>,
    duplicates: u64,
}

impl Merger {
    /// Adds one page's users and workspaces.
    pub fn add(&mut self, users: Vec<User>, workspaces: Vec<Workspace>) {
        for w in workspaces {
            self.workspaces.entry(w.slug.clone()).or_insert(w);
        }
        for user in users {
            match self.index.get(&user.id) {
                Some(&i) => {
                    let known = &mut self.users[i];
                    for m in user.memberships {
                        if known.memberships.iter().any(|k| k.workspace == m.workspace) {
                            self.duplicates += 1;
                        } else {
                            known.memberships.push(m);
                        }
                    }
                }
                None => {
                    self.index.insert(user.id.clone(), self.users.len());
                    self.users.push(user);
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

    /// Duplicate memberships dropped.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Users sorted by id (memberships sorted by workspace) and workspaces
    /// sorted by slug.
    pub fn finish(self) -> (Vec<User>, Vec<Workspace>) {
        let mut users = self.users;
        users.sort_by(|a, b| a.id.cmp(&b.id));
        for u in &mut users {
            u.memberships.sort_by(|a, b| a.workspace.cmp(&b.workspace));
        }
        (users, self.workspaces.into_values().collect())
    }
}
