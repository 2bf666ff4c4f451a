//! The WIT's spelling of the contract's enum values. The generated types
//! serialise with their Rust variant names (`NeverActive`); people, files
//! and databases see the WIT's (`never-active`).

use serde::Serialize;

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

#[cfg(test)]
mod tests {
    use crate::latest::{AccessLevel, Activity, UnitKind};

    #[test]
    fn variants_are_spelled_as_the_wit_spells_them() {
        assert_eq!(super::wit_name(&Activity::NeverActive), "never-active");
        assert_eq!(super::wit_name(&UnitKind::Workspace), "workspace");
        assert_eq!(super::wit_name(&AccessLevel::Elevated), "elevated");
    }
}
