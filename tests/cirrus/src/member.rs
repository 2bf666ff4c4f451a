//! A Cirrus member as a contract user: one membership of the one
//! workspace, its last-active time as evidence, suspension as the state.

use saas_connector_sdk::{
    AccessLevel, AccountState, AccountStatus, ConnectorError, Evidence, EvidenceKind, Membership,
    Result, UnitRef, User,
};
use serde_json::Value;

/// The evidence source of Cirrus's `last_active`.
pub const SOURCE: &str = "cirrus-last-active";

/// The key of Cirrus's one billing unit, and the scope of its groups.
pub const UNIT_KEY: &str = "cirrus";

/// The user of one member item; an item without `user_id` is malformed.
pub fn member(v: &Value, unit: &UnitRef, drop_email: bool) -> Result<User> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    let id = text("user_id")
        .ok_or_else(|| ConnectorError::MalformedResponse("a member without user_id".into()))?;
    let admin = v["admin"].as_bool().unwrap_or(false);
    let suspended = v["suspended"].as_bool().unwrap_or(false);
    Ok(User {
        id,
        account_id: None,
        email: text("mail").filter(|_| !drop_email),
        display_name: text("full_name"),
        username: None,
        status: AccountStatus {
            upstream: Some(if suspended { "suspended" } else { "active" }.into()),
            state: if suspended {
                AccountState::Suspended
            } else {
                AccountState::Active
            },
        },
        mfa_enabled: None,
        created_at: None,
        memberships: vec![Membership {
            unit: unit.clone(),
            role: Some(if admin { "admin" } else { "member" }.into()),
            level: Some(if admin {
                AccessLevel::Admin
            } else {
                AccessLevel::Member
            }),
            billable: !suspended,
            billable_reason: if suspended {
                "suspended members hold no Cirrus seat".into()
            } else {
                "every active Cirrus member holds a seat".into()
            },
            added_at: None,
            evidence: v["last_active"]
                .as_i64()
                .map(|at| Evidence {
                    source: SOURCE.into(),
                    kind: EvidenceKind::Web,
                    at,
                })
                .into_iter()
                .collect(),
            evidence_gap: None,
        }],
    })
}
