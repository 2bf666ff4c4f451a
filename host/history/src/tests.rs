//! The history against real SQLite files in a temporary folder.

use std::os::unix::fs::PermissionsExt;

use serde_json::json;

use crate::{
    Action, Activity, EvidenceRow, History, HistoryError, MembershipRow, NewAction, Operation,
    RunInfo, Snapshot, UnitRow, UserRow, diff,
};

fn user(id: &str, activity: Activity, unit: &str) -> UserRow {
    UserRow {
        id: id.into(),
        account_id: Some(format!("acct-{id}")),
        username: Some(id.into()),
        display_name: Some(format!("User {id}")),
        email: Some(format!("{id}@example.com")),
        account_state: "active".into(),
        upstream_status: None,
        mfa_enabled: Some(true),
        created_at: Some(1_600_000_000),
        activity,
        reason: format!("{} for the test", activity.as_str()),
        last_active: Some(1_700_000_000),
        last_active_source: Some("web-log".into()),
        memberships: vec![MembershipRow {
            unit_id: format!("{unit}-id"),
            role: Some("member".into()),
            level: Some("member".into()),
            billable: true,
            billable_reason: "every member holds a seat".into(),
            added_at: None,
            evidence_gap: None,
            evidence: vec![EvidenceRow {
                source: "web-log".into(),
                kind: "web".into(),
                at: 1_700_000_000,
            }],
        }],
    }
}

fn snapshot(users: Vec<UserRow>, complete: bool) -> Snapshot {
    let idle = users.iter().filter(|u| u.activity.is_idle()).count() as u32;
    Snapshot {
        run: RunInfo {
            id: 0,
            source: "toy@example".into(),
            connector: "toy".into(),
            connector_version: "1.0.0".into(),
            operator: "tester".into(),
            started_at: 1_750_000_000,
            finished_at: 1_750_000_010,
            as_of: 1_750_000_010,
            inactive_days: 90,
            complete,
            error: (!complete).then(|| "stopped".into()),
            seats_used: users.len() as u32,
            seats_purchased: Some(10),
            seats_idle: idle,
            people: users.len() as u32,
            memberships: users.len() as u32,
            active: users.len() as u32 - idle,
            inactive: idle,
            never_active: 0,
            unknown: 0,
            requests: 3,
            steps: 1,
            elapsed_ms: 12,
        },
        units: vec![UnitRow {
            id: "acme-id".into(),
            kind: "workspace".into(),
            key: "acme".into(),
            name: Some("Acme".into()),
            used: users.len() as u32,
            purchased: Some(10),
            reported_used: None,
            non_billable: 0,
            idle,
            admins: 1,
            covered_by: vec!["web-log".into()],
        }],
        users,
        coverage: vec![("web-log".into(), "acme-id".into())],
    }
}

fn open() -> (tempfile::TempDir, History) {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(&dir.path().join("data/history.sqlite")).unwrap();
    (dir, h)
}

#[test]
fn a_run_reads_back_as_it_was_stored_in_a_private_file() {
    let (dir, mut h) = open();
    let snap = snapshot(
        vec![
            user("a", Activity::Active, "acme"),
            user("b", Activity::Inactive, "acme"),
        ],
        true,
    );
    let id = h.record(&snap).unwrap();
    let mut back = h.load(id).unwrap();
    assert_eq!(back.run.id, id);
    back.run.id = 0;
    assert_eq!(back, snap);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("data/history.sqlite")), 0o600);
    assert_eq!(mode(&dir.path().join("data")), 0o700);
    assert_eq!(h.runs(Some("toy@example")).unwrap().len(), 1);
    assert!(h.runs(Some("other")).unwrap().is_empty());
    // The memberships are JSON text that SQLite's own functions read, as
    // the README's example query does.
    let units: Vec<(String, String)> = h
        .conn
        .prepare(
            "SELECT user_id, m.value ->> 'unit_id' FROM users, json_each(users.memberships) AS m
             WHERE run_id = ?1 AND typeof(memberships) = 'text' ORDER BY user_id",
        )
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        units,
        [
            ("a".into(), "acme-id".into()),
            ("b".into(), "acme-id".into())
        ]
    );
}

