//! `saas-host` with the bundled Data Center connector (`--connector
//! bitbucket-dc`), spawned as a process against the fake Data Center:
//! sync against the truth, reclaim with and without `--yes`, the demo.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use fake_bitbucket_dc::{ADMIN, DcConfig, FakeDc};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_saas-host");

fn cmd(fake: &FakeDc, cache: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("XDG_CACHE_HOME", cache)
        .env("XDG_STATE_HOME", cache)
        .env("BITBUCKET_DC_BASE_URL", fake.base_url())
        .env("BITBUCKET_DC_USERNAME", ADMIN.0)
        .env("BITBUCKET_DC_PASSWORD", ADMIN.1)
        .args(args)
        .args(["--connector", "bitbucket-dc"]);
    c
}

fn run(c: &mut Command) -> Output {
    c.stdin(Stdio::null()).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains(ADMIN.1), "the password leaked");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_sync_counts_the_licence_and_every_verdict_matches_the_truth() {
    let fake = FakeDc::start(DcConfig {
        licence_skew: 2,
        ..DcConfig::default()
    })
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let doc = json(&run(&mut cmd(
        &fake,
        cache.path(),
        &["sync", "--format", "json"],
    )));
    let truth = fake.truth(90);
    let users = doc["users"].as_array().unwrap();
    assert_eq!(users.len(), truth.users.len());
    for u in users {
        let t = &truth.users[u["id"].as_str().unwrap()];
        assert_eq!(u["verdict"]["activity"], t.activity, "{}", t.name);
        assert_eq!(u["memberships"][0]["billable"], t.billable, "{}", t.name);
        let at = u["memberships"][0]["evidence"][0]["at"].as_str().map(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp()
        });
        assert_eq!(at, t.last_auth, "{}", t.name);
    }
    let unit = &doc["summary"]["seats"]["per_unit"][0];
    assert_eq!(unit["used"], truth.licensed);
    assert_eq!(unit["purchased"], truth.seats.unwrap());
    assert_eq!(unit["reported_used"], truth.licensed + 2);
    let table = run(&mut cmd(
        &fake,
        cache.path(),
        &["sync", "--format", "table", "--no-progress"],
    ));
    assert!(
        text(&table.stdout).contains(&format!("the upstream counts {}", truth.licensed + 2)),
        "{}",
        text(&table.stdout)
    );
}

#[test]
fn reclaim_plans_until_yes_then_frees_the_seats_it_can() {
    let fake = FakeDc::start(DcConfig::default()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let before = fake.truth(90);
    let plan = json(&run(&mut cmd(&fake, cache.path(), &["reclaim", "--json"])));
    let idle: Vec<&Value> = plan["idle_users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| !u["seats"].as_array().unwrap().is_empty())
        .collect();
    assert!(!idle.is_empty());
    assert!(plan["actions"].as_array().unwrap().is_empty());
    assert_eq!(fake.truth(90).users, before.users, "a plan changes nothing");
    let out = json(&run(&mut cmd(
        &fake,
        cache.path(),
        &["reclaim", "--json", "--yes"],
    )));
    let after = fake.truth(90);
    let mut freed = 0;
    for u in &idle {
        let id = u["user"].as_str().unwrap();
        let was = &before.users[id];
        assert!(was.billable, "{} is idle and billable", was.name);
        let ldap = was.paths.iter().any(|p| p.contains("ldap-developers"));
        assert_eq!(
            after.users[id].billable, ldap,
            "{}: {:?}",
            was.name, was.paths
        );
        freed += usize::from(!after.users[id].billable);
    }
    assert!(freed > 0);
    let results = out["actions"].as_array().unwrap();
    assert!(results.iter().all(|r| r["result"] == "done"), "{results:?}");
    let writes: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" || r.method == "DELETE")
        .collect();
    assert!(!writes.is_empty() && writes.iter().all(|r| r.xsrf_token));
}

#[test]
fn the_data_center_demo_runs_with_no_set_up() {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("XDG_CACHE_HOME", cache.path())
        .args([
            "demo",
            "--connector",
            "bitbucket-dc",
            "--users",
            "50",
            "--format",
            "json",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the sync matches"),
        "{}",
        text(&out.stderr)
    );
}
