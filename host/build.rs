//! Builds the Bitbucket connector for `wasm32-wasip2` so the host always
//! bundles (and tests always run) the connector of this very checkout.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest_dir
        .parent()
        .expect("host/ sits in the workspace")
        .to_path_buf();
    for watched in ["connector/src", "connector/Cargo.toml", "wit", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    // A separate target folder: the outer build holds the lock on target/.
    let target_dir = root.join("target").join("wasm");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root).args([
        "build",
        "--package",
        "bitbucket-connector",
        "--target",
        "wasm32-wasip2",
        "--release",
        "--target-dir",
    ]);
    cmd.arg(&target_dir);
    // Do not leak the outer build's settings (clippy wrappers, flags, target).
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
    // The shipped component: whole-program optimised and stripped.
    cmd.env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env("CARGO_PROFILE_RELEASE_STRIP", "true");
    let status = cmd.status().expect("cargo runs");
    if !status.success() {
        panic!(
            "building the connector for wasm32-wasip2 failed. If the target is missing, \
             run `cargo xtask setup` (or `rustup target add wasm32-wasip2`)."
        );
    }
    let wasm = target_dir.join("wasm32-wasip2/release/bitbucket_connector.wasm");
    println!("cargo:rustc-env=BUNDLED_CONNECTOR_WASM={}", wasm.display());
}