/// Records `snap` from its outline and its rows one at a time, and reads
/// it back whole.
fn round_trip_from_outline(snap: &Snapshot) {
    let (_dir, mut h) = open();
    let outline = Snapshot {
        users: Vec::new(),
        ..snap.clone()
    };
    let id = h.record_users(&outline, snap.users.clone()).unwrap();
    let mut back = h.load(id).unwrap();
    back.run.id = 0;
    assert_eq!(&back, snap);
}

#[test]
fn a_run_recorded_from_its_outline_and_rows_one_at_a_time_reads_back_whole() {
    let snap = snapshot(
        vec![
            user("a", Activity::Active, "acme"),
            user("b", Activity::NeverActive, "acme"),
        ],
        true,
    );
    round_trip_from_outline(&snap);
}

#[test]
fn many_users_with_none_to_several_memberships_and_evidence_read_back_whole() {
    // 301 users, with none to four memberships of none to two pieces of
    // evidence each, some without an email or a role.
    let users: Vec<UserRow> = (0..301)
        .map(|n| {
            let mut u = user(&format!("u{n:04}"), Activity::Active, "acme");
            u.email = (n % 7 != 0).then(|| format!("u{n}@example.com"));
            u.memberships = (0..n % 5)
                .map(|m| MembershipRow {
                    unit_id: format!("unit-{m}"),
                    role: (m % 2 == 0).then(|| "member".into()),
                    evidence: (0..(n + m) % 3)
                        .map(|e| EvidenceRow {
                            source: format!("source-{e}"),
                            kind: "web".into(),
                            at: 1_700_000_000 + i64::from(e),
                        })
                        .collect(),
                    ..user("x", Activity::Active, "acme").memberships[0].clone()
                })
                .collect();
            u
        })
        .collect();
    round_trip_from_outline(&snapshot(users, true));
}

#[test]
fn memberships_that_are_not_this_versions_json_are_a_typed_error() {
    let (_dir, mut h) = open();
    let id = h
        .record(&snapshot(vec![user("a", Activity::Active, "acme")], true))
        .unwrap();
    h.conn
        .execute("UPDATE users SET memberships = '[{\"unit_id\": 7}]'", [])
        .unwrap();
    match h.load(id) {
        Err(HistoryError::Value(why)) => assert!(why.contains("memberships of a in run"), "{why}"),
        other => panic!("expected a value error, got {other:?}"),
    }
}

#[test]
fn reopening_keeps_runs_and_a_file_that_is_no_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    {
        let mut h = History::open(&path).unwrap();
        h.record(&snapshot(vec![user("a", Activity::Active, "acme")], true))
            .unwrap();
    }
    assert_eq!(History::open(&path).unwrap().runs(None).unwrap().len(), 1);
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"not a database, but somebody's notes\n".repeat(200)).unwrap();
    let before = std::fs::read(&junk).unwrap();
    assert!(matches!(
        History::open(&junk),
        Err(HistoryError::Damaged { .. })
    ));
    assert_eq!(std::fs::read(&junk).unwrap(), before);
}

#[test]
fn a_history_from_a_newer_saas_host_is_refused_naming_both_schemas_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    drop(History::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 7)
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    match History::open(&path) {
        Err(HistoryError::Schema { detail, .. }) => {
            assert!(
                detail.contains("a newer saas-host wrote it (schema 7;"),
                "{detail}"
            )
        }
        other => panic!("expected a schema error, got {:?}", other.err()),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn diff_names_joiners_leavers_the_newly_idle_and_the_returned() {
    let before = snapshot(
        vec![
            user("stays", Activity::Active, "acme"),
            user("dozes", Activity::Active, "acme"),
            user("wakes", Activity::Inactive, "acme"),
            user("leaves", Activity::Active, "acme"),
        ],
        true,
    );
    let mut after = snapshot(
        vec![
            user("stays", Activity::Active, "acme"),
            user("dozes", Activity::Inactive, "acme"),
            user("wakes", Activity::Active, "acme"),
            user("joins", Activity::NeverActive, "acme"),
            user("joins2", Activity::Active, "acme"),
        ],
        true,
    );
    after.run.id = 2;
    let d = diff(&before, &after);
    let ids = |c: &[crate::Change]| c.iter().map(|c| c.user_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&d.joined), ["joins", "joins2"]);
    assert_eq!(ids(&d.left), ["leaves"]);
    assert_eq!(ids(&d.became_idle), ["dozes"]);
    assert_eq!(ids(&d.came_back), ["wakes"]);
    assert_eq!(d.units[0].seats_delta(), 1);
    assert!(d.caveats.is_empty());
    assert_eq!(d.became_idle[0].units, ["acme"]);
}

