//! The direct serialiser writes, byte for byte, what the user's
//! `serde_json::Value`, restyled, writes: for every enum value, present and
//! absent fields, times in and out of range, with and without a verdict.

use serde_json::json;

use super::*;
use saas_runtime::json_style::restyle;
use saas_runtime::latest::{
    AccessLevel, AccountState, AccountStatus, Activity, Evidence, EvidenceKind, Membership,
    UnitKind, UnitRef, User, UserStatus,
};
use saas_runtime::roster::{Roster, Verdicts};

const LEVELS: [AccessLevel; 5] = [
    AccessLevel::Guest,
    AccessLevel::Member,
    AccessLevel::Elevated,
    AccessLevel::Admin,
    AccessLevel::Owner,
];
const KINDS: [EvidenceKind; 5] = [
    EvidenceKind::Web,
    EvidenceKind::Api,
    EvidenceKind::Git,
    EvidenceKind::Login,
    EvidenceKind::Unspecified,
];
const UNITS: [UnitKind; 4] = [
    UnitKind::Workspace,
    UnitKind::Instance,
    UnitKind::Organization,
    UnitKind::Other,
];
const STATES: [AccountState; 4] = [
    AccountState::Active,
    AccountState::Suspended,
    AccountState::Deactivated,
    AccountState::Unknown,
];
const ACTIVITIES: [Activity; 4] = [
    Activity::Active,
    Activity::Inactive,
    Activity::NeverActive,
    Activity::Unknown,
];

fn user(n: usize) -> User {
    let some = |k: usize| n.is_multiple_of(k);
    User {
        id: format!("{{user-{n}}}"),
        account_id: some(2).then(|| format!("acc-{n}")),
        email: some(3).then(|| format!("u{n}@example.com")),
        display_name: some(2).then(|| format!("Üser \"{n}\"")),
        username: some(5).then(|| format!("u{n}")),
        status: AccountStatus {
            upstream: some(2).then(|| "active".into()),
            state: STATES[n % 4],
        },
        mfa_enabled: [None, Some(true), Some(false)][n % 3],
        created_at: [None, Some(1_600_000_000), Some(i64::MAX)][n % 3],
        memberships: (0..n % 4)
            .map(|i| Membership {
                unit: UnitRef {
                    kind: UNITS[(n + i) % 4],
                    id: format!("{{unit-{i}}}"),
                    key: format!("unit-{i}"),
                },
                role: some(2).then(|| "member".into()),
                level: (!some(7)).then_some(LEVELS[(n + i) % 5]),
                billable: i.is_multiple_of(2),
                billable_reason: "a seat".into(),
                added_at: some(2).then_some(1_700_000_000 + i as i64),
                evidence: (0..i)
                    .map(|e| Evidence {
                        source: format!("source-{e}"),
                        kind: KINDS[(n + e) % 5],
                        at: -86_400 * e as i64,
                    })
                    .collect(),
                evidence_gap: (i == 1).then(|| "no source sees it".into()),
            })
            .collect(),
    }
}

fn status(n: usize) -> UserStatus {
    UserStatus {
        user_id: format!("{{user-{n}}}"),
        display_name: None,
        email: None,
        activity: ACTIVITIES[n % 4],
        reason: format!("reason {n}"),
        last_active: n.is_multiple_of(2).then_some(1_650_000_000),
        last_active_source: n.is_multiple_of(2).then(|| "source-0".into()),
        units: vec![],
        mfa_enabled: None,
    }
}

/// The user as the outputs wrote it before: a value, restyled.
fn through_a_value(user: &User, status: Option<&UserStatus>, record: Option<&str>) -> String {
    let mut v = serde_json::to_value(user).unwrap();
    if let Some(s) = status {
        v["verdict"] = json!({
            "activity": s.activity.wit(),
            "reason": s.reason,
            "last_active": s.last_active,
            "last_active_source": s.last_active_source,
        });
    }
    restyle(&mut v);
    if let Some(t) = record {
        v["type"] = json!(t);
    }
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn writes_what_the_restyled_value_writes() {
    for n in 0..120 {
        let (u, s) = (user(n), status(n));
        let roster = Roster::from(vec![u.clone()]);
        let view = roster.views().next().unwrap();
        let verdicts: Verdicts = [s.clone()].into_iter().collect();
        let verdict_view = verdicts.cursor().view(&s.user_id);
        assert!(verdict_view.is_some());
        for (verdict, record) in [(None, None), (Some(&s), None), (Some(&s), Some("user"))] {
            let direct = StyledUser {
                user: view,
                status: verdict.and(verdict_view),
                record_type: record,
            };
            assert_eq!(
                serde_json::to_string_pretty(&direct).unwrap(),
                through_a_value(&u, verdict, record),
                "user {n}"
            );
        }
    }
}
