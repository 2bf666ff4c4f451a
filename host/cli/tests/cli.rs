//! The `saas-host` binary, spawned as a process, against the fake Bitbucket.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use fake_bitbucket::{BodyFault, FakeBitbucket, FakeConfig, Faults};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_saas-host");
const SECRETS: [&str; 2] = ["demo-client-secret", "fbb-access-"];

fn fake(workspaces: usize, members: usize) -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces,
        members,
        ..FakeConfig::default()
    })
    .unwrap()
}

fn cmd(fake: &FakeBitbucket, cache: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("XDG_CACHE_HOME", cache)
        .env("BITBUCKET_API_BASE_URL", fake.api_base_url())
        .env("BITBUCKET_TOKEN_URL", fake.token_url())
        .env("BITBUCKET_CLIENT_ID", "demo-client")
        .env("BITBUCKET_CLIENT_SECRET", "demo-client-secret");
    c
}

fn run(c: &mut Command) -> Output {
    c.stdin(Stdio::null()).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn assert_no_secrets(what: &str, s: &str) {
    for secret in SECRETS {
        assert!(!s.contains(secret), "{what} leaks {secret}: {s}");
    }
}

type Seen = BTreeMap<String, BTreeSet<String>>;

fn seen_from_json(users: &[Value]) -> Seen {
    users
        .iter()
        .map(|u| {
            let ws = u["memberships"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["unit"]["key"].as_str().unwrap().to_string())
                .collect();
            (u["id"].as_str().unwrap().to_string(), ws)
        })
        .collect()
}

#[test]
fn every_output_format_parses_back_to_the_truth() {
    let fake = fake(3, 120);
    let cache = tempfile::tempdir().unwrap();
    let truth = fake.truth();

    let out = run(cmd(&fake, cache.path()).args(["-vv", "sync", "--format", "json"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_no_secrets("stdout", &text(&out.stdout));
    assert_no_secrets("stderr", &text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        seen_from_json(doc["users"].as_array().unwrap()),
        truth.users
    );
    assert_eq!(
        doc["summary"]["reconciliation"]["membership_sum"],
        truth.memberships
    );
    assert_eq!(doc["summary"]["complete"], true);
    assert!(text(&out.stderr).contains("synced 3 units"));

    let out = run(cmd(&fake, cache.path()).args(["sync", "--format", "ndjson"]));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (users, summary): (Vec<Value>, Vec<Value>) =
        lines.into_iter().partition(|l| l["type"] == "user");
    assert_eq!(seen_from_json(&users), truth.users);
    assert_eq!(summary[0]["seats"]["unique_users"], truth.unique_users);

    let out = run(cmd(&fake, cache.path()).args(["sync", "--format", "csv"]));
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let csv_seen: Seen = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                r[11].split(';').map(String::from).collect(),
            )
        })
        .collect();
    assert_eq!(csv_seen, truth.users);

    let out = run(cmd(&fake, cache.path()).args(["sync", "--format", "scim"]));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert_eq!(doc["totalResults"], truth.unique_users);
    let scim_seen: Seen = doc["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(
                r["schemas"][0],
                "urn:ietf:params:scim:schemas:core:2.0:User"
            );
            assert!(r["userName"].is_string() && r["active"].is_boolean());
            let ws = r["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["display"].as_str().unwrap().to_string())
                .collect();
            (r["id"].as_str().unwrap().to_string(), ws)
        })
        .collect();
    assert_eq!(scim_seen, truth.users);

    let out =
        run(cmd(&fake, cache.path()).args(["sync", "--format", "table", "--purchased", "100"]));
    let t = text(&out.stdout);
    assert!(
        t.contains("Seats: 360 in use of 100 purchased: OVER BY 260"),
        "{t}"
    );
}

