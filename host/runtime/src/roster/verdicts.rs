//! The users of a status report, kept compact: reasons, sources and unit
//! keys interned (a report's reasons are a few hundred sentences over a
//! whole organization), the user's id, name and email not copied when
//! they are those of a user in the roster the report was computed from,
//! and [`UserStatus`] records built only when read.

use super::Roster;
use super::fields::Fields;
use super::symbols::{Sym, Symbols};
use super::time::Time;
use crate::wit::latest::{Activity, UserStatus};

/// Whose verdict it is.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// The roster's user at this position, with the same name and email.
    Listed(u32),
    /// The user id, display name and email at this position of
    /// [`Verdicts::own`], when no user of the roster has them all (a
    /// report without a roster, or a connector that renamed).
    Own(u32),
}

/// One user's verdict, in 36 bytes: its units are a range of
/// [`Verdicts::units`].
#[derive(Debug, Clone)]
struct Verdict {
    last_active: Time,
    who: Who,
    reason: Sym,
    last_active_source: Option<Sym>,
    units_from: u32,
    unit_count: u32,
    activity: Activity,
    mfa_enabled: Option<bool>,
}

const _: () = assert!(size_of::<Verdict>() == 36);

/// Verdicts sorted by user id.
#[derive(Clone, Default)]
pub struct Verdicts {
    roster: Roster,
    symbols: Symbols,
    entries: Vec<Verdict>,
    /// The strings of the verdicts whose user is not the roster's.
    own: Vec<Fields<3>>,
    /// Every verdict's units, one after another.
    units: Vec<Sym>,
    /// The roster position after the last verdict's user: verdicts come in
    /// the roster's order, so the next one's user is most often there.
    next_listed: usize,
}

/// A position in one of the verdicts' vectors.
fn position(len: usize) -> u32 {
    u32::try_from(len).expect("fewer than 2^32 verdicts and units")
}

impl Verdicts {
    /// No verdict yet, room for one per user of `roster` (shared, not
    /// copied).
    pub(crate) fn over(roster: &Roster) -> Verdicts {
        Verdicts {
            roster: roster.clone(),
            entries: Vec::with_capacity(roster.len()),
            ..Verdicts::default()
        }
    }

    /// Takes in one verdict; [`Verdicts::settle`] sorts them.
    pub(crate) fn push(&mut self, s: UserStatus) {
        let listed = self.listed_position(&s.user_id).filter(|&i| {
            let p = self.roster.person(i);
            p.display_name() == s.display_name.as_deref() && p.email() == s.email.as_deref()
        });
        let who = match listed.and_then(|i| u32::try_from(i).ok()) {
            Some(i) => Who::Listed(i),
            None => {
                self.own.push(Fields::new([
                    Some(s.user_id.as_str()),
                    s.display_name.as_deref(),
                    s.email.as_deref(),
                ]));
                Who::Own(position(self.own.len() - 1))
            }
        };
        let symbols = &mut self.symbols;
        let units_from = position(self.units.len());
        self.units.extend(s.units.iter().map(|u| symbols.intern(u)));
        self.entries.push(Verdict {
            last_active: Time::new(s.last_active),
            who,
            reason: symbols.intern(&s.reason),
            last_active_source: s.last_active_source.map(|x| symbols.intern(&x)),
            units_from,
            unit_count: position(s.units.len()),
            activity: s.activity,
            mfa_enabled: s.mfa_enabled,
        });
    }

    /// Where user `id` is in the roster: first where the last verdict's
    /// user was followed, else by binary search (a million verdicts spent 6%
    /// of the statuses' time searching).
    fn listed_position(&mut self, id: &str) -> Option<usize> {
        let at = self.next_listed;
        let found = if at < self.roster.len() && self.roster.person(at).id() == id {
            Some(at)
        } else {
            self.roster.position(id)
        };
        if let Some(i) = found {
            self.next_listed = i + 1;
        }
        found
    }

