//! A roster gives back exactly the users it was given, in their order.

use super::*;
use crate::wit::latest::{
    AccessLevel, AccountState, AccountStatus, Activity, Evidence, EvidenceKind, Membership,
    UnitKind, UnitRef, UserStatus,
};

fn user(n: u32, seats: u32) -> User {
    User {
        id: format!("{{user-{n}}}"),
        account_id: n.is_multiple_of(2).then(|| format!("acc-{n}")),
        email: n.is_multiple_of(3).then(|| format!("u{n}@example.com")),
        display_name: Some(format!("User {n}")),
        username: None,
        status: AccountStatus {
            upstream: Some("active".into()),
            state: AccountState::Active,
        },
        mfa_enabled: (n % 2 == 1).then_some(true),
        created_at: Some(1_600_000_000 + i64::from(n)),
        memberships: (0..seats)
            .map(|s| Membership {
                unit: UnitRef {
                    kind: if s.is_multiple_of(2) {
                        UnitKind::Workspace
                    } else {
                        UnitKind::Instance
                    },
                    id: format!("{{unit-{s}}}"),
                    key: format!("unit-{s}"),
                },
                role: s.is_multiple_of(2).then(|| "member".into()),
                level: Some(AccessLevel::Member),
                billable: !s.is_multiple_of(3),
                billable_reason: "a member holds a seat".into(),
                added_at: None,
                evidence: (0..s)
                    .map(|e| Evidence {
                        source: format!("source-{}", e % 2),
                        kind: EvidenceKind::Git,
                        at: i64::from(e) * 1000,
                    })
                    .collect(),
                evidence_gap: (s == 1).then(|| "no source sees this unit".into()),
            })
            .collect(),
    }
}

#[test]
fn users_come_back_as_given() {
    let users: Vec<User> = (0..50).map(|n| user(n, n % 5)).collect();
    let roster = Roster::from(users.clone());
    assert_eq!(roster.len(), 50);
    assert_eq!(
        roster.membership_count(),
        users.iter().map(|u| u.memberships.len()).sum::<usize>()
    );
    assert_eq!(roster.to_vec(), users);
    assert_eq!(roster.get(7).as_ref(), Some(&users[7]));
    assert_eq!(roster.find("{user-9}").as_ref(), Some(&users[9]));
    assert_eq!(roster.find("{nobody}"), None);
    assert!(roster.ids().eq(users.iter().map(|u| u.id.as_str())));
    let chunked: Vec<User> = roster.chunks(7).flatten().collect();
    assert_eq!(chunked, users);
    assert_eq!(roster.chunks(7).count(), 8);
}

#[test]
fn serialises_as_the_users_would() {
    let users: Vec<User> = (0..5).map(|n| user(n, 3)).collect();
    let roster = Roster::from(users.clone());
    assert_eq!(
        serde_json::to_value(&roster).unwrap(),
        serde_json::to_value(&users).unwrap()
    );
    assert_eq!(format!("{roster:?}"), format!("{users:?}"));
}

#[test]
fn equality_ignores_how_strings_are_kept() {
    let users: Vec<User> = (0..5).map(|n| user(n, 3)).collect();
    // Interned in another order: other symbols, the same users.
    let mut reversed: Roster = users.iter().rev().cloned().collect();
    assert_ne!(reversed, Roster::from(users.clone()));
    reversed = reversed
        .iter()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(reversed, Roster::from(users));
}

fn status(n: u32) -> UserStatus {
    UserStatus {
        user_id: format!("{{user-{n:03}}}"),
        display_name: n.is_multiple_of(2).then(|| format!("User {n}")),
        email: n.is_multiple_of(3).then(String::new),
        activity: [Activity::Active, Activity::Inactive, Activity::Unknown][n as usize % 3],
        reason: format!("reason {}", n % 4),
        last_active: (n % 2 == 1).then_some(i64::from(n) * 1000),
        last_active_source: (n % 2 == 1).then(|| "source".into()),
        units: (0..n % 3).map(|u| format!("unit-{u}")).collect(),
        mfa_enabled: None,
    }
}

#[test]
fn verdicts_come_back_sorted_by_user_and_are_found_by_id() {
    let given: Vec<UserStatus> = (0..40).rev().map(status).collect();
    let verdicts: Verdicts = given.iter().cloned().collect();
    let mut sorted = given.clone();
    sorted.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    assert_eq!(verdicts.to_vec(), sorted);
    assert_eq!(verdicts.len(), 40);
    assert_eq!(verdicts.find("{user-007}"), Some(status(7)));
    assert_eq!(verdicts.activity("{user-008}"), Some(status(8).activity));
    assert_eq!(verdicts.find("{user-999}"), None);
    assert_eq!(verdicts.activity("{a}"), None);
    assert_eq!(
        serde_json::to_value(&verdicts).unwrap(),
        serde_json::to_value(&sorted).unwrap()
    );
}

/// The verdict of `u` as a connector would give it, named as in the roster.
fn status_of(u: &User, n: u32) -> UserStatus {
    UserStatus {
        user_id: u.id.clone(),
        display_name: u.display_name.clone(),
        email: u.email.clone(),
        ..status(n)
    }
}

/// `n` users whose ids ({user-00}, {user-01}, …) sort as their numbers
/// do, each with `seats` memberships, and their roster.
fn in_order(n: u32, seats: u32) -> (Vec<User>, Roster) {
    let users: Vec<User> = (0..n)
        .map(|n| User {
            id: format!("{{user-{n:02}}}"),
            ..user(n, seats)
        })
        .collect();
    let roster = Roster::from(users.clone());
    (users, roster)
}