fn checkpoint_lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[test]
fn a_sync_killed_midway_resumes_to_the_same_result() {
    let fake = fake(4, 200);
    fake.set_faults(Faults {
        latency: Duration::from_millis(40),
        ..Faults::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.toml");
    std::fs::write(&settings, "page_size = 10\nmax_requests_per_step = 4\n").unwrap();
    let checkpoint = dir.path().join("sync.checkpoint");
    let args = |resume: bool| {
        let mut a = vec![
            "sync",
            "--format",
            "json",
            "--config",
            settings.to_str().unwrap(),
            "--checkpoint",
            checkpoint.to_str().unwrap(),
        ];
        if resume {
            a.push("--resume");
        }
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let mut child = cmd(&fake, dir.path())
        .args(args(false))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while checkpoint_lines(&checkpoint) < 6 {
        assert!(start.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // A torn last line, as a crash during a write leaves it.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&checkpoint)
        .unwrap()
        .write_all(b"{\"cursor\": \"tor")
        .unwrap();
    let done_before = checkpoint_lines(&checkpoint);
    fake.set_faults(Faults::default());
    let out = run(cmd(&fake, dir.path()).args(args(true)));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        seen_from_json(doc["users"].as_array().unwrap()),
        fake.truth().users
    );
    assert!(doc["summary"]["stats"]["resumed_steps"].as_u64().unwrap() as usize >= done_before - 2);
    let saved = std::fs::read_to_string(&checkpoint).unwrap();
    assert_no_secrets("checkpoint", &saved);
}

#[test]
fn exit_codes_tell_auth_usage_and_partial_failures_apart() {
    let fake = fake(1, 5);
    let cache = tempfile::tempdir().unwrap();
    let out = run(cmd(&fake, cache.path())
        .env("BITBUCKET_CLIENT_SECRET", "wrong-secret-123")
        .args(["sync", "--format", "json"]));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("invalid-credentials"));
    assert!(!text(&out.stderr).contains("wrong-secret-123"));

    let out = run(cmd(&fake, cache.path())
        .env_remove("BITBUCKET_CLIENT_ID")
        .env_remove("BITBUCKET_CLIENT_SECRET")
        .args(["sync"]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no credentials"));

    fake.set_faults(Faults {
        body: BodyFault::Html,
        ..Faults::default()
    });
    let out = run(cmd(&fake, cache.path()).args(["sync", "--format", "json"]));
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["complete"], false);
    assert!(doc["summary"]["error"].as_str().unwrap().contains("HTML"));
}

#[test]
fn group_mutations_act_only_with_yes() {
    let fake = fake(1, 6);
    let cache = tempfile::tempdir().unwrap();
    let out = run(cmd(&fake, cache.path()).args(["groups", "create", "workspace-000", "Auditors"]));
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("would create"));
    let out = run(cmd(&fake, cache.path()).args(["groups", "--json", "list", "workspace-000"]));
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let out = run(cmd(&fake, cache.path()).args([
        "groups",
        "create",
        "workspace-000",
        "Auditors",
        "--yes",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let member = fake.truth().users.keys().next().unwrap().clone();
    let out = run(cmd(&fake, cache.path()).args([
        "groups",
        "add-member",
        "workspace-000/auditors",
        &member,
        "--yes",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        fake.group_members("workspace-000", "auditors").unwrap(),
        [member]
    );
    let out = run(cmd(&fake, cache.path()).args(["groups", "show", "workspace-000/auditors"]));
    assert!(text(&out.stdout).contains("members=1"));
    let out =
        run(cmd(&fake, cache.path()).args(["groups", "delete", "workspace-000/auditors", "--yes"]));
    assert!(out.status.success());
    assert!(fake.group_members("workspace-000", "auditors").is_none());
    let out = run(cmd(&fake, cache.path()).args(["groups", "delete", "not-a-ref"]));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn reclaim_plans_and_removes_idle_users_from_chosen_groups() {
    let fake = fake(2, 40);
    let cache = tempfile::tempdir().unwrap();
    let out = run(cmd(&fake, cache.path()).args(["reclaim", "--json"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let idle = plan["idle_users"].as_array().unwrap();
    assert!(!idle.is_empty());
    assert!(plan["actions"].as_array().unwrap().is_empty());
    let in_dev: Vec<&Value> = idle
        .iter()
        .filter(|u| {
            u["groups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g == "workspace-000/developers")
        })
        .collect();
    assert!(!in_dev.is_empty(), "some idle user is a developer");
    let before = fake.group_members("workspace-000", "developers").unwrap();
    let out = run(cmd(&fake, cache.path()).args([
        "reclaim",
        "--json",
        "--group",
        "workspace-000/developers",
        "--yes",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after = fake.group_members("workspace-000", "developers").unwrap();
    assert_eq!(before.len() - after.len(), in_dev.len());
    for u in in_dev {
        assert!(!after.contains(&u["user"].as_str().unwrap().to_string()));
    }
}

#[test]
fn inspect_reports_the_contract_and_surface() {
    let out = Command::new(BIN)
        .args(["inspect", "--json"])
        .env("XDG_CACHE_HOME", tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["info"]["contract_version"], "0.2.0");
    assert_eq!(doc["world_mismatches"].as_array().unwrap().len(), 0);
    assert!(
        doc["exports"]["saas:connector/connector@0.2.0"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "list-users")
    );
    assert!(doc["size"].as_u64().unwrap() > 0);
    assert_eq!(doc["contract"], "0.2.0");
    assert_eq!(doc["host_contracts"], serde_json::json!(["0.1.0", "0.2.0"]));
}

const FIXTURE_V0_1_0: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/contract-0.1.0/bitbucket-connector.wasm"
);

#[test]
fn inspect_shows_a_0_1_0_component_in_the_latest_model() {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["inspect", FIXTURE_V0_1_0])
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    let t = text(&out.stdout);
    assert!(out.status.success(), "{t}{}", text(&out.stderr));
    for want in [
        "bitbucket 0.1.0 (contract 0.1.0; this host implements 0.1.0 and 0.2.0)",
        "api-base-url (url)",
        "BITBUCKET_API_BASE_URL",
        "bitbucket (required): oauth-client-credentials",
        "BITBUCKET_EMAIL",
        "capabilities: refresh, resumable-listing, group-read, group-write, group-membership-write",
        "world: matches saas:connector@0.1.0",
    ] {
        assert!(t.contains(want), "no {want:?} in\n{t}");
    }
}

#[test]
fn a_0_1_0_component_syncs_through_the_command_line() {
    let fake = fake(2, 30);
    let cache = tempfile::tempdir().unwrap();
    let out = run(cmd(&fake, cache.path()).args([
        "sync",
        "--connector",
        FIXTURE_V0_1_0,
        "--format",
        "json",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        seen_from_json(doc["users"].as_array().unwrap()),
        fake.truth().users
    );
    assert_no_secrets("stderr", &text(&out.stderr));
}

#[test]
fn sync_checkpoints_into_the_state_folder_and_resumes_from_it() {
    let fake = fake(2, 40);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let sync = |extra: &[&str]| {
        run(cmd(&fake, dir.path())
            .env("XDG_STATE_HOME", &state)
            .args(["sync", "--format", "json"])
            .args(extra))
    };
    let out = sync(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let folder = state.join("saas-host/checkpoints");
    let files: Vec<_> = std::fs::read_dir(&folder).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let path = files[0].path();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("bitbucket-") && name.ends_with(".ndjson"),
        "{name}"
    );
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved.starts_with("{\"format\":\"saas-host-checkpoint/3\""),
        "{saved}"
    );
    assert_no_secrets("checkpoint", &saved);

    // The whole listing is in the checkpoint: resuming sends no listing request.
    fake.clear_requests();
    let out = sync(&["--resume"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        seen_from_json(doc["users"].as_array().unwrap()),
        fake.truth().users
    );
    let listing: Vec<String> = fake
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/permissions") || p.contains("/members"))
        .collect();
    assert!(listing.is_empty(), "{listing:?}");

    // Other settings, another checkpoint.
    let out = sync(&["--set", "page-size=50"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 2);
}

#[test]
fn a_state_folder_that_cannot_be_written_costs_the_checkpoint_not_the_sync() {
    let fake = fake(1, 8);
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("state");
    std::fs::write(&not_a_folder, "a file").unwrap();
    let out = run(cmd(&fake, dir.path())
        .env("XDG_STATE_HOME", &not_a_folder)
        .args(["sync", "--format", "json"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no checkpoint"),
        "{}",
        text(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        seen_from_json(doc["users"].as_array().unwrap()),
        fake.truth().users
    );
}

/// Whether a line looks like a hex dump of raw traffic (`6175 7468 6f72 ...`).
fn is_hex_dump(line: &str) -> bool {
    line.split_whitespace()
        .filter(|w| w.len() == 4 && w.bytes().all(|b| b.is_ascii_hexdigit()))
        .count()
        >= 6
}

#[test]
fn no_verbosity_shows_a_secret_in_any_form() {
    let fake = fake(1, 6);
    let cache = tempfile::tempdir().unwrap();
    let basic = base64::engine::general_purpose::STANDARD.encode("demo-client:demo-client-secret");
    for (flags, env) in [
        (vec![], None),
        (vec!["-v"], None),
        (vec!["-vv"], None),
        (vec!["-vvv"], None),
        (vec![], Some("trace")),
        (vec![], Some("ureq=trace,ureq_proto=trace,rustls=trace")),
    ] {
        let mut c = cmd(&fake, cache.path());
        if let Some(filter) = env {
            c.env("SAAS_HOST_LOG", filter);
        }
        let out = run(c.args(&flags).args(["sync", "--format", "json"]));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        let what = format!("stderr with {flags:?} {env:?}");
        assert_no_secrets(&what, &err);
        assert!(!err.contains(&basic), "{what} has the Basic header");
        for secret in SECRETS {
            let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
            assert!(
                !err.to_ascii_lowercase().contains(&hex),
                "{what} has {secret} in hex"
            );
        }
        if let Some(line) = err.lines().find(|l| is_hex_dump(l)) {
            panic!("{what} dumps raw traffic: {line}");
        }
    }
}

/// A loopback token endpoint that answers every request with `response`.
fn token_endpoint(response: &'static str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/site/oauth2/access_token",
        listener.local_addr().unwrap()
    );
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}

#[test]
fn only_refused_credentials_exit_3_and_a_failing_token_endpoint_is_worth_retrying() {
    let fake = fake(1, 3);
    let cache = tempfile::tempdir().unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/token", l.local_addr().unwrap())
    };
    let failing = [
        ("refused connection", closed),
        (
            "500",
            token_endpoint(
                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            ),
        ),
        (
            "invalid JSON",
            token_endpoint(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot json!",
            ),
        ),
    ];
    for (what, url) in failing {
        let out = run(cmd(&fake, cache.path())
            .env("BITBUCKET_TOKEN_URL", &url)
            .args(["sync", "--format", "json"]));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {err}");
        assert!(err.contains("worth retrying"), "{what}: {err}");
        assert!(!err.contains("authentication failed"), "{what}: {err}");
    }
    let out = run(cmd(&fake, cache.path())
        .env("BITBUCKET_CLIENT_SECRET", "not-the-secret")
        .args(["sync", "--format", "json"]));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

#[test]
fn a_failed_sign_in_leaves_the_last_checkpoint_as_it_was() {
    let fake = fake(1, 12);
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("sync.checkpoint");
    let path = checkpoint.to_str().unwrap();
    let out = run(cmd(&fake, dir.path()).args(["sync", "--format", "json", "--checkpoint", path]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = std::fs::read(&checkpoint).unwrap();
    let out = run(cmd(&fake, dir.path())
        .env("BITBUCKET_CLIENT_SECRET", "wrong-secret-456")
        .args(["sync", "--format", "json", "--checkpoint", path]));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&checkpoint).unwrap(), before);
}

#[test]
fn a_checkpoint_of_an_earlier_saas_host_is_refused_not_misread() {
    let fake = fake(1, 5);
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.checkpoint");
    std::fs::write(
        &old,
        "{\"format\":\"saas-host-checkpoint/1\",\"fingerprint\":\"abc\"}\n{\"cursor\":null,\"users\":[],\"workspaces\":[]}\n",
    )
    .unwrap();
    let out = run(cmd(&fake, dir.path()).args([
        "sync",
        "--checkpoint",
        old.to_str().unwrap(),
        "--resume",
    ]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("written by saas-host 0.1") && err.contains("run again without --resume"),
        "{err}"
    );
}

#[test]
fn the_demo_runs_a_real_sync_with_no_credentials() {
    let out = Command::new(BIN)
        .args([
            "demo",
            "--workspaces",
            "2",
            "--members",
            "30",
            "--format",
            "json",
        ])
        .env("XDG_CACHE_HOME", tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the sync matches"),
        "{}",
        text(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["reconciliation"]["membership_sum"], 60);
}

#[test]
fn settings_and_credentials_come_from_the_connectors_declarations() {
    let fake = fake(2, 10);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settings.toml");
    std::fs::write(
        &file,
        format!(
            "[settings]\napi-base-url = {:?}\ntoken-url = {:?}\ninclude-workspaces = [\"workspace-001\"]\n\
             [credentials.bitbucket]\nclient-id = \"demo-client\"\nclient-secret = \"demo-client-secret\"\n",
            fake.api_base_url(),
            fake.token_url()
        ),
    )
    .unwrap();
    let bare = || {
        let mut c = Command::new(BIN);
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("XDG_CACHE_HOME", dir.path());
        c
    };
    let out = run(bare().args([
        "sync",
        "--format",
        "json",
        "--config",
        file.to_str().unwrap(),
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let units = seen_from_json(doc["users"].as_array().unwrap());
    assert!(
        units
            .values()
            .all(|w| w.iter().all(|s| s == "workspace-001"))
    );
    assert_eq!(units.len(), fake.truth().per_workspace["workspace-001"]);

    // An undeclared name or a mistyped value is a usage error that says
    // what is expected; plain http to a host that is not loopback is
    // refused before any request.
    for (set, says) in [
        ("colour=blue", "include-workspaces"),
        ("page-size=lots", "whole number"),
        ("api-base-url=http://127.evil.example", "loopback"),
    ] {
        let out = run(bare().args(["sync", "--config", file.to_str().unwrap(), "--set", set]));
        assert_eq!(out.status.code(), Some(2), "{set}");
        assert!(
            text(&out.stderr).contains(says),
            "{set}: {}",
            text(&out.stderr)
        );
    }

    let out = run(bare().args(["sync", "--help"]));
    let help = text(&out.stdout);
    for declared in [
        "BITBUCKET_API_BASE_URL",
        "include-workspaces (string-list)",
        "BITBUCKET_EMAIL",
    ] {
        assert!(help.contains(declared), "{declared} missing from --help");
    }
}
