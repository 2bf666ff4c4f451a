//! Every JSON and NDJSON output against the schemas published in `schema/`:
//! sync and demo of both connectors, complete and partial, and history,
//! diff and the audit trail; and the schemas are strict enough to reject
//! what they do not describe.

use std::process::Output;

use fake_bitbucket::{BodyFault, FakeBitbucket, FakeConfig, Faults};
use jsonschema::Validator;
use serde_json::Value;

mod common;

fn schema(name: &str) -> Validator {
    let path = format!("{}/../../schema/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn host(args: &[&str]) -> Output {
    common::bare(args).output().unwrap()
}

/// The JSON values an output holds: one document, or one per line.
fn values(out: &Output) -> Vec<Value> {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    match serde_json::from_str(&text) {
        Ok(doc) => vec![doc],
        Err(_) => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    }
}

/// Every value follows the schema; the errors name where they do not.
fn assert_follows(v: &Validator, what: &str, docs: &[Value]) {
    assert!(!docs.is_empty(), "{what} printed nothing");
    for doc in docs {
        let errors: Vec<String> = v
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    }
}

#[test]
fn sync_and_demo_outputs_follow_the_sync_schema() {
    let v = schema("sync-output.v1.schema.json");
    for args in [
        &["demo", "--no-history", "--format", "json"][..],
        &["demo", "--no-history", "--format", "ndjson"],
        &[
            "demo",
            "--no-history",
            "--without-admin-key",
            "--format",
            "json",
        ],
        &[
            "demo",
            "--no-history",
            "--connector",
            "bitbucket-dc",
            "--format",
            "json",
        ],
        &[
            "demo",
            "--no-history",
            "--connector",
            "bitbucket-dc",
            "--format",
            "ndjson",
        ],
    ] {
        let out = host(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let docs = values(&out);
        assert_follows(&v, &format!("{args:?}"), &docs);
        if args.contains(&"ndjson") {
            assert!(docs.len() > 2 && docs.last().unwrap()["type"] == "summary");
        }
    }
    // A partial sync: the error and the summary's flags.
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 20,
        ..FakeConfig::default()
    })
    .unwrap();
    fake.set_faults(Faults {
        body: BodyFault::Html,
        ..Faults::default()
    });
    let home = tempfile::tempdir().unwrap();
    for format in ["json", "ndjson"] {
        let out = common::cmd(&fake, home.path())
            .args(["sync", "--no-history", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "a partial sync");
        let docs = values(&out);
        assert_follows(&v, &format!("partial {format}"), &docs);
        let summary = docs.last().unwrap();
        let summary = summary.get("summary").unwrap_or(summary);
        assert_eq!(summary["complete"], false);
        assert!(summary["error"].is_string());
    }
}

#[test]
fn history_diff_and_operations_follow_the_history_schema() {
    let v = schema("history-output.v1.schema.json");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let db = db.to_str().unwrap();
    common::two_demos(db);
    for args in [
        &["history", "--db", db, "--format", "json"][..],
        &["history", "--db", db, "--operations", "--format", "json"],
        &["diff", "--db", db, "--format", "json"],
        &["diff", "--db", db, "2", "1", "--format", "json"],
    ] {
        let out = host(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_follows(&v, &format!("{args:?}"), &values(&out));
    }
}

#[test]
fn the_schemas_reject_what_they_do_not_describe() {
    let sync = schema("sync-output.v1.schema.json");
    let out = host(&["demo", "--no-history", "--format", "json"]);
    let good = values(&out).remove(0);
    assert!(sync.is_valid(&good));
    let mut renamed = good.clone();
    renamed["users"][0]["verdict"]["activity"] = "NeverActive".into();
    let mut epoch = good.clone();
    epoch["summary"]["as_of"] = 1_780_000_000.into();
    let mut extra = good.clone();
    extra["users"][0]["undocumented"] = true.into();
    let mut missing = good;
    missing["summary"].as_object_mut().unwrap().remove("seats");
    for (what, bad) in [
        ("a Rust variant name", renamed),
        ("epoch seconds", epoch),
        ("an undocumented field", extra),
        ("a missing field", missing),
    ] {
        assert!(!sync.is_valid(&bad), "{what} is rejected");
    }
}
