// Shared by the build scripts of `host/cli`, `tests` and `tests/embedder`
// through `include!`: builds connector components for wasm32-wasip2 from
// inside a build script.

/// The workspace's root: the first folder above the crate with a `Cargo.lock`.
pub fn workspace_root() -> std::path::PathBuf {
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    manifest
        .ancestors()
        .find(|d| d.join("Cargo.lock").exists())
        .expect("the crate sits in the workspace")
        .to_path_buf()
}

/// The shipped components: the Bitbucket Cloud and Data Center connectors,
/// and the probe of `saas-host conform-host`.
pub const SHIPPED_PACKAGES: [&str; 3] = ["bitbucket-connector", "bitbucket-dc-connector", "host-probe"];

/// Builds the shipped connectors into `target/wasm` (a folder of its own:
/// the outer build holds the lock on `target/`), in one cargo invocation,
/// and returns their `.wasm` files in the order of [`SHIPPED_PACKAGES`].
/// Every build script that asks gets the same artefacts.
pub fn shipped_connectors(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    watch_connector(root);
    build_packages(root, &root.join("target").join("wasm"), &SHIPPED_PACKAGES, &[], &SHIPPED)
}

/// Builds the connector `package` (with `features`) into `target_dir` and
/// returns the path of the `.wasm`. `extra_env` adds profile settings.
pub fn build_connector(
    root: &std::path::Path,
    target_dir: &std::path::Path,
    package: &str,
    features: &[&str],
    extra_env: &[(&str, &str)],
) -> std::path::PathBuf {
    build_packages(root, target_dir, &[package], features, extra_env).remove(0)
}

/// Builds `packages` in one cargo invocation; see [`build_connector`].
pub fn build_packages(
    root: &std::path::Path,
    target_dir: &std::path::Path,
    packages: &[&str],
    features: &[&str],
    extra_env: &[(&str, &str)],
) -> Vec<std::path::PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--quiet", "--target", "wasm32-wasip2", "--release"]);
    for package in packages {
        cmd.args(["--package", package]);
    }
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    cmd.arg("--target-dir").arg(target_dir);
    // Do not leak the outer build's settings (clippy wrappers, flags, target).
    for (key, _) in std::env::vars_os() {
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
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let status = cmd.status().expect("cargo runs");
    assert!(
        status.success(),
        "building {packages:?} for wasm32-wasip2 (features {features:?}) failed. If the target \
         is missing, run `cargo xtask setup` (or `rustup target add wasm32-wasip2`)."
    );
    packages
        .iter()
        .map(|p| target_dir.join(format!("wasm32-wasip2/release/{}.wasm", p.replace('-', "_"))))
        .collect()
}

/// The settings of a shipped component: whole-program optimised for size,
/// and stripped. `strip = true` alone leaves the core module's name section
/// (115 KB for Bitbucket) in the component, so the linker is told too.
pub const SHIPPED: [(&str, &str); 5] = [
    ("CARGO_PROFILE_RELEASE_LTO", "true"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1"),
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "s"),
    ("CARGO_PROFILE_RELEASE_STRIP", "true"),
    ("CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS", "-C link-arg=--strip-all"),
];

/// What a connector build depends on in the workspace: the connectors and
/// the SDK, the contract, the lock file, this file.
const WATCHED: [&str; 4] = ["connector", "wit", "Cargo.lock", "tests/cirrus"];

/// Asks cargo to rebuild when a connector, the SDK or the contract changes.
pub fn watch_connector(root: &std::path::Path) {
    for watched in WATCHED {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
}

/// A fingerprint of everything a connector build depends on in the
/// workspace (sources, manifest, contract, lock file, this file), so that a
/// build script can reuse what it built for another profile.
pub fn connector_fingerprint(root: &std::path::Path) -> String {
    use std::hash::{Hash, Hasher};
    fn walk(path: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        if path.is_dir() {
            if let Ok(entries) = std::fs::read_dir(path) {
                for e in entries.flatten() {
                    walk(&e.path(), files);
                }
            }
        } else {
            files.push(path.to_path_buf());
        }
    }
    let mut files = Vec::new();
    for watched in WATCHED {
        walk(&root.join(watched), &mut files);
    }
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.hash(&mut h);
        std::fs::read(&f).unwrap_or_default().hash(&mut h);
    }
    format!("{:016x}", h.finish())
}
