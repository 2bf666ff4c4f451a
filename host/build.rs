//! Builds the Bitbucket connector for `wasm32-wasip2` so the host always
//! bundles (and tests always run) the connector of this very checkout.

// `connector_fingerprint` serves tests/build.rs only.
#[allow(dead_code)]
mod support {
    include!("../build-support/connector_build.rs");
}
use support::{SHIPPED, build_connector, watch_connector};

fn main() {
    let manifest_dir =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest_dir
        .parent()
        .expect("host/ sits in the workspace")
        .to_path_buf();
    watch_connector(&root);
    // A separate target folder: the outer build holds the lock on target/.
    let wasm = build_connector(
        &root,
        &root.join("target").join("wasm"),
        "bitbucket-connector",
        &[],
        &SHIPPED,
    );
    println!("cargo:rustc-env=BUNDLED_CONNECTOR_WASM={}", wasm.display());
}