#[test]
fn verdicts_over_a_roster_give_back_what_the_connector_said() {
    let (users, roster) = in_order(30, 2);
    let mut given: Vec<UserStatus> = users
        .iter()
        .zip(0..)
        .map(|(u, n)| status_of(u, n))
        .collect();
    // A connector that renamed one user, dropped another's email, and
    // judged someone the listing never had: their own strings are kept.
    given[4].display_name = Some("Renamed".into());
    given[9].email = None;
    given.push(UserStatus {
        user_id: "{user-99}".into(),
        ..status(99)
    });
    let mut over = Verdicts::over(&roster);
    given.iter().rev().cloned().for_each(|s| over.push(s));
    over.settle();
    let alone: Verdicts = given.iter().cloned().collect();
    assert_eq!(over.to_vec(), given);
    assert_eq!(over, alone);
    assert_eq!(
        over.find("{user-04}").unwrap().display_name.as_deref(),
        Some("Renamed")
    );
    assert_eq!(over.find("{user-09}").unwrap().email, None);
    assert_eq!(over.find("{user-99}"), Some(given[30].clone()));
    assert_eq!(over.find("{user-05}"), Some(given[5].clone()));
}

#[test]
fn verdicts_over_a_roster_out_of_order_keep_their_own_strings() {
    let users: Vec<User> = (0..12).rev().map(|n| user(n, 1)).collect();
    let roster = Roster::from(users.clone());
    let given: Vec<UserStatus> = users
        .iter()
        .zip(0..)
        .map(|(u, n)| status_of(u, n))
        .collect();
    let mut over = Verdicts::over(&roster);
    given.iter().cloned().for_each(|s| over.push(s));
    over.settle();
    let mut sorted = given.clone();
    sorted.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    assert_eq!(over.to_vec(), sorted);
}

#[test]
fn a_cursor_finds_what_find_finds_in_any_order() {
    // Verdicts for every third user missing, and one for a user the
    // roster lacks between two it has.
    let (users, roster) = in_order(40, 1);
    let mut given: Vec<UserStatus> = users
        .iter()
        .zip(0..)
        .filter(|(_, n)| n % 3 != 0)
        .map(|(u, n)| status_of(u, n))
        .collect();
    given.push(UserStatus {
        user_id: "{user-20a}".into(),
        ..status(99)
    });
    let mut over = Verdicts::over(&roster);
    given.into_iter().for_each(|s| over.push(s));
    over.settle();
    let mut ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    ids.insert(21, "{user-20a}".into());
    ids.push("{zzz}".into());
    let mut cursor = over.cursor();
    for id in &ids {
        assert_eq!(cursor.find(id), over.find(id), "in order: {id}");
    }
    let mut cursor = over.cursor();
    for id in ids.iter().rev().chain(ids.iter().step_by(7)) {
        assert_eq!(cursor.activity(id), over.activity(id), "out of order: {id}");
    }
}

/// The user as its view's accessors read it, field by field.
fn read_through(v: UserView<'_>) -> User {
    User {
        id: v.id().into(),
        account_id: v.account_id().map(Into::into),
        email: v.email().map(Into::into),
        display_name: v.display_name().map(Into::into),
        username: v.username().map(Into::into),
        status: AccountStatus {
            upstream: v.upstream_status().map(Into::into),
            state: v.state(),
        },
        mfa_enabled: v.mfa_enabled(),
        created_at: v.created_at(),
        memberships: v
            .memberships()
            .map(|m| Membership {
                unit: UnitRef {
                    kind: m.unit_kind(),
                    id: m.unit_id().into(),
                    key: m.unit_key().into(),
                },
                role: m.role().map(Into::into),
                level: m.level(),
                billable: m.billable(),
                billable_reason: m.billable_reason().into(),
                added_at: m.added_at(),
                evidence: m
                    .evidence()
                    .map(|e| Evidence {
                        source: e.source.into(),
                        kind: e.kind,
                        at: e.at,
                    })
                    .collect(),
                evidence_gap: m.evidence_gap().map(Into::into),
            })
            .collect(),
    }
}

#[test]
fn views_read_what_the_built_users_hold() {
    let users: Vec<User> = (0..50).map(|n| user(n, n % 5)).collect();
    let roster = Roster::from(users.clone());
    assert_eq!(roster.views().len(), users.len());
    for (view, u) in roster.views().zip(&users) {
        assert_eq!(&read_through(view), u);
        assert_eq!(&view.to_user(), u);
        let counts: Vec<usize> = view.memberships().map(|m| m.evidence_count()).collect();
        let expected: Vec<usize> = u.memberships.iter().map(|m| m.evidence.len()).collect();
        assert_eq!(counts, expected);
    }
}

#[test]
fn a_verdict_view_reads_what_find_builds() {
    let (users, roster) = in_order(30, 2);
    let mut over = Verdicts::over(&roster);
    users
        .iter()
        .zip(0..)
        .filter(|(_, n)| n % 4 != 0)
        .for_each(|(u, n)| over.push(status_of(u, n)));
    over.settle();
    let mut cursor = over.cursor();
    for u in &users {
        let built = over.find(&u.id);
        let view = cursor.view(&u.id);
        assert_eq!(view.is_some(), built.is_some(), "{}", u.id);
        if let (Some(v), Some(b)) = (view, built) {
            assert_eq!(v.activity, b.activity);
            assert_eq!(v.reason, b.reason);
            assert_eq!(v.last_active, b.last_active);
            assert_eq!(v.last_active_source, b.last_active_source.as_deref());
        }
    }
}
