//! A user as the roster keeps it: the user's own strings once, every
//! repeated string a symbol, and no spare capacity once the listing ends.
//! Converting a contract [`User`] in and back out gives the same user.

use std::sync::Arc;

use super::symbols::{Sym, Symbols, UnitSym};
use crate::wit::latest::{
    AccessLevel, AccountState, AccountStatus, Evidence, EvidenceKind, Membership, User,
};

/// One piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Proof {
    pub(crate) source: Sym,
    pub(crate) kind: EvidenceKind,
    pub(crate) at: i64,
}

/// One membership.
#[derive(Debug, Clone)]
pub(crate) struct Seat {
    pub(crate) unit: UnitSym,
    pub(crate) role: Option<Sym>,
    pub(crate) level: Option<AccessLevel>,
    pub(crate) billable: bool,
    pub(crate) billable_reason: Sym,
    pub(crate) added_at: Option<i64>,
    pub(crate) evidence: Vec<Proof>,
    pub(crate) evidence_gap: Option<Sym>,
}

/// One user.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    /// Shared with the merger's index while the listing runs.
    pub(crate) id: Arc<str>,
    pub(crate) account_id: Option<Box<str>>,
    pub(crate) email: Option<Box<str>>,
    pub(crate) display_name: Option<Box<str>>,
    pub(crate) username: Option<Box<str>>,
    pub(crate) upstream_status: Option<Sym>,
    pub(crate) state: AccountState,
    pub(crate) mfa_enabled: Option<bool>,
    pub(crate) created_at: Option<i64>,
    pub(crate) seats: Vec<Seat>,
}

fn boxed(s: Option<String>) -> Option<Box<str>> {
    s.map(String::into_boxed_str)
}

fn owned(s: &Option<Box<str>>) -> Option<String> {
    s.as_deref().map(str::to_string)
}

impl Person {
    /// A contract user, its repeated strings interned.
    pub(crate) fn compact(user: User, symbols: &mut Symbols) -> Person {
        let seats = user
            .memberships
            .into_iter()
            .map(|m| Seat::compact(m, symbols))
            .collect();
        Person {
            id: Arc::from(user.id),
            account_id: boxed(user.account_id),
            email: boxed(user.email),
            display_name: boxed(user.display_name),
            username: boxed(user.username),
            upstream_status: user.status.upstream.map(|s| symbols.intern(&s)),
            state: user.status.state,
            mfa_enabled: user.mfa_enabled,
            created_at: user.created_at,
            seats,
        }
    }

    /// The contract user again.
    pub(crate) fn expand(&self, symbols: &Symbols) -> User {
        User {
            id: self.id.to_string(),
            account_id: owned(&self.account_id),
            email: owned(&self.email),
            display_name: owned(&self.display_name),
            username: owned(&self.username),
            status: AccountStatus {
                upstream: self.upstream_status.map(|s| symbols.get(s).to_string()),
                state: self.state,
            },
            mfa_enabled: self.mfa_enabled,
            created_at: self.created_at,
            memberships: self.seats.iter().map(|s| s.expand(symbols)).collect(),
        }
    }

    /// Drops spare capacity: the listing is over.
    pub(crate) fn settle(&mut self) {
        for s in &mut self.seats {
            s.evidence.shrink_to_fit();
        }
        self.seats.shrink_to_fit();
    }
}

impl Seat {
    fn compact(m: Membership, symbols: &mut Symbols) -> Seat {
        Seat {
            unit: symbols.unit(&m.unit),
            role: m.role.map(|r| symbols.intern(&r)),
            level: m.level,
            billable: m.billable,
            billable_reason: symbols.intern(&m.billable_reason),
            added_at: m.added_at,
            evidence: m
                .evidence
                .into_iter()
                .map(|e| Proof {
                    source: symbols.intern(&e.source),
                    kind: e.kind,
                    at: e.at,
                })
                .collect(),
            evidence_gap: m.evidence_gap.map(|g| symbols.intern(&g)),
        }
    }

    fn expand(&self, symbols: &Symbols) -> Membership {
        Membership {
            unit: symbols.unit_ref(self.unit),
            role: self.role.map(|r| symbols.get(r).to_string()),
            level: self.level,
            billable: self.billable,
            billable_reason: symbols.get(self.billable_reason).to_string(),
            added_at: self.added_at,
            evidence: self
                .evidence
                .iter()
                .map(|p| Evidence {
                    source: symbols.get(p.source).to_string(),
                    kind: p.kind,
                    at: p.at,
                })
                .collect(),
            evidence_gap: self.evidence_gap.map(|g| symbols.get(g).to_string()),
        }
    }
}
