//! The overview's arithmetic and the page's safety, on a hand-made run.

use saas_history::{Activity, EvidenceRow, MembershipRow, RunInfo, Snapshot, UnitRow, UserRow};

use crate::{Overview, render};

const DAY: i64 = 86_400;
const NOW: i64 = 1_780_000_000;

fn person(n: u32, activity: Activity, days_ago: Option<i64>, units: &[&str]) -> UserRow {
    let at = days_ago.map(|d| NOW - d * DAY);
    UserRow {
        id: format!("u{n}"),
        account_id: None,
        username: None,
        display_name: Some(if n == 0 {
            "<script>alert(1)</script>".into()
        } else {
            format!("P{n}")
        }),
        email: None,
        account_state: "active".into(),
        upstream_status: None,
        mfa_enabled: None,
        created_at: None,
        activity,
        reason: "because".into(),
        last_active: at,
        last_active_source: at.map(|_| "web".into()),
        memberships: units
            .iter()
            .map(|u| MembershipRow {
                unit_id: (*u).into(),
                role: None,
                level: None,
                billable: true,
                billable_reason: String::new(),
                added_at: None,
                evidence_gap: None,
                evidence: at
                    .map(|at| EvidenceRow {
                        source: "web".into(),
                        kind: "web".into(),
                        at,
                    })
                    .into_iter()
                    .collect(),
            })
            .collect(),
    }
}

fn run() -> Snapshot {
    let users = vec![
        person(0, Activity::Inactive, Some(200), &["a"]),
        person(1, Activity::NeverActive, None, &["a", "b"]),
        person(2, Activity::Active, Some(3), &["b"]),
        person(3, Activity::Unknown, None, &["b"]),
        person(4, Activity::Inactive, Some(400), &["b"]),
    ];
    let unit = |id: &str, key: &str, used, idle| UnitRow {
        id: id.into(),
        kind: "workspace".into(),
        key: key.into(),
        name: None,
        used,
        purchased: None,
        reported_used: None,
        non_billable: 0,
        idle,
        admins: 0,
        covered_by: vec!["web".into()],
    };
    Snapshot {
        run: RunInfo {
            id: 3,
            source: "toy".into(),
            connector: "toy".into(),
            connector_version: "1".into(),
            operator: "me".into(),
            started_at: NOW,
            finished_at: NOW,
            as_of: NOW,
            inactive_days: 90,
            complete: true,
            error: None,
            seats_used: 6,
            seats_purchased: None,
            seats_idle: 4,
            people: 5,
            memberships: 6,
            active: 1,
            inactive: 2,
            never_active: 1,
            unknown: 1,
            requests: 1,
            steps: 1,
            elapsed_ms: 1,
        },
        units: vec![unit("a", "<b>a</b>", 2, 2), unit("b", "b", 4, 2)],
        users,
        coverage: vec![],
    }
}

#[test]
fn the_overview_sorts_idle_first_longest_idle_first_and_prices_idle_seats() {
    let o = Overview::of(&run(), Some(12.5));
    let order: Vec<&str> = o.users.iter().map(|u| u.label.as_str()).collect();
    assert_eq!(order, ["P1", "P4", "<script>alert(1)</script>", "P3", "P2"]);
    assert_eq!(o.idle_users().count(), 3);
    assert_eq!(o.idle_seats, 4);
    assert_eq!(o.never_active_seats, 2, "P1 holds a seat in both units");
    assert_eq!(o.cost.unwrap().idle_monthly, 50.0);
    assert_eq!(o.with_evidence, 3);
    assert_eq!(o.multi_unit_people, 1);
    let ages: Vec<u32> = o.ages.iter().map(|a| a.1).collect();
    assert_eq!(ages, [1, 0, 0, 0, 1, 1, 0, 2]);
    assert_eq!(o.units[1].unknown, 1);
}

#[test]
fn the_page_escapes_what_the_upstream_named_and_fetches_nothing() {
    let snap = run();
    let mut older = snap.run.clone();
    older.id = 1;
    let page = render(&snap, &[older, snap.run.clone()], Some(10.0), "0.2.0").unwrap();
    assert!(!page.contains("<script"), "a display name became markup");
    assert!(!page.contains("<b>a</b>"), "a unit key became markup");
    assert!(page.contains("&lt;script&gt;"));
    for fetch in [
        " src=", "href=", "url(", "@import", "<link", "<iframe", "<object",
    ] {
        assert!(!page.contains(fetch), "the page may fetch: {fetch}");
    }
    assert_eq!(
        page.matches("<svg").count(),
        4,
        "seats, activity, ages and trend"
    );
    assert_eq!(page.matches("<table").count(), 6);
    assert!(page.contains("default-src 'none'"));
    assert!(page.contains("40.00"), "the cost of four idle seats at 10");
}
