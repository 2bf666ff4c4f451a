//! The strings a listing repeats, each kept once: workspace ids and keys,
//! roles, billable reasons, evidence sources, evidence gaps and upstream
//! account states. At a hundred thousand memberships the same few dozen
//! sentences would otherwise be a hundred thousand allocations.

use std::num::NonZeroU32;
use std::sync::Arc;

use foldhash::HashMap;

use crate::wit::latest::{UnitKind, UnitRef};

/// A string kept once in [`Symbols`]; `Option<Sym>` takes four bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Sym(NonZeroU32);

/// A unit reference kept once in [`Symbols`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct UnitSym(u32);

/// A unit reference as its kind and interned id and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Unit {
    kind: u8,
    id: Sym,
    key: Sym,
}

/// Every unit kind, by its discriminant (the contract's order).
const KINDS: [UnitKind; 4] = [
    UnitKind::Workspace,
    UnitKind::Instance,
    UnitKind::Organization,
    UnitKind::Other,
];

/// Interned strings and unit references: ids are dense, from zero.
#[derive(Debug, Default, Clone)]
pub(crate) struct Symbols {
    strings: Vec<Arc<str>>,
    index: HashMap<Arc<str>, Sym>,
    units: Vec<Unit>,
    unit_index: HashMap<Unit, UnitSym>,
}

impl Symbols {
    /// The symbol of `s`, added when new.
    pub(crate) fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.index.get(s) {
            return sym;
        }
        let n = u32::try_from(self.strings.len() + 1).expect("fewer than 2^32 distinct strings");
        let sym = Sym(NonZeroU32::new(n).expect("counted from one"));
        let kept: Arc<str> = Arc::from(s);
        self.strings.push(kept.clone());
        self.index.insert(kept, sym);
        sym
    }

    /// The string of a symbol.
    pub(crate) fn get(&self, sym: Sym) -> &str {
        &self.strings[sym.0.get() as usize - 1]
    }

    /// The symbol of a unit reference, added when new.
    pub(crate) fn unit(&mut self, unit: &UnitRef) -> UnitSym {
        let u = Unit {
            kind: unit.kind as u8,
            id: self.intern(&unit.id),
            key: self.intern(&unit.key),
        };
        if let Some(&sym) = self.unit_index.get(&u) {
            return sym;
        }
        let sym = UnitSym(u32::try_from(self.units.len()).expect("fewer than 2^32 units"));
        self.units.push(u);
        self.unit_index.insert(u, sym);
        sym
    }

    /// A unit's id.
    pub(crate) fn unit_id(&self, unit: UnitSym) -> &str {
        self.get(self.units[unit.0 as usize].id)
    }

    /// A unit's key.
    pub(crate) fn unit_key(&self, unit: UnitSym) -> &str {
        self.get(self.units[unit.0 as usize].key)
    }

    /// A unit's kind.
    pub(crate) fn unit_kind(&self, unit: UnitSym) -> UnitKind {
        KINDS[usize::from(self.units[unit.0 as usize].kind)]
    }

    /// The unit reference, as the contract has it.
    pub(crate) fn unit_ref(&self, unit: UnitSym) -> UnitRef {
        let u = self.units[unit.0 as usize];
        UnitRef {
            kind: KINDS[usize::from(u.kind)],
            id: self.get(u.id).to_string(),
            key: self.get(u.key).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_kept_once_and_read_back() {
        let mut s = Symbols::default();
        let a = s.intern("member");
        let b = s.intern("admin");
        assert_eq!(s.intern("member"), a);
        assert_ne!(a, b);
        assert_eq!((s.get(a), s.get(b)), ("member", "admin"));
    }

    #[test]
    fn unit_references_round_trip_with_their_kind() {
        let mut s = Symbols::default();
        for kind in KINDS {
            let r = UnitRef {
                kind,
                id: "{1}".into(),
                key: "one".into(),
            };
            let sym = s.unit(&r);
            assert_eq!(s.unit(&r), sym);
            assert_eq!(s.unit_ref(sym), r);
        }
        assert_eq!(s.units.len(), 4, "one per kind");
    }
}
