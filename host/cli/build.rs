//! Builds the shipped connectors for `wasm32-wasip2` so that the command
//! line bundles (for `demo`, as its default and by name) the connectors of
//! this very checkout.

#[allow(dead_code)]
mod support {
    include!("../../connector/build-support/connector_build.rs");
}

fn main() {
    let built = support::shipped_connectors(&support::workspace_root());
    println!(
        "cargo:rustc-env=BUNDLED_CONNECTOR_WASM={}",
        built[0].display()
    );
    println!(
        "cargo:rustc-env=BUNDLED_DC_CONNECTOR_WASM={}",
        built[1].display()
    );
    println!("cargo:rustc-env=BUNDLED_PROBE_WASM={}", built[2].display());
}
