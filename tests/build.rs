//! Builds the shipped Bitbucket connector (the same artefact the command
//! line bundles), its deliberately defective variants (one cargo feature
//! each) for the sandbox and conformance tests, the README's example
//! connector and the Cirrus test connector of the scenario kit.

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

/// The README's example connector, as built.
const EXAMPLE: &str = "example-connector.wasm";

/// The Cirrus test connector (tests/cirrus), as built.
const CIRRUS: &str = "cirrus-connector.wasm";

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
    // Built once per change of the connector, whatever the profile (test,
    // clippy, bench) that runs this script.
    let target_dir = root.join("target").join("wasm-defects");
    let built = target_dir.join("built");
    let stamp = built.join("fingerprint");
    let fingerprint = connector_fingerprint(&root);
    let fresh = std::fs::read_to_string(&stamp).is_ok_and(|s| s == fingerprint)
        && built.join(EXAMPLE).exists()
        && built.join(CIRRUS).exists()
        && DEFECTS
            .iter()
            .all(|d| built.join(format!("defect-{d}.wasm")).exists());
    if !fresh {
        std::fs::create_dir_all(&built).expect("a folder for the builds");
        for defect in DEFECTS {
            let feature = format!("defect-{defect}");
            let wasm = build_connector(&root, &target_dir, "bitbucket-connector", &[&feature], &[]);
            std::fs::copy(wasm, built.join(format!("{feature}.wasm")))
                .expect("copy the defective connector");
        }
        // The example and the Cirrus test connector in one invocation.
        let wasm = build_packages(
            &root,
            &target_dir,
            &["example-connector", "cirrus-connector"],
            &[],
            &SHIPPED,
        );
        std::fs::copy(&wasm[0], built.join(EXAMPLE)).expect("copy the example connector");
        std::fs::copy(&wasm[1], built.join(CIRRUS)).expect("copy the Cirrus connector");
        std::fs::write(&stamp, &fingerprint).expect("write the fingerprint");
    }
    println!("cargo:rustc-env=DEFECT_CONNECTORS_DIR={}", built.display());
}
