//! The history end to end: two demo syncs of a changing fleet, compared
//! with the fake's own truth; a partial sync kept and marked; a process
//! killed while it stores a sync.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use fake_bitbucket::{BodyFault, FakeBitbucket, FakeConfig, Faults};
use serde_json::Value;

mod common;

fn host(args: &[&str]) -> Command {
    common::bare(args)
}

fn run(mut c: Command) -> Output {
    let out = c.output().unwrap();
    assert!(
        out.status.code().is_some(),
        "killed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The demo's fleet (see `demo.rs`), `days` later.
fn demo_fleet(days: u32) -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces: 4,
        members: 120,
        managed_every: 2,
        aged_days: days,
        ..FakeConfig::default()
    })
    .unwrap()
}

/// Two workspaces of thirty members.
fn small_fleet() -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 30,
        ..FakeConfig::default()
    })
    .unwrap()
}

fn ids(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["user_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn history_and_diff_of_two_demo_syncs_match_the_fakes_truth() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let db = db.to_str().unwrap();
    for err in common::two_demos(db) {
        assert!(err.contains(&format!("in {db}")), "{err}");
    }
    let runs = json(&run(host(&["history", "--db", db, "--format", "json"])));
    let runs = runs["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(
        runs.iter()
            .all(|r| r["source"] == "demo/bitbucket" && r["complete"] == true)
    );

    let d = json(&run(host(&["diff", "--db", db, "--format", "json"])));
    assert_eq!(
        (d["before"]["id"].as_i64(), d["after"]["id"].as_i64()),
        (Some(1), Some(2))
    );
    let (a, b) = (
        demo_fleet(0).expected(90, true),
        demo_fleet(30).expected(90, true),
    );
    let idle = |v: &str| v == "inactive" || v == "never-active";
    let joined: BTreeSet<String> = b.keys().filter(|k| !a.contains_key(*k)).cloned().collect();
    let left: BTreeSet<String> = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
    let both = || a.iter().filter_map(|(k, was)| Some((k, was, b.get(k)?)));
    let became_idle: BTreeSet<String> = both()
        .filter(|(_, was, now)| !idle(was.activity) && idle(now.activity))
        .map(|(k, ..)| k.clone())
        .collect();
    let came_back: BTreeSet<String> = both()
        .filter(|(_, was, now)| idle(was.activity) && now.activity == "active")
        .map(|(k, ..)| k.clone())
        .collect();
    for (name, truth) in [
        ("joined", &joined),
        ("left", &left),
        ("became_idle", &became_idle),
        ("came_back", &came_back),
    ] {
        assert!(!truth.is_empty(), "the aged fleet has someone who {name}");
        assert_eq!(&ids(&d[name]), truth, "{name}");
    }
    assert!(d["caveats"].as_array().unwrap().is_empty());
    assert_eq!(d["units"].as_array().unwrap().len(), 4);

    let text = run(host(&["diff", "--db", db, "1", "2"]));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("Became idle ({})", became_idle.len())),
        "{text}"
    );
    assert!(
        text.contains(&format!("Joined ({})", joined.len())),
        "{text}"
    );
}

#[test]
fn a_partial_sync_is_kept_marked_and_calls_nobody_idle_or_gone() {
    let fake = small_fleet();
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("h.sqlite");
    let db = db.to_str().unwrap();
    let sync = |fake: &FakeBitbucket| {
        let mut c = common::cmd(fake, home.path());
        c.args(["sync", "--db", db, "--format", "json"]);
        c.output().unwrap()
    };
    assert!(sync(&fake).status.success());
    fake.set_faults(Faults {
        body: BodyFault::Html,
        ..Faults::default()
    });
    let out = sync(&fake);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("marked partial"));
    let runs = json(&run(host(&["history", "--db", db, "--format", "json"])));
    let partial = &runs["runs"][1];
    assert_eq!(partial["complete"], false);
    assert_eq!(partial["seats_idle"], 0, "nobody idle on partial evidence");
    assert!(partial["error"].as_str().unwrap().contains("HTML"));
    let d = json(&run(host(&["diff", "--db", db, "--format", "json"])));
    assert_eq!(d["after"]["id"], 2);
    assert!(d["became_idle"].as_array().unwrap().is_empty());
    assert!(d["left"].as_array().unwrap().is_empty());
    let caveats = d["caveats"].to_string();
    assert!(caveats.contains("run 2 is partial"), "{caveats}");
}

/// The rows a run's table holds.
fn rows(conn: &rusqlite::Connection, table: &str, run: i64) -> i64 {
    conn.query_row(
        &format!("SELECT count(*) FROM {table} WHERE run_id = ?1"),
        [run],
        |r| r.get(0),
    )
    .unwrap()
}

/// Starts a large demo and kills it while it stores (its SQLite journal
/// exists); true when the kill left the journal behind, that is, when it
/// landed inside the write transaction.
fn kill_while_storing(db: &Path) -> bool {
    let journal = db.with_extension("sqlite-journal");
    let mut child = host(&[
        "demo",
        "--db",
        db.to_str().unwrap(),
        // 75 requests: within the connector's burst of 90, so no wait,
        // and 7,000 memberships, so the write takes long enough to catch.
        "--workspaces",
        "2",
        "--members",
        "3500",
        "--without-admin-key",
        "--format",
        "ndjson",
        "--no-progress",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !journal.exists() {
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    journal.exists()
}

#[test]
fn a_sync_killed_while_it_is_stored_leaves_the_history_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let first = run(host(&[
        "demo",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "ndjson",
    ]));
    assert!(first.status.success());
    let landed = (0..4).any(|_| kill_while_storing(&db));
    assert!(landed, "no kill landed inside the write in four tries");
    // The next open rolls the hot journal back.
    let runs = json(&run(host(&[
        "history",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ])));
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1, "{runs}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let stray: i64 = conn
        .query_row("SELECT count(*) FROM users WHERE run_id <> 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stray, 0, "no half-stored run");
    assert_eq!(
        rows(&conn, "users", 1),
        runs["runs"][0]["people"].as_i64().unwrap()
    );
    let memberships: i64 = conn
        .query_row(
            "SELECT sum(json_array_length(memberships)) FROM users WHERE run_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        memberships,
        runs["runs"][0]["memberships"].as_i64().unwrap()
    );
    // And the history takes the next sync as usual.
    let again = run(host(&[
        "demo",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "ndjson",
    ]));
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("kept as run"));
}

#[test]
fn a_history_that_cannot_be_written_fails_the_sync_but_not_its_output() {
    let fake = small_fleet();
    let home = tempfile::tempdir().unwrap();
    // A folder that is a file: no database can be made under it.
    let file = home.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let db = file.join("h.sqlite");
    let mut c = common::cmd(&fake, home.path());
    c.args(["sync", "--format", "json", "--db", db.to_str().unwrap()]);
    let out = run(c);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("was not stored in the history"), "{stderr}");
    // The history is written beside the output: the output is whole.
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["users"].as_array().unwrap().len() as u64,
        fake.truth().unique_users as u64
    );
}
