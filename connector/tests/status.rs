//! The status rules of `compute-status`.

use bitbucket_connector::model::{Membership, MembershipSource, Role, User};
use bitbucket_connector::status::{Activity, Policy, compute};

const DAY: i64 = 86_400;
const NOW: i64 = 1_790_000_000;

fn membership(ws: &str, last: Option<i64>, role: Role) -> Membership {
    Membership {
        workspace: ws.into(),
        workspace_id: format!("{{{ws}}}"),
        role: Some(role),
        added_on: None,
        last_accessed: last,
        source: MembershipSource::Permissions,
    }
}

fn user(id: &str, status: Option<&str>, memberships: Vec<Membership>) -> User {
    User {
        id: id.into(),
        account_id: None,
        nickname: None,
        display_name: Some(id.to_uppercase()),
        username: None,
        website: None,
        account_status: status.map(String::from),
        has_2fa_enabled: Some(id.len().is_multiple_of(2)),
        created_on: None,
        memberships,
    }
}

fn policy(complete: bool) -> Policy {
    Policy {
        as_of: NOW,
        inactive_after_days: 90,
        purchased_seats: Some(4),
        listing_complete: complete,
    }
}

fn users() -> Vec<User> {
    vec![
        user(
            "active",
            Some("active"),
            vec![membership("a", Some(NOW - 10 * DAY), Role::Owner)],
        ),
        user(
            "stale",
            None,
            vec![membership("a", Some(NOW - 200 * DAY), Role::Member)],
        ),
        user(
            "closed",
            Some("closed"),
            vec![membership("a", Some(NOW - DAY), Role::Member)],
        ),
        user(
            "never",
            Some("active"),
            vec![membership("a", None, Role::Collaborator)],
        ),
        user(
            "untracked",
            Some("active"),
            vec![membership("b", None, Role::Member)],
        ),
        // In two workspaces: recent access in one makes the user active.
        user(
            "multi",
            Some("active"),
            vec![
                membership("a", Some(NOW - 300 * DAY), Role::Member),
                membership("b", None, Role::Owner),
            ],
        ),
    ]
}

fn activity(report: &bitbucket_connector::status::StatusReport, id: &str) -> Activity {
    report
        .users
        .iter()
        .find(|u| u.user_id == id)
        .unwrap()
        .activity
}

#[test]
fn applies_each_rule_and_says_why() {
    let r = compute(&users(), &policy(true));
    assert_eq!(activity(&r, "active"), Activity::Active);
    assert_eq!(activity(&r, "stale"), Activity::Inactive);
    assert_eq!(activity(&r, "closed"), Activity::Inactive);
    assert_eq!(activity(&r, "never"), Activity::NeverActive);
    assert_eq!(activity(&r, "untracked"), Activity::Unknown);
    assert_eq!(activity(&r, "multi"), Activity::Inactive);
    let closed = r.users.iter().find(|u| u.user_id == "closed").unwrap();
    assert!(closed.reason.contains("closed"));
    assert_eq!(
        r.counts.active + r.counts.inactive + r.counts.never_active + r.counts.unknown,
        6
    );
}

#[test]
fn unknown_evidence_is_never_inactive() {
    let r = compute(&users(), &policy(true));
    let u = r.users.iter().find(|u| u.user_id == "untracked").unwrap();
    assert_eq!(u.activity, Activity::Unknown);
    assert_eq!(u.last_login, None);
}

#[test]
fn a_partial_listing_marks_nobody_idle() {
    let r = compute(&users(), &policy(false));
    assert!(
        r.users
            .iter()
            .all(|u| matches!(u.activity, Activity::Active | Activity::Unknown))
    );
    assert_eq!(activity(&r, "active"), Activity::Active);
}

#[test]
fn counts_seats_per_membership_and_reconciles_unique_users() {
    let r = compute(&users(), &policy(true));
    assert_eq!(r.licences.used, 7);
    assert_eq!(r.licences.unique_users, 6);
    assert!(r.licences.over_purchased);
    assert_eq!(r.licences.unused, None);
    assert_eq!(r.reconciliation.membership_sum, 7);
    assert_eq!(r.reconciliation.multi_workspace_users, 1);
    assert_eq!(r.reconciliation.extra_memberships, 1);
    let a = &r.licences.per_workspace[0];
    assert_eq!(
        (a.workspace.as_str(), a.used_seats, a.collaborators),
        ("a", 5, 1)
    );
    assert_eq!(a.owners, ["active"]);
    assert!(a.reports_activity);
    assert!(!r.licences.per_workspace[1].reports_activity);
}

#[test]
fn is_deterministic_whatever_the_input_order_and_page_split() {
    let mut shuffled = users();
    shuffled.reverse();
    // The same user split over two pages (as a host may pass them unmerged).
    let mut split = users();
    let multi = split.pop().unwrap();
    let mut first = multi.clone();
    first.memberships.truncate(1);
    let mut second = multi;
    second.memberships.remove(0);
    split.push(second);
    split.insert(0, first);
    let a = compute(&users(), &policy(true));
    assert_eq!(a, compute(&shuffled, &policy(true)));
    assert_eq!(a, compute(&split, &policy(true)));
}

#[test]
fn reports_two_factor_coverage() {
    let r = compute(&users(), &policy(true));
    assert_eq!(
        r.two_factor.enabled + r.two_factor.disabled + r.two_factor.unknown,
        6
    );
}
