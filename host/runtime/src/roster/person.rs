//! A user as the roster keeps it: the user's own strings in one
//! allocation, every repeated string a symbol, one piece of evidence
//! without an allocation, and no spare capacity once the listing ends.
//! Converting a contract [`User`] in and back out gives the same user.

use smallvec::SmallVec;

use super::fields::Fields;
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
    /// Most memberships have at most one piece.
    pub(crate) evidence: SmallVec<[Proof; 1]>,
    pub(crate) evidence_gap: Option<Sym>,
}

/// One user.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    /// Id, account id, email, display name and username.
    fields: Fields<5>,
    pub(crate) upstream_status: Option<Sym>,
    pub(crate) state: AccountState,
    pub(crate) mfa_enabled: Option<bool>,
    pub(crate) created_at: Option<i64>,
    pub(crate) seats: Vec<Seat>,
}

const ID: usize = 0;
const ACCOUNT_ID: usize = 1;
const EMAIL: usize = 2;
const DISPLAY_NAME: usize = 3;
const USERNAME: usize = 4;

impl Person {
    /// A contract user, its repeated strings interned.
    pub(crate) fn compact(user: User, symbols: &mut Symbols) -> Person {
        let seats = user
            .memberships
            .into_iter()
            .map(|m| Seat::compact(m, symbols))
            .collect();
        Person {
            fields: Fields::new([
                Some(user.id.as_str()),
                user.account_id.as_deref(),
                user.email.as_deref(),
                user.display_name.as_deref(),
                user.username.as_deref(),
            ]),
            upstream_status: user.status.upstream.map(|s| symbols.intern(&s)),
            state: user.status.state,
            mfa_enabled: user.mfa_enabled,
            created_at: user.created_at,
            seats,
        }
    }

    /// The contract user again.
    pub(crate) fn expand(&self, symbols: &Symbols) -> User {
        let f = &self.fields;
        User {
            id: self.id().to_string(),
            account_id: f.owned(ACCOUNT_ID),
            email: f.owned(EMAIL),
            display_name: f.owned(DISPLAY_NAME),
            username: f.owned(USERNAME),
            status: AccountStatus {
                upstream: self.upstream_status.map(|s| symbols.get(s).to_string()),
                state: self.state,
            },
            mfa_enabled: self.mfa_enabled,
            created_at: self.created_at,
            memberships: self.seats.iter().map(|s| s.expand(symbols)).collect(),
        }
    }

    /// The user's id.
    pub(crate) fn id(&self) -> &str {
        self.fields.get(ID).unwrap_or_default()
    }

    /// The display name, when known.
    pub(crate) fn display_name(&self) -> Option<&str> {
        self.fields.get(DISPLAY_NAME)
    }

    /// The email, when known.
    pub(crate) fn email(&self) -> Option<&str> {
        self.fields.get(EMAIL)
    }

    /// Fills in the email.
    pub(crate) fn set_email(&mut self, email: &str) {
        self.fields = self.fields.with(EMAIL, Some(email));
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