#[test]
fn a_partial_run_calls_nobody_idle_back_or_gone() {
    let before = snapshot(
        vec![
            user("a", Activity::Active, "acme"),
            user("b", Activity::Active, "acme"),
        ],
        true,
    );
    let mut after = snapshot(
        vec![
            user("a", Activity::Inactive, "acme"),
            user("c", Activity::Active, "acme"),
        ],
        false,
    );
    after.run.id = 7;
    let d = diff(&before, &after);
    assert!(d.became_idle.is_empty() && d.came_back.is_empty() && d.left.is_empty());
    assert_eq!(d.joined.len(), 1);
    assert_eq!(d.caveats.len(), 2, "{:?}", d.caveats);
    assert!(d.caveats[0].contains("run 7 is partial"));
}

#[test]
fn previous_complete_skips_partial_runs_and_prune_forgets_old_ones() {
    let (_dir, mut h) = open();
    let first = h
        .record(&snapshot(vec![user("a", Activity::Active, "acme")], true))
        .unwrap();
    let mut partial = snapshot(vec![], false);
    partial.run.finished_at += 86_400;
    let _p = h.record(&partial).unwrap();
    let mut last = snapshot(vec![user("a", Activity::Active, "acme")], true);
    last.run.finished_at += 2 * 86_400;
    let third = h.record(&last).unwrap();
    assert_eq!(
        h.previous_complete("toy@example", third)
            .unwrap()
            .unwrap()
            .id,
        first
    );
    assert_eq!(h.prune(1_750_000_010 + 86_400).unwrap(), 1);
    assert_eq!(h.runs(None).unwrap().len(), 2);
    assert!(matches!(h.load(first), Err(HistoryError::NoSuchRun(n)) if n == first));
    let left: i64 = h
        .conn
        .query_row(
            "SELECT count(*) FROM users WHERE run_id = ?1",
            [first],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "a pruned run's users go with it");
}

#[test]
fn operations_keep_their_actions_and_inverses_in_order() {
    let (_dir, mut h) = open();
    let op = Operation {
        id: 0,
        source: "toy@example".into(),
        connector: "toy".into(),
        operator: "tester".into(),
        command: "groups add-member acme/devs u1 --yes".into(),
        at: 1_750_000_000,
        undoes: None,
        actions: vec![
            Action {
                seq: 0,
                change: NewAction {
                    description: "added u1 to acme/devs".into(),
                    forward: json!({"add-member": {"group": "acme/devs", "user": "u1"}}),
                    inverse: Some(json!({"remove-member": {"group": "acme/devs", "user": "u1"}})),
                    outcome: "done".into(),
                    succeeded: true,
                },
            },
            Action {
                seq: 0,
                change: NewAction {
                    description: "deleted acme/old".into(),
                    forward: json!({"delete": {"group": "acme/old"}}),
                    inverse: None,
                    outcome: "done".into(),
                    succeeded: true,
                },
            },
        ],
    };
    let id = h.record_operation(&op).unwrap();
    let back = h.operation(id).unwrap();
    assert_eq!(back.actions.len(), 2);
    assert_eq!(back.actions[1].seq, 2);
    assert_eq!(back.actions[0].change, op.actions[0].change);
    assert_eq!(h.undone_by(id).unwrap(), None);
    let undo = Operation {
        undoes: Some(id),
        actions: vec![],
        ..op
    };
    let u = h.record_operation(&undo).unwrap();
    assert_eq!(h.undone_by(id).unwrap(), Some(u));
    assert!(matches!(
        h.operation(99),
        Err(HistoryError::NoSuchOperation(99))
    ));
}
