//! The roster's users read in place: every field of a contract [`User`],
//! its strings borrowed from the roster instead of copied into a new
//! record. A reader that only writes users out (the sync outputs) reads
//! them this way; at a million memberships, building each user in contract
//! form was the largest single cost of the JSON output.

use super::person::Person;
use super::seat::{Proof, Seat};
use super::symbols::Symbols;
use crate::wit::latest::{AccessLevel, AccountState, EvidenceKind, UnitKind, User};

/// One user of a [`super::Roster`], borrowed.
#[derive(Clone, Copy)]
pub struct UserView<'a> {
    person: &'a Person,
    symbols: &'a Symbols,
}

impl<'a> UserView<'a> {
    pub(crate) fn new(person: &'a Person, symbols: &'a Symbols) -> Self {
        UserView { person, symbols }
    }

    /// The user's id, unique in the roster.
    pub fn id(&self) -> &'a str {
        self.person.id()
    }

    /// The upstream's account id, when known.
    pub fn account_id(&self) -> Option<&'a str> {
        self.person.account_id()
    }

    /// The email, when known.
    pub fn email(&self) -> Option<&'a str> {
        self.person.email()
    }

    /// The display name, when known.
    pub fn display_name(&self) -> Option<&'a str> {
        self.person.display_name()
    }

    /// The username, when known.
    pub fn username(&self) -> Option<&'a str> {
        self.person.username()
    }

    /// The upstream's own account status, when it gave one.
    pub fn upstream_status(&self) -> Option<&'a str> {
        self.person.upstream_status.map(|s| self.symbols.get(s))
    }

    /// The account status, normalised.
    pub fn state(&self) -> AccountState {
        self.person.state
    }

    /// Whether two-step verification is on, when known.
    pub fn mfa_enabled(&self) -> Option<bool> {
        self.person.mfa_enabled
    }

    /// When the account was created, in Unix seconds, when known.
    pub fn created_at(&self) -> Option<i64> {
        self.person.created_at()
    }

    /// The memberships, in the roster's order (by unit id).
    pub fn memberships(&self) -> impl ExactSizeIterator<Item = MembershipView<'a>> + 'a {
        let symbols = self.symbols;
        self.person
            .seats
            .iter()
            .map(move |seat| MembershipView { seat, symbols })
    }

    /// The user in contract form, built now.
    pub fn to_user(&self) -> User {
        self.person.expand(self.symbols)
    }
}

/// One membership of a [`UserView`], borrowed.
#[derive(Clone, Copy)]
pub struct MembershipView<'a> {
    seat: &'a Seat,
    symbols: &'a Symbols,
}

impl<'a> MembershipView<'a> {
    /// The unit's id.
    pub fn unit_id(&self) -> &'a str {
        self.symbols.unit_id(self.seat.unit)
    }

    /// The unit's key (its short, human name).
    pub fn unit_key(&self) -> &'a str {
        self.symbols.unit_key(self.seat.unit)
    }

    /// The unit's kind.
    pub fn unit_kind(&self) -> UnitKind {
        self.symbols.unit_kind(self.seat.unit)
    }

    /// The upstream's role, when it gave one.
    pub fn role(&self) -> Option<&'a str> {
        self.seat.role.map(|r| self.symbols.get(r))
    }

    /// The access level, normalised, when known.
    pub fn level(&self) -> Option<AccessLevel> {
        self.seat.level
    }

    /// Whether the membership takes a paid seat.
    pub fn billable(&self) -> bool {
        self.seat.billable
    }

    /// Why it does or does not.
    pub fn billable_reason(&self) -> &'a str {
        self.symbols.get(self.seat.billable_reason)
    }

    /// When the user was added to the unit, in Unix seconds, when known.
    pub fn added_at(&self) -> Option<i64> {
        self.seat.added_at()
    }

    /// Why no source can see this membership's activity, when none can.
    pub fn evidence_gap(&self) -> Option<&'a str> {
        self.seat.evidence_gap.map(|g| self.symbols.get(g))
    }

    /// The evidence of activity, in the roster's order (by source, kind,
    /// then time).
    pub fn evidence(&self) -> impl Iterator<Item = EvidenceView<'a>> + 'a {
        let symbols = self.symbols;
        self.seat.evidence().map(move |p: Proof| EvidenceView {
            source: symbols.get(p.source),
            kind: p.kind,
            at: p.at,
        })
    }

    /// How many pieces of evidence.
    pub fn evidence_count(&self) -> usize {
        self.seat.evidence_count()
    }
}

/// One piece of evidence of a [`MembershipView`], its source borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceView<'a> {
    /// Which source saw it.
    pub source: &'a str,
    /// What kind of activity.
    pub kind: EvidenceKind,
    /// When, in Unix seconds.
    pub at: i64,
}
