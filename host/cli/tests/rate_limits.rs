//! A rate limit without a hint: the host backs off and says so, and a wait
//! longer than the longest allowed ends the run with exit 4 and a
//! checkpoint that a later run resumes from.

mod common;

use std::process::{Command, Output};

use fake_bitbucket::{FakeBitbucket, FakeConfig, Faults};

fn cmd(fake: &FakeBitbucket, home: &std::path::Path) -> Command {
    let mut c = common::cmd(fake, home);
    c.env("BITBUCKET_PAGE_SIZE", "10")
        .env("BITBUCKET_MAX_REQUESTS_PER_STEP", "2");
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_wait_longer_than_allowed_ends_the_run_resumably_and_the_next_run_finishes() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 30,
        ..FakeConfig::default()
    })
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    // After a few pages every API request is refused, without Retry-After.
    fake.set_faults(Faults {
        rate_limit_after: Some(6),
        ..Faults::default()
    });
    let out = cmd(&fake, home.path())
        .args(["sync", "--format", "json", "--max-rate-limit-wait", "1"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("longer than the longest wait of 1 s") && err.contains("--resume"),
        "{err}"
    );
    fake.set_faults(Faults::default());
    let out = cmd(&fake, home.path())
        .args(["sync", "--format", "json", "--resume"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["users"].as_array().unwrap().len(),
        fake.truth().unique_users
    );
}

#[test]
fn a_short_storm_is_waited_out_and_the_wait_is_announced() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 1,
        members: 5,
        ..FakeConfig::default()
    })
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    // One request and the egress's 4 quick retries are refused, then the
    // upstream recovers.
    fake.set_faults(Faults {
        rate_limit_first: Some(5),
        ..Faults::default()
    });
    let out = cmd(&fake, home.path())
        .args(["sync", "--format", "json"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("rate limited by the upstream; waiting 2 s (it gave no hint: backing off)"),
        "{err}"
    );
}
