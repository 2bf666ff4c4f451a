//! Builds the shipped connectors (the same artefacts the command line
//! bundles), and, in one more cargo invocation, the test connectors: the
//! README's example connector and the Cirrus test connector whose
//! `defect` setting proves the conformance kit and the sandbox.

/// The test connectors, as built.
const TEST_CONNECTORS: [(&str, &str); 2] = [
    ("example-connector", "example-connector.wasm"),
    ("cirrus-connector", "cirrus-connector.wasm"),
];

include!("../connector/build-support/connector_build.rs");

fn main() {
    let root = workspace_root();
    let shipped = shipped_connectors(&root);
    println!(
        "cargo:rustc-env=BITBUCKET_CONNECTOR_WASM={}",
        shipped[0].display()
    );
    println!(
        "cargo:rustc-env=BITBUCKET_DC_CONNECTOR_WASM={}",
        shipped[1].display()
    );
    println!("cargo:rustc-env=HOST_PROBE_WASM={}", shipped[2].display());
    // Built once per change of a connector, whatever the profile (test,
    // clippy, bench) that runs this script.
    let target_dir = root.join("target").join("wasm-test-connectors");
    let built = target_dir.join("built");
    let stamp = built.join("fingerprint");
    let fingerprint = connector_fingerprint(&root);
    let fresh = std::fs::read_to_string(&stamp).is_ok_and(|s| s == fingerprint)
        && TEST_CONNECTORS
            .iter()
            .all(|(_, file)| built.join(file).exists());
    if !fresh {
        std::fs::create_dir_all(&built).expect("a folder for the builds");
        let packages = TEST_CONNECTORS.map(|(package, _)| package);
        let wasm = build_packages(&root, &target_dir, &packages, &[], &SHIPPED);
        for (from, (_, file)) in wasm.iter().zip(TEST_CONNECTORS) {
            std::fs::copy(from, built.join(file)).expect("copy a test connector");
        }
        std::fs::write(&stamp, &fingerprint).expect("write the fingerprint");
    }
    println!("cargo:rustc-env=TEST_CONNECTORS_DIR={}", built.display());
}
