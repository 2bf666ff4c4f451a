//! The SDK's standard `compute-status` rules, over evidence and coverage.

use saas_connector_sdk::status::compute;
use saas_connector_sdk::{
    AccessLevel, AccountState, AccountStatus, Activity, BillingUnit, Coverage, Evidence,
    EvidenceKind, Listing, Membership, Policy, SeatFacts, UnitKind, UnitRef, User,
};

const DAY: i64 = 86_400;
const NOW: i64 = 1_790_000_000;

fn unit(key: &str) -> UnitRef {
    UnitRef {
        kind: UnitKind::Workspace,
        id: format!("{{{key}}}"),
        key: key.into(),
    }
}

fn seat(key: &str, last: Option<i64>, level: AccessLevel) -> Membership {
    Membership {
        unit: unit(key),
        role: Some(format!("{level:?}").to_lowercase()),
        level: Some(level),
        billable: true,
        billable_reason: "test".into(),
        added_at: None,
        evidence: last
            .map(|at| Evidence {
                source: "test-source".into(),
                kind: EvidenceKind::Web,
                at,
            })
            .into_iter()
            .collect(),
        evidence_gap: None,
    }
}

fn user(id: &str, state: AccountState, memberships: Vec<Membership>) -> User {
    User {
        id: id.into(),
        account_id: None,
        email: None,
        display_name: Some(id.to_uppercase()),
        username: None,
        status: AccountStatus {
            upstream: Some(format!("{state:?}").to_lowercase()),
            state,
        },
        mfa_enabled: Some(id.len().is_multiple_of(2)),
        created_at: None,
        memberships,
    }
}

/// Unit `a` is covered by `test-source`; unit `b` is covered by nothing.
fn listing(complete: bool) -> Listing {
    use AccessLevel::*;
    use AccountState::*;
    Listing {
        users: vec![
            user(
                "active",
                Active,
                vec![seat("a", Some(NOW - 10 * DAY), Owner)],
            ),
            user(
                "stale",
                Unknown,
                vec![seat("a", Some(NOW - 200 * DAY), Member)],
            ),
            user(
                "suspended",
                Suspended,
                vec![seat("a", Some(NOW - DAY), Member)],
            ),
            user("never", Active, vec![seat("a", None, Elevated)]),
            user("untracked", Active, vec![seat("b", None, Member)]),
            // Recent evidence in one unit makes the user active everywhere.
            user(
                "multi",
                Active,
                vec![
                    seat("a", Some(NOW - 300 * DAY), Member),
                    seat("b", Some(NOW - DAY), Admin),
                ],
            ),
        ],
        units: vec![BillingUnit {
            unit: unit("a"),
            name: None,
            created_at: None,
            seats: Some(SeatFacts {
                purchased: Some(10),
                used: Some(5),
                unlimited: false,
            }),
        }],
        coverage: vec![Coverage {
            source: "test-source".into(),
            unit_id: "{a}".into(),
        }],
        complete,
    }
}

fn policy() -> Policy {
    Policy {
        as_of: NOW,
        inactive_after_days: 90,
        purchased_seats: None,
    }
}

fn verdict(listing: &Listing, id: &str) -> (Activity, String) {
    let r = compute(listing, &policy());
    let s = r.users.iter().find(|s| s.user_id == id).unwrap();
    (s.activity, s.reason.clone())
}

#[test]
fn evidence_decides_and_only_a_covering_source_makes_never_active() {
    let l = listing(true);
    assert_eq!(verdict(&l, "active").0, Activity::Active);
    assert_eq!(verdict(&l, "stale").0, Activity::Inactive);
    let (a, why) = verdict(&l, "suspended");
    assert_eq!(a, Activity::Inactive);
    assert!(why.contains("suspended"), "{why}");
    let (a, why) = verdict(&l, "never");
    assert_eq!(a, Activity::NeverActive);
    assert!(why.contains("test-source") && why.contains('a'), "{why}");
    assert_eq!(verdict(&l, "untracked").0, Activity::Unknown);
    assert_eq!(verdict(&l, "multi").0, Activity::Active);
}

#[test]
fn a_named_gap_is_unknown_with_its_reason_even_in_a_covered_unit() {
    let mut l = listing(true);
    let mut outside = seat("a", None, AccessLevel::Member);
    outside.evidence_gap = Some("the user is outside the directory".into());
    l.users
        .push(user("outside", AccountState::Active, vec![outside.clone()]));
    // A gap in one unit does not hide a covered unit without one.
    l.users.push(user(
        "half",
        AccountState::Active,
        vec![outside, seat("a2", None, AccessLevel::Member)],
    ));
    l.coverage.push(Coverage {
        source: "test-source".into(),
        unit_id: "{a2}".into(),
    });
    let (a, why) = verdict(&l, "outside");
    assert_eq!(a, Activity::Unknown);
    assert_eq!(why, "in a, the user is outside the directory");
    assert_eq!(verdict(&l, "half").0, Activity::NeverActive);
    // Evidence still decides over a gap.
    let mut seen = seat("a", Some(NOW - DAY), AccessLevel::Member);
    seen.evidence_gap = Some("lag".into());
    l.users.push(user("seen", AccountState::Active, vec![seen]));
    assert_eq!(verdict(&l, "seen").0, Activity::Active);
}

#[test]
fn a_partial_listing_marks_nobody_idle() {
    let r = compute(&listing(false), &policy());
    assert!(r.users.iter().all(|s| !s.activity.is_idle()));
    assert_eq!(r.counts.active, 2);
    assert_eq!(r.counts.unknown, 4);
}

#[test]
fn seats_reconcile_per_unit_with_the_upstreams_own_numbers() {
    let r = compute(&listing(true), &policy());
    assert_eq!((r.seats.used, r.seats.unique_users), (7, 6));
    assert_eq!(r.reconciliation.extra_memberships, 1);
    assert_eq!(r.reconciliation.multi_unit_users, 1);
    // Only unit a reports a purchase: the total is unknown.
    assert_eq!(r.seats.purchased, None);
    let a = &r.seats.per_unit[0];
    assert_eq!(
        (a.unit.key.as_str(), a.used, a.purchased, a.reported_used),
        ("a", 5, Some(10), Some(5))
    );
    assert_eq!(a.admins, ["active"]);
    assert_eq!(a.idle, 3, "stale, suspended and never");
    assert_eq!(a.covered_by, ["test-source"]);
    let b = &r.seats.per_unit[1];
    assert!(b.covered_by.is_empty() && b.admins == ["multi"]);
    let with = compute(
        &listing(true),
        &Policy {
            purchased_seats: Some(5),
            ..policy()
        },
    );
    assert!(with.seats.used_exceeds_purchased && with.seats.unused.is_none());
}

#[test]
fn non_billable_memberships_hold_no_seat() {
    let mut l = listing(true);
    l.users[4].memberships[0].billable = false;
    let r = compute(&l, &policy());
    assert_eq!(r.seats.used, 6);
    assert_eq!(r.seats.per_unit[1].non_billable, 1);
    let untracked = r.users.iter().find(|s| s.user_id == "untracked").unwrap();
    assert!(untracked.units.is_empty());
}

#[test]
fn the_report_is_the_same_whatever_the_order_and_merges_repeated_users() {
    let l = listing(true);
    let mut shuffled = l.clone();
    shuffled.users.reverse();
    shuffled.users.push(l.users[1].clone());
    assert_eq!(compute(&l, &policy()), compute(&shuffled, &policy()));
}
