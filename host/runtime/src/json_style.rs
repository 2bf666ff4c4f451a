//! The one style of every JSON document the reference host prints (and of
//! a scenario's truth): keys in
//! snake_case (Rust's field names), enum values in kebab-case (the WIT's
//! spelling: `never-active`, `workspace`, `elevated`), and times as RFC 3339
//! strings in UTC. The contract's types serialise with their Rust variant
//! names and Unix seconds; [`restyle`] turns a serialised value into this
//! style by the contract's field names, so every output agrees.

use serde::Serialize;
use serde_json::Value;

use crate::names::kebab;

/// A contract timestamp (Unix seconds) as RFC 3339 in UTC; the number
/// itself when it is out of RFC 3339's range.
pub fn iso(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Fields that hold a contract `timestamp` (Unix seconds).
const TIME_FIELDS: [&str; 8] = [
    "at",
    "as_of",
    "started_at",
    "finished_at",
    "created_at",
    "added_at",
    "last_active",
    "expires_at",
];

/// Fields that hold a contract enum or a list of them (unit kind, account
/// state, access level, evidence kind, activity, a setting's type, a slot's
/// credential kinds, capabilities).
const ENUM_FIELDS: [&str; 7] = [
    "kind",
    "state",
    "level",
    "activity",
    "ty",
    "kinds",
    "capabilities",
];

/// Whether `s` is a Rust variant name (`NeverActive`), not data.
fn is_variant(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Rewrites times and enum values in place, at any depth.
pub fn restyle(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::Number(n) if TIME_FIELDS.contains(&key.as_str()) => {
                        if let Some(t) = n.as_i64() {
                            *v = Value::String(iso(t));
                        }
                    }
                    Value::String(s) if ENUM_FIELDS.contains(&key.as_str()) && is_variant(s) => {
                        *s = kebab(s);
                    }
                    Value::Array(items) if ENUM_FIELDS.contains(&key.as_str()) => {
                        for item in items {
                            match item {
                                Value::String(s) if is_variant(s) => *s = kebab(s),
                                other => restyle(other),
                            }
                        }
                    }
                    _ => restyle(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(restyle),
        _ => {}
    }
}

/// `value` as pretty JSON in this style.
pub fn pretty(value: &impl Serialize) -> serde_json::Result<String> {
    let mut v = serde_json::to_value(value)?;
    restyle(&mut v);
    serde_json::to_string_pretty(&v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_become_rfc_3339_and_variants_kebab_case_by_field() {
        let mut v = json!({
            "as_of": 0,
            "unit": {"kind": "Workspace", "key": "Acme"},
            "memberships": [{"level": "Elevated", "added_at": null,
                "evidence": [{"kind": "Web", "at": 86400, "source": "Bitbucket"}]}],
            "status": {"activity": "never-active", "state": "NeverActive"},
            "capabilities": ["GroupRead", "Refresh"],
            "name": "Workspace",
        });
        restyle(&mut v);
        assert_eq!(
            v,
            json!({
                "as_of": "1970-01-01T00:00:00Z",
                "unit": {"kind": "workspace", "key": "Acme"},
                "memberships": [{"level": "elevated", "added_at": null,
                    "evidence": [{"kind": "web", "at": "1970-01-02T00:00:00Z", "source": "Bitbucket"}]}],
                "status": {"activity": "never-active", "state": "never-active"},
                "capabilities": ["group-read", "refresh"],
                "name": "Workspace",
            })
        );
    }
}
