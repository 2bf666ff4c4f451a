//! The WIT's spelling of the contract's enum values. The generated types
//! serialise with their Rust variant names (`NeverActive`); people, files
//! and databases see the WIT's (`never-active`).

use serde::Serialize;

use crate::latest::{AccessLevel, AccountState, Activity, EvidenceKind, UnitKind};

/// `NeverActive` as `never-active`.
pub fn kebab(variant: &str) -> String {
    let mut out = String::with_capacity(variant.len() + 4);
    for (i, c) in variant.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The WIT name of a contract enum value (`UnitKind::Workspace` as
/// `workspace`); a value that does not serialise to a string gives "".
pub fn wit_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => kebab(&s),
        _ => String::new(),
    }
}

/// A contract enum whose WIT spelling is known without serialising it:
/// the outputs write several per membership, and [`wit_name`] allocates
/// twice for each.
pub trait WitSpelled: Copy {
    /// The value as the WIT spells it, as [`wit_name`] gives it.
    fn wit(self) -> &'static str;
}

impl WitSpelled for UnitKind {
    fn wit(self) -> &'static str {
        match self {
            UnitKind::Workspace => "workspace",
            UnitKind::Instance => "instance",
            UnitKind::Organization => "organization",
            UnitKind::Other => "other",
        }
    }
}

impl WitSpelled for AccountState {
    fn wit(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::Suspended => "suspended",
            AccountState::Deactivated => "deactivated",
            AccountState::Unknown => "unknown",
        }
    }
}

impl WitSpelled for AccessLevel {
    fn wit(self) -> &'static str {
        match self {
            AccessLevel::Guest => "guest",
            AccessLevel::Member => "member",
            AccessLevel::Elevated => "elevated",
            AccessLevel::Admin => "admin",
            AccessLevel::Owner => "owner",
        }
    }
}

impl WitSpelled for EvidenceKind {
    fn wit(self) -> &'static str {
        match self {
            EvidenceKind::Web => "web",
            EvidenceKind::Api => "api",
            EvidenceKind::Git => "git",
            EvidenceKind::Login => "login",
            EvidenceKind::Unspecified => "unspecified",
        }
    }
}

impl WitSpelled for Activity {
    fn wit(self) -> &'static str {
        match self {
            Activity::Active => "active",
            Activity::Inactive => "inactive",
            Activity::NeverActive => "never-active",
            Activity::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WitSpelled;
    use crate::latest::{AccessLevel, AccountState, Activity, EvidenceKind, UnitKind};

    fn agrees<T: WitSpelled + serde::Serialize>(values: &[T]) {
        for &v in values {
            assert_eq!(v.wit(), super::wit_name(&v));
        }
    }

    #[test]
    fn known_spellings_agree_with_the_serialised_ones() {
        use AccessLevel as L;
        use AccountState as S;
        use EvidenceKind as E;
        agrees(&[
            UnitKind::Workspace,
            UnitKind::Instance,
            UnitKind::Organization,
            UnitKind::Other,
        ]);
        agrees(&[S::Active, S::Suspended, S::Deactivated, S::Unknown]);
        agrees(&[L::Guest, L::Member, L::Elevated, L::Admin, L::Owner]);
        agrees(&[E::Web, E::Api, E::Git, E::Login, E::Unspecified]);
        agrees(&[
            Activity::Active,
            Activity::Inactive,
            Activity::NeverActive,
            Activity::Unknown,
        ]);
    }

    #[test]
    fn variants_are_spelled_as_the_wit_spells_them() {
        assert_eq!(super::wit_name(&Activity::NeverActive), "never-active");
        assert_eq!(super::wit_name(&UnitKind::Workspace), "workspace");
        assert_eq!(super::wit_name(&AccessLevel::Elevated), "elevated");
    }
}
