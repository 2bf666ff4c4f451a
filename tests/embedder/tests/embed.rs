//! The embedding example lists users with the runtime alone, for a
//! component of each contract version, and the runtime pulls in no command
//! line, no web server and no fake.

use std::collections::BTreeSet;
use std::process::Command;

use fake_bitbucket::{FakeBitbucket, FakeConfig};

const EMBEDDER: &str = env!("CARGO_BIN_EXE_embedder");

fn fixture() -> String {
    format!(
        "{}/../fixtures/contract-0.1.0/bitbucket-connector.wasm",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn listed(wasm: &str, fake: &FakeBitbucket) -> (BTreeSet<String>, String) {
    let cache = std::env::temp_dir().join(format!("embedder-cache-{}", std::process::id()));
    let out = Command::new(EMBEDDER)
        .env_clear()
        .env("XDG_CACHE_HOME", &cache)
        .env("EMBEDDER_CLIENT_ID", "demo-client")
        .env("EMBEDDER_CLIENT_SECRET", "demo-client-secret")
        .arg(wasm)
        .arg(format!("api-base-url={}", fake.api_base_url()))
        .arg(format!("token-url={}", fake.token_url()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(!stdout.contains("demo-client-secret") && !stderr.contains("demo-client-secret"));
    let lines: Vec<&str> = stdout.lines().collect();
    let (total, users) = lines.split_last().expect("a total line");
    let ids = users
        .iter()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    (ids, total.to_string())
}

#[test]
fn the_embedding_example_lists_users_of_either_contract_version() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 3,
        members: 40,
        ..FakeConfig::default()
    })
    .unwrap();
    let truth: BTreeSet<String> = fake.truth().users.keys().cloned().collect();
    let (current, total) = listed(env!("BITBUCKET_CONNECTOR_WASM"), &fake);
    assert_eq!(current, truth);
    assert!(total.contains("contract 0.2.0, complete"), "{total}");
    let (old, total) = listed(&fixture(), &fake);
    assert_eq!(old, truth);
    assert!(total.contains("contract 0.1.0, complete"), "{total}");
}

#[test]
fn the_runtime_pulls_in_no_cli_no_web_server_and_no_fake() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--package",
            "saas-runtime",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: BTreeSet<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains("wasmtime"), "{tree}");
    // (tokio comes with wasmtime-wasi itself, which runs its sync API on it.)
    for unwanted in [
        "axum",
        "hyper",
        "clap",
        "indicatif",
        "comfy-table",
        "toml",
        "fake-bitbucket",
        "saas-host",
        "saas-conform",
    ] {
        assert!(
            !crates.contains(unwanted),
            "saas-runtime depends on {unwanted}"
        );
    }
}
