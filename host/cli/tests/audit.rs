//! The audit trail end to end against the fake Bitbucket: group changes and
//! reclaim removals are recorded with who, what, when and the inverse;
//! `undo` plans the inverse, carries it out with `--yes` (the fake's state
//! is back as it was), records itself, and refuses to undo twice.

use std::path::Path;
use std::process::{Command, Output};

use fake_bitbucket::{FakeBitbucket, FakeConfig};
use serde_json::Value;

mod common;

/// `saas-host` on the fake, with the history in `home/h.sqlite` and an
/// operator name.
fn cmd(fake: &FakeBitbucket, home: &Path, args: &[&str]) -> Output {
    let mut c: Command = common::cmd(fake, home);
    c.env("USER", "ops-alice")
        .env("SAAS_HOST_DB", home.join("h.sqlite"))
        .args(args);
    c.output().unwrap()
}

/// One workspace of six members.
fn small_fake() -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces: 1,
        members: 6,
        ..FakeConfig::default()
    })
    .unwrap()
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn operations(fake: &FakeBitbucket, home: &Path) -> Vec<Value> {
    let out = ok(cmd(
        fake,
        home,
        &["history", "--operations", "--format", "json"],
    ));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["operations"].as_array().unwrap().clone()
}

fn permission(fake: &FakeBitbucket, home: &Path, group: &str) -> Value {
    let out = ok(cmd(fake, home, &["groups", "--json", "show", group]));
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["permission"].clone()
}

#[test]
fn group_changes_are_recorded_and_undone_exactly() {
    let fake = small_fake();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let member = fake.truth().users.keys().next().unwrap().clone();
    // A plan changes nothing and records nothing.
    ok(cmd(
        &fake,
        home,
        &["groups", "create", "workspace-000", "Auditors"],
    ));
    assert!(!home.join("h.sqlite").exists() || operations(&fake, home).is_empty());

    ok(cmd(
        &fake,
        home,
        &["groups", "create", "workspace-000", "Auditors", "--yes"],
    ));
    let out = ok(cmd(
        &fake,
        home,
        &[
            "groups",
            "add-member",
            "workspace-000/auditors",
            &member,
            "--yes",
        ],
    ));
    assert!(String::from_utf8_lossy(&out.stderr).contains("recorded as operation 2"));
    ok(cmd(
        &fake,
        home,
        &[
            "groups",
            "update",
            "workspace-000/developers",
            "--permission",
            "read",
            "--yes",
        ],
    ));
    assert_eq!(permission(&fake, home, "workspace-000/developers"), "read");

    let ops = operations(&fake, home);
    assert_eq!(ops.len(), 3);
    for op in &ops {
        assert_eq!(op["operator"], "ops-alice");
        assert!(
            op["source"]
                .as_str()
                .unwrap()
                .starts_with("bitbucket@127.0.0.1:")
        );
        assert!(op["at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(op["actions"][0]["succeeded"], true);
    }
    assert!(
        ops[0]["command"]
            .as_str()
            .unwrap()
            .contains("groups create workspace-000 Auditors")
    );
    assert_eq!(ops[0]["actions"][0]["inverse"]["op"], "delete-group");
    assert_eq!(
        ops[0]["actions"][0]["inverse"]["group"],
        "workspace-000/auditors"
    );
    assert_eq!(ops[1]["actions"][0]["inverse"]["op"], "remove-member");
    assert_eq!(
        ops[2]["actions"][0]["inverse"]["permission"], "write",
        "the old value"
    );

    // Planned first: nothing changes.
    let out = ok(cmd(&fake, home, &["undo", "2"]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would remove"));
    assert_eq!(
        fake.group_members("workspace-000", "auditors").unwrap(),
        [member.as_str()]
    );
    ok(cmd(&fake, home, &["undo", "2", "--yes"]));
    assert!(
        fake.group_members("workspace-000", "auditors")
            .unwrap()
            .is_empty()
    );
    ok(cmd(&fake, home, &["undo", "3", "--yes"]));
    assert_eq!(permission(&fake, home, "workspace-000/developers"), "write");
    ok(cmd(&fake, home, &["undo", "1", "--yes"]));
    assert!(fake.group_members("workspace-000", "auditors").is_none());

    let again = cmd(&fake, home, &["undo", "2", "--yes"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("undone already, by operation 4"));
    let ops = operations(&fake, home);
    assert_eq!(ops.len(), 6);
    assert_eq!(
        (ops[3]["undoes"].as_i64(), ops[5]["undoes"].as_i64()),
        (Some(2), Some(1))
    );
    // Undoing the undo of an add-member adds the member back.
    assert_eq!(ops[3]["actions"][0]["inverse"]["op"], "add-member");
    // The trail follows its published schema.
    let schema = format!(
        "{}/../../schema/history-output.v1.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let out = ok(cmd(
        &fake,
        home,
        &["history", "--operations", "--format", "json"],
    ));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let text = ok(cmd(&fake, home, &["history", "--operations"]));
    assert!(String::from_utf8_lossy(&text.stdout).contains("ops-alice"));
}

#[test]
fn reclaim_removals_are_recorded_and_undo_puts_the_members_back() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 40,
        ..FakeConfig::default()
    })
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let mut before = fake.group_members("workspace-000", "developers").unwrap();
    ok(cmd(
        &fake,
        home,
        &[
            "reclaim",
            "--json",
            "--group",
            "workspace-000/developers",
            "--yes",
        ],
    ));
    let removed = before.len()
        - fake
            .group_members("workspace-000", "developers")
            .unwrap()
            .len();
    assert!(removed > 0, "reclaim removed idle developers");
    let ops = operations(&fake, home);
    let reclaim = ops
        .iter()
        .find(|o| o["command"].as_str().unwrap().contains("reclaim"))
        .unwrap();
    assert_eq!(reclaim["actions"].as_array().unwrap().len(), removed);
    let id = reclaim["id"].to_string();
    ok(cmd(&fake, home, &["undo", &id, "--yes"]));
    let mut after = fake.group_members("workspace-000", "developers").unwrap();
    before.sort();
    after.sort();
    assert_eq!(after, before, "every removed member is back");
}

#[test]
fn undo_refuses_another_upstream_and_an_unknown_operation() {
    let fake = small_fake();
    let other = small_fake();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    ok(cmd(
        &fake,
        home,
        &["groups", "create", "workspace-000", "Auditors", "--yes"],
    ));
    let out = cmd(&other, home, &["undo", "1", "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("but the connector here reads"));
    assert!(
        fake.group_members("workspace-000", "auditors").is_some(),
        "nothing undone"
    );
    let out = cmd(&fake, home, &["undo", "99"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
