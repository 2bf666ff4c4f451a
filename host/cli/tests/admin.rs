//! `saas-host` with the Atlassian Admin API: reclaim in admin-managed
//! workspaces plans directory-group changes with each user's evidence, and
//! says that web activity misses git-only users.

mod common;

use std::process::Command;

use fake_bitbucket::{FakeBitbucket, FakeConfig};
use serde_json::Value;

fn cmd(fake: &FakeBitbucket, home: &std::path::Path) -> Command {
    let (org, key) = fake.admin_key();
    let mut c = common::cmd(fake, home);
    c.env("BITBUCKET_ADMIN_API_BASE_URL", fake.admin_base_url())
        .env("ATLASSIAN_ADMIN_ORG_ID", org)
        .env("ATLASSIAN_ADMIN_API_KEY", key);
    c
}

#[test]
fn reclaim_plans_directory_groups_with_evidence_and_applies_only_with_yes() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 30,
        managed_every: 2,
        ..FakeConfig::default()
    })
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let group = "bitbucket-users-workspace-001";
    let before = fake.directory_group_members(group).unwrap().len();
    let out = cmd(&fake, home.path())
        .args(["reclaim", "--json", "--workspace", "workspace-001"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let idle = doc["idle_users"].as_array().unwrap();
    assert!(!idle.is_empty());
    let planned: Vec<&Value> = idle
        .iter()
        .filter(|u| {
            u["plans"][0]["actions"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        })
        .collect();
    assert!(!planned.is_empty());
    for u in &planned {
        assert!(u["evidence"]["reason"].as_str().is_some(), "{u}");
        let action = &u["plans"][0]["actions"][0];
        assert_eq!(action["target_name"], group, "{action}");
    }
    let notes = doc["notes"].to_string();
    assert!(notes.contains("git"), "{notes}");
    assert_eq!(fake.directory_group_members(group).unwrap().len(), before);

    let out = cmd(&fake, home.path())
        .args(["reclaim", "--json", "--yes", "--workspace", "workspace-001"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = fake.directory_group_members(group).unwrap().len();
    assert_eq!(after, before - planned.len());
}
