//! The users of a listing, kept compact: every string the listing repeats
//! (unit ids and keys, roles, billable reasons, evidence sources and gaps)
//! once, each user's own strings without spare capacity. A listing of a
//! million memberships is held in a fraction of its contract form; users
//! come out one at a time as contract [`User`]s, built when read, so a
//! reader that streams (the outputs, `compute-status` in chunks) never
//! holds a second copy of the organization.

mod fields;
mod person;
mod seat;
mod symbols;
mod time;
mod verdicts;
mod view;

pub(crate) use person::Person;
pub(crate) use symbols::Symbols;
pub use verdicts::{Cursor, VerdictView, Verdicts};
pub use view::{EvidenceView, MembershipView, UserView};

use std::sync::Arc;

use crate::wit::latest::User;

/// Users in a fixed order (sorted by id when they come from a listing).
/// Read-only once made, so a clone shares the users instead of copying
/// them: a report's verdicts point into the roster they were computed
/// from.
#[derive(Clone, Default)]
pub struct Roster {
    symbols: Arc<Symbols>,
    people: Arc<Vec<Person>>,
    /// Ids strictly ascending: a user is found by binary search.
    sorted: bool,
}

impl Roster {
    /// A roster of compact users, in the order given.
    pub(crate) fn of(symbols: Symbols, mut people: Vec<Person>) -> Roster {
        people.shrink_to_fit();
        let sorted = people.is_sorted_by(|a, b| a.id() < b.id());
        Roster {
            symbols: Arc::new(symbols),
            people: Arc::new(people),
            sorted,
        }
    }

    /// Where the user with this id is; none when absent, or when the ids
    /// are not in order (a roster made from users in any order).
    pub(crate) fn position(&self, id: &str) -> Option<usize> {
        if !self.sorted {
            return None;
        }
        self.people.binary_search_by(|p| p.id().cmp(id)).ok()
    }

    /// The compact user at `i`.
    pub(crate) fn person(&self, i: usize) -> &Person {
        &self.people[i]
    }

    /// How many users.
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// Whether there is no user.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// How many memberships, over all users.
    pub fn membership_count(&self) -> usize {
        self.people.iter().map(|p| p.seats.len()).sum()
    }

    /// The users' ids in order, without building the users.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.people.iter().map(Person::id)
    }

    /// The user at `i`, built now; none past the end.
    pub fn get(&self, i: usize) -> Option<User> {
        self.people.get(i).map(|p| p.expand(&self.symbols))
    }

    /// The user with this id, built now.
    pub fn find(&self, id: &str) -> Option<User> {
        self.people
            .iter()
            .find(|p| p.id() == id)
            .map(|p| p.expand(&self.symbols))
    }

    /// The users in order, each built when the iterator reaches it.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = User> + '_ {
        self.people.iter().map(|p| p.expand(&self.symbols))
    }

    /// The users in order, read in place: nothing is built or copied.
    pub fn views(&self) -> impl ExactSizeIterator<Item = UserView<'_>> + '_ {
        self.people.iter().map(|p| UserView::new(p, &self.symbols))
    }

    /// The users at the positions in `range`, read in place.
    pub fn views_in(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl ExactSizeIterator<Item = UserView<'_>> + '_ {
        self.people[range]
            .iter()
            .map(|p| UserView::new(p, &self.symbols))
    }

    /// The users in order, at most `n` to a vector, each vector built when
    /// the iterator reaches it.
    pub fn chunks(&self, n: usize) -> impl Iterator<Item = Vec<User>> + '_ {
        self.people
            .chunks(n.max(1))
            .map(|c| c.iter().map(|p| p.expand(&self.symbols)).collect())
    }

    /// Every user, built now: a whole copy in contract form.
    pub fn to_vec(&self) -> Vec<User> {
        self.iter().collect()
    }
}

impl FromIterator<User> for Roster {
    /// Users in the order given; nothing is merged or sorted.
    fn from_iter<I: IntoIterator<Item = User>>(users: I) -> Self {
        let mut symbols = Symbols::default();
        let people = users
            .into_iter()
            .map(|u| Person::compact(u, &mut symbols))
            .collect();
        Roster::of(symbols, people)
    }
}

impl From<Vec<User>> for Roster {
    fn from(users: Vec<User>) -> Self {
        users.into_iter().collect()
    }
}

/// What a compact store of records is to the rest of Rust, given its
/// `iter()` of contract records built when read: iterable by reference,
/// equal when it holds the same records in the same order (however their
/// strings are kept), debugged and serialised as the list of records.
macro_rules! record_list {
    ($store:ty, $record:ty) => {
        impl<'a> IntoIterator for &'a $store {
            type Item = $record;
            type IntoIter = Box<dyn ExactSizeIterator<Item = $record> + 'a>;

            fn into_iter(self) -> Self::IntoIter {
                Box::new(self.iter())
            }
        }

        impl PartialEq for $store {
            fn eq(&self, other: &Self) -> bool {
                self.len() == other.len() && self.iter().eq(other.iter())
            }
        }

        impl std::fmt::Debug for $store {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_list().entries(self.iter()).finish()
            }
        }

        impl serde::Serialize for $store {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.iter())
            }
        }
    };
}

record_list!(Roster, User);
record_list!(Verdicts, crate::wit::latest::UserStatus);

#[cfg(test)]
mod tests;
