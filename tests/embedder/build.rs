//! The embedding example's test runs the Bitbucket component of this
//! checkout; the example itself takes any component as its argument.

#[allow(dead_code)]
mod support {
    include!("../../connector/build-support/connector_build.rs");
}

fn main() {
    let wasm = support::shipped_connectors(&support::workspace_root()).remove(0);
    println!(
        "cargo:rustc-env=BITBUCKET_CONNECTOR_WASM={}",
        wasm.display()
    );
}