    /// The verdict's user id, name and email.
    fn who<'a>(&'a self, v: &'a Verdict) -> [Option<&'a str>; 3] {
        match v.who {
            Who::Listed(i) => {
                let p = self.roster.person(i as usize);
                [Some(p.id()), p.display_name(), p.email()]
            }
            Who::Own(i) => {
                let f = &self.own[i as usize];
                [f.get(0), f.get(1), f.get(2)]
            }
        }
    }

    fn user_id<'a>(&'a self, v: &'a Verdict) -> &'a str {
        self.who(v)[0].unwrap_or_default()
    }

    /// Sorted by user id (stably, as the contract's lists are), without
    /// spare capacity.
    pub(crate) fn settle(&mut self) {
        let mut entries = std::mem::take(&mut self.entries);
        if !entries.is_sorted_by(|a, b| self.user_id(a) <= self.user_id(b)) {
            entries.sort_by(|a, b| self.user_id(a).cmp(self.user_id(b)));
        }
        entries.shrink_to_fit();
        self.entries = entries;
        self.own.shrink_to_fit();
        self.units.shrink_to_fit();
    }

    fn expand(&self, v: &Verdict) -> UserStatus {
        let get = |s: Sym| self.symbols.get(s).to_string();
        let [user_id, display_name, email] = self.who(v).map(|f| f.map(str::to_string));
        UserStatus {
            user_id: user_id.unwrap_or_default(),
            display_name,
            email,
            activity: v.activity,
            reason: get(v.reason),
            last_active: v.last_active.get(),
            last_active_source: v.last_active_source.map(get),
            units: self.units[v.units_from as usize..][..v.unit_count as usize]
                .iter()
                .map(|&u| get(u))
                .collect(),
            mfa_enabled: v.mfa_enabled,
        }
    }

    /// How many users.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry(&self, user_id: &str) -> Option<&Verdict> {
        let at = self.entries.partition_point(|v| self.user_id(v) < user_id);
        self.entries.get(at).filter(|v| self.user_id(v) == user_id)
    }

    /// The verdict of the user with this id, built now (a binary search).
    pub fn find(&self, user_id: &str) -> Option<UserStatus> {
        self.entry(user_id).map(|v| self.expand(v))
    }

    /// The activity of the user with this id, without building the rest.
    pub fn activity(&self, user_id: &str) -> Option<Activity> {
        self.entry(user_id).map(|v| v.activity)
    }

    /// A reader for verdicts asked in user-id order: see [`Cursor`].
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor {
            verdicts: self,
            next: 0,
        }
    }

    /// The verdicts in user-id order, each built when reached.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = UserStatus> + '_ {
        self.entries.iter().map(|v| self.expand(v))
    }

    /// Every verdict, built now: a whole copy in contract form.
    pub fn to_vec(&self) -> Vec<UserStatus> {
        self.iter().collect()
    }
}

/// Finds verdicts by user id for ids asked in ascending order (a listing's
/// users, read in order) with a step or two each, where
/// [`Verdicts::find`] searches the whole report every time. Ids asked out
/// of order are still found, by a binary search.
pub struct Cursor<'a> {
    verdicts: &'a Verdicts,
    /// Where the next id asked in order is looked for first.
    next: usize,
}

impl<'a> Cursor<'a> {
    /// Where the verdict of `user_id` is or would be.
    fn seek(&mut self, user_id: &str) -> usize {
        let v = self.verdicts;
        let before = |i: usize| v.user_id(&v.entries[i]) < user_id;
        let len = v.entries.len();
        // Asked in order, the id is at the hint or one past it (past a
        // verdict for a user the roster lacks).
        let fits = |at: usize| (at == 0 || before(at - 1)) && (at == len || !before(at));
        let at = [self.next, self.next + 1]
            .into_iter()
            .find(|&at| at <= len && fits(at))
            .unwrap_or_else(|| v.entries.partition_point(|e| v.user_id(e) < user_id));
        self.next = at;
        at
    }

    fn entry(&mut self, user_id: &str) -> Option<&'a Verdict> {
        let at = self.seek(user_id);
        let v = self.verdicts;
        let found = v.entries.get(at).filter(|e| v.user_id(e) == user_id);
        if found.is_some() {
            self.next = at + 1;
        }
        found
    }

    /// The verdict of the user with this id, built now.
    pub fn find(&mut self, user_id: &str) -> Option<UserStatus> {
        let v = self.verdicts;
        self.entry(user_id).map(|e| v.expand(e))
    }

    /// The activity of the user with this id, without building the rest.
    pub fn activity(&mut self, user_id: &str) -> Option<Activity> {
        self.entry(user_id).map(|e| e.activity)
    }

    /// The verdict of the user with this id, read in place.
    pub fn view(&mut self, user_id: &str) -> Option<VerdictView<'a>> {
        let v = self.verdicts;
        self.entry(user_id).map(|e| VerdictView {
            activity: e.activity,
            reason: v.symbols.get(e.reason),
            last_active: e.last_active.get(),
            last_active_source: e.last_active_source.map(|s| v.symbols.get(s)),
        })
    }
}

/// What a verdict says of its user, its strings borrowed from the report:
/// the fields the outputs write beside the user, without the user's id,
/// name and email (the user's own) or units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerdictView<'a> {
    /// The verdict.
    pub activity: Activity,
    /// Why, in a sentence.
    pub reason: &'a str,
    /// The latest evidence's time, in Unix seconds, when there is any.
    pub last_active: Option<i64>,
    /// The source of that evidence.
    pub last_active_source: Option<&'a str>,
}

impl FromIterator<UserStatus> for Verdicts {
    /// Verdicts, sorted by user id.
    fn from_iter<I: IntoIterator<Item = UserStatus>>(statuses: I) -> Self {
        let mut v = Verdicts::default();
        statuses.into_iter().for_each(|s| v.push(s));
        v.settle();
        v
    }
}
