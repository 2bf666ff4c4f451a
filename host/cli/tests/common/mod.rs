//! What the command-line tests share: `saas-host` with a clean environment
//! pointed at a fake Bitbucket, or at nothing (the demo), and two demo
//! syncs of a changing fleet kept in one history.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};

use fake_bitbucket::FakeBitbucket;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_saas-host");

/// `saas-host` with only `PATH`, cache and state under `home`, and the
/// fake's URLs and OAuth consumer in the environment.
pub fn cmd(fake: &FakeBitbucket, home: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("XDG_CACHE_HOME", home)
        .env("XDG_STATE_HOME", home)
        .env("BITBUCKET_API_BASE_URL", fake.api_base_url())
        .env("BITBUCKET_TOKEN_URL", fake.token_url())
        .env("BITBUCKET_CLIENT_ID", "demo-client")
        .env("BITBUCKET_CLIENT_SECRET", "demo-client-secret")
        .stdin(Stdio::null());
    c
}

/// `saas-host` with only `PATH` in its environment (the demo needs no
/// more).
pub fn bare(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(args)
        .stdin(Stdio::null());
    c
}

/// Two demo syncs kept in the history `db`, the second of the fleet 30
/// days later (who joined, left, went idle, came back); each must match
/// the fake's truth. Their stderr, in order.
pub fn two_demos(db: &str) -> Vec<String> {
    ["0", "30"]
        .iter()
        .map(|days| {
            let out = bare(&[
                "demo",
                "--db",
                db,
                "--days-later",
                days,
                "--format",
                "ndjson",
            ])
            .output()
            .unwrap();
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(
                out.status.success() && err.contains("the sync matches"),
                "{err}"
            );
            err
        })
        .collect()
}
