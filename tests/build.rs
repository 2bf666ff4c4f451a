//! Builds the deliberately defective variants of the connector (one cargo
//! feature each) for the sandbox and conformance tests.

use std::env;
use std::path::PathBuf;
use std::process::Command;

/// The defect features of `bitbucket-connector`.
const DEFECTS: [&str; 18] = [
    "follow-foreign",
    "loop-on-repeat",
    "drop-last-page",
    "ignore-cursor",
    "log-secret",
    "trap-on-malformed",
    "unknown-inactive",
    "runaway",
    "memory-hog",
    "wrong-auth-error",
    "no-refresh",
    "give-up-on-429",
    "nondeterministic",
    "miscount-seats",
    "partial-idle",
    "egress-untyped",
    "groups-broken",
    "bad-info",
];

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf();
    for watched in ["connector/src", "connector/Cargo.toml", "wit", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let target_dir = root.join("target").join("wasm-defects");
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for defect in DEFECTS {
        let mut cmd = Command::new(&cargo);
        cmd.current_dir(&root)
            .args([
                "build",
                "--quiet",
                "--package",
                "bitbucket-connector",
                "--target",
                "wasm32-wasip2",
                "--release",
            ])
            .args(["--features", &format!("defect-{defect}"), "--target-dir"])
            .arg(&target_dir);
        for (key, _) in env::vars_os() {
            let key = key.to_string_lossy();
            let outer = (key.starts_with("CARGO_")
                && key != "CARGO_HOME"
                && !key.starts_with("CARGO_NET")
                && !key.starts_with("CARGO_REGISTRIES"))
                || key.starts_with("RUSTC")
                || key == "RUSTFLAGS"
                || key == "RUSTDOC";
            if outer {
                cmd.env_remove(key.as_ref());
            }
        }
        let status = cmd.status().expect("cargo runs");
        assert!(
            status.success(),
            "building the defect-{defect} connector failed"
        );
        std::fs::copy(
            target_dir.join("wasm32-wasip2/release/bitbucket_connector.wasm"),
            out.join(format!("defect-{defect}.wasm")),
        )
        .expect("copy the defective connector");
    }
    println!("cargo:rustc-env=DEFECT_CONNECTORS_DIR={}", out.display());
}
