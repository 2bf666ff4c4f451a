//! A membership as the roster keeps it, in 48 bytes, where the contract's
//! form holds a string for every field: its strings are symbols, its
//! optional times carry no padding, and its first piece of evidence (most
//! memberships have at most one) sits inline, the others behind one
//! pointer that costs nothing while there are none. A million memberships
//! are 48 MB here, where the obvious compact struct takes 64.

use thin_vec::ThinVec;

use super::symbols::{Sym, Symbols, UnitSym};
use super::time::Time;
use crate::wit::latest::{AccessLevel, Evidence, EvidenceKind, Membership};

/// One piece of evidence in thirteen bytes; `Option<Proof>` takes no more,
/// its source never being zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed)]
pub(crate) struct Proof {
    pub(crate) at: i64,
    pub(crate) source: Sym,
    pub(crate) kind: EvidenceKind,
}

impl Proof {
    /// The order evidence is kept in: by source, kind, then time.
    fn cmp(&self, other: &Proof, symbols: &Symbols) -> std::cmp::Ordering {
        let key = |p: &Proof| (p.source, p.kind as u8, p.at);
        let ((a, ak, at), (b, bk, bt)) = (key(self), key(other));
        (symbols.get(a), ak, at).cmp(&(symbols.get(b), bk, bt))
    }
}

/// One membership.
#[derive(Debug, Clone)]
pub(crate) struct Seat {
    /// The evidence after the first.
    more: ThinVec<Proof>,
    added_at: Time,
    /// None only when there is no evidence at all.
    first: Option<Proof>,
    pub(crate) unit: UnitSym,
    pub(crate) role: Option<Sym>,
    pub(crate) billable_reason: Sym,
    pub(crate) evidence_gap: Option<Sym>,
    pub(crate) level: Option<AccessLevel>,
    pub(crate) billable: bool,
}

// The sizes above, held (on 64-bit hosts, where pointers take eight bytes).
#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<Seat>() == 48 && size_of::<Option<Proof>>() == 13);

impl Seat {
    /// A contract membership, its repeated strings interned.
    pub(crate) fn compact(m: Membership, symbols: &mut Symbols) -> Seat {
        let mut seat = Seat {
            more: ThinVec::new(),
            added_at: Time::new(m.added_at),
            first: None,
            unit: symbols.unit(&m.unit),
            role: m.role.map(|r| symbols.intern(&r)),
            billable_reason: symbols.intern(&m.billable_reason),
            evidence_gap: m.evidence_gap.map(|g| symbols.intern(&g)),
            level: m.level,
            billable: m.billable,
        };
        let mut evidence = m.evidence.into_iter().map(|e| Proof {
            at: e.at,
            source: symbols.intern(&e.source),
            kind: e.kind,
        });
        seat.first = evidence.next();
        // Sized exactly: the iterator knows its length.
        seat.more = evidence.collect();
        seat
    }

    /// The contract membership again.
    pub(crate) fn expand(&self, symbols: &Symbols) -> Membership {
        Membership {
            unit: symbols.unit_ref(self.unit),
            role: self.role.map(|r| symbols.get(r).to_string()),
            level: self.level,
            billable: self.billable,
            billable_reason: symbols.get(self.billable_reason).to_string(),
            added_at: self.added_at.get(),
            evidence: self
                .evidence()
                .map(|p| Evidence {
                    source: symbols.get(p.source).to_string(),
                    kind: p.kind,
                    at: p.at,
                })
                .collect(),
            evidence_gap: self.evidence_gap.map(|g| symbols.get(g).to_string()),
        }
    }

    /// When the user was added to the unit, when known.
    pub(crate) fn added_at(&self) -> Option<i64> {
        self.added_at.get()
    }

    /// The evidence, in the order kept.
    pub(crate) fn evidence(&self) -> impl Iterator<Item = Proof> + '_ {
        self.first.into_iter().chain(self.more.iter().copied())
    }

    /// How many pieces of evidence.
    pub(crate) fn evidence_count(&self) -> usize {
        usize::from(self.first.is_some()) + self.more.len()
    }

    /// Adds a piece of evidence at the end.
    pub(crate) fn push(&mut self, p: Proof) {
        match self.first {
            None => self.first = Some(p),
            Some(_) => self.more.push(p),
        }
    }

    /// Takes in the evidence of another copy of this membership that it
    /// does not hold yet.
    pub(crate) fn unite(&mut self, other: &Seat) {
        for p in other.evidence() {
            if !self.evidence().any(|k| k == p) {
                self.push(p);
            }
        }
    }

    /// The evidence in one order whatever order the copies came in, each
    /// piece once even when one copy repeated it; no spare capacity.
    pub(crate) fn settle_evidence(&mut self, symbols: &Symbols) {
        if self.more.is_empty() {
            return;
        }
        let mut all: Vec<Proof> = self.evidence().collect();
        all.sort_unstable_by(|a, b| a.cmp(b, symbols));
        all.dedup();
        let mut rest = all.into_iter();
        self.first = rest.next();
        self.more = rest.collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::latest::{UnitKind, UnitRef};

    fn membership(added_at: Option<i64>, evidence: &[(&str, i64)]) -> Membership {
        Membership {
            unit: UnitRef {
                kind: UnitKind::Workspace,
                id: "{w}".into(),
                key: "w".into(),
            },
            role: None,
            level: Some(AccessLevel::Admin),
            billable: false,
            billable_reason: "not billed".into(),
            added_at,
            evidence: evidence
                .iter()
                .map(|&(source, at)| Evidence {
                    source: source.into(),
                    kind: EvidenceKind::Login,
                    at,
                })
                .collect(),
            evidence_gap: None,
        }
    }

    #[test]
    fn memberships_come_back_whatever_their_evidence_and_times() {
        let mut symbols = Symbols::default();
        for added_at in [None, Some(0), Some(i64::MIN), Some(i64::MAX)] {
            for n in 0..4 {
                let evidence: Vec<_> = (0..n).map(|i| ("src", i64::MAX - i)).collect();
                let m = membership(added_at, &evidence);
                let seat = Seat::compact(m.clone(), &mut symbols);
                assert_eq!(seat.evidence_count(), evidence.len());
                assert_eq!(seat.expand(&symbols), m);
            }
        }
    }

    #[test]
    fn united_evidence_is_settled_in_order_and_once() {
        let mut symbols = Symbols::default();
        let mut seat = Seat::compact(membership(None, &[("b", 2), ("a", 9)]), &mut symbols);
        let other = Seat::compact(
            membership(None, &[("a", 9), ("a", 1), ("c", 0)]),
            &mut symbols,
        );
        seat.unite(&other);
        assert_eq!(seat.evidence_count(), 4, "the repeated piece is not added");
        seat.settle_evidence(&symbols);
        let got: Vec<_> = seat.expand(&symbols).evidence;
        let order: Vec<_> = got.iter().map(|e| (e.source.as_str(), e.at)).collect();
        assert_eq!(order, [("a", 1), ("a", 9), ("b", 2), ("c", 0)]);
        assert_eq!(seat.more.capacity(), 3, "no spare room once settled");
    }
}
