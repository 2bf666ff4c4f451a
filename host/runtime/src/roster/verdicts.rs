//! The users of a status report, kept compact: reasons, sources and unit
//! keys interned (a report's reasons are a few hundred sentences over a
//! whole organization), each user's own strings without spare capacity,
//! and [`UserStatus`] records built only when read.

use super::fields::Fields;
use super::symbols::{Sym, Symbols};
use crate::wit::latest::{Activity, UserStatus};

/// One user's verdict.
#[derive(Debug, Clone)]
struct Verdict {
    /// User id, display name and email.
    fields: Fields<3>,
    activity: Activity,
    reason: Sym,
    last_active: Option<i64>,
    last_active_source: Option<Sym>,
    units: Box<[Sym]>,
    mfa_enabled: Option<bool>,
}

impl Verdict {
    fn user_id(&self) -> &str {
        self.fields.get(0).unwrap_or_default()
    }
}

/// Verdicts sorted by user id.
#[derive(Clone, Default)]
pub struct Verdicts {
    symbols: Symbols,
    entries: Vec<Verdict>,
}

impl Verdicts {
    /// Takes in one verdict; [`Verdicts::settle`] sorts them.
    pub(crate) fn push(&mut self, s: UserStatus) {
        let symbols = &mut self.symbols;
        self.entries.push(Verdict {
            fields: Fields::new([
                Some(s.user_id.as_str()),
                s.display_name.as_deref(),
                s.email.as_deref(),
            ]),
            activity: s.activity,
            reason: symbols.intern(&s.reason),
            last_active: s.last_active,
            last_active_source: s.last_active_source.map(|x| symbols.intern(&x)),
            units: s.units.iter().map(|u| symbols.intern(u)).collect(),
            mfa_enabled: s.mfa_enabled,
        });
    }

    /// Sorted by user id (stably, as the contract's lists are), without
    /// spare capacity.
    pub(crate) fn settle(&mut self) {
        if !self.entries.is_sorted_by(|a, b| a.user_id() <= b.user_id()) {
            self.entries.sort_by(|a, b| a.user_id().cmp(b.user_id()));
        }
        self.entries.shrink_to_fit();
    }

    fn expand(&self, v: &Verdict) -> UserStatus {
        let get = |s: Sym| self.symbols.get(s).to_string();
        UserStatus {
            user_id: v.user_id().to_string(),
            display_name: v.fields.owned(1),
            email: v.fields.owned(2),
            activity: v.activity,
            reason: get(v.reason),
            last_active: v.last_active,
            last_active_source: v.last_active_source.map(get),
            units: v.units.iter().map(|&u| get(u)).collect(),
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
        let at = self.entries.partition_point(|v| v.user_id() < user_id);
        self.entries.get(at).filter(|v| v.user_id() == user_id)
    }

    /// The verdict of the user with this id, built now (a binary search).
    pub fn find(&self, user_id: &str) -> Option<UserStatus> {
        self.entry(user_id).map(|v| self.expand(v))
    }

    /// The activity of the user with this id, without building the rest.
    pub fn activity(&self, user_id: &str) -> Option<Activity> {
        self.entry(user_id).map(|v| v.activity)
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

impl FromIterator<UserStatus> for Verdicts {
    /// Verdicts, sorted by user id.
    fn from_iter<I: IntoIterator<Item = UserStatus>>(statuses: I) -> Self {
        let mut v = Verdicts::default();
        statuses.into_iter().for_each(|s| v.push(s));
        v.settle();
        v
    }
}
