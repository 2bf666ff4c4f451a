//! Builds the Bitbucket connector for `wasm32-wasip2` so that the command
//! line bundles (for `demo` and as its default) the connector of this very
//! checkout.

#[allow(dead_code)]
mod support {
    include!("../../connector/build-support/connector_build.rs");
}

fn main() {
    let wasm = support::shipped_bitbucket(&support::workspace_root());
    println!("cargo:rustc-env=BUNDLED_CONNECTOR_WASM={}", wasm.display());
}
