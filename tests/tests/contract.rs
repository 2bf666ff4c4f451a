//! The built component against the contract: its world, its version, a
//! call that crosses the boundary both ways, and the compile cache.

use e2e::{config, connector, demo_credentials, fake, io, runtime, settings};
use saas_runtime::cache::Origin;
use saas_runtime::contract::{self, ALLOWED_WASI};
use saas_runtime::{HostError, Runtime, RuntimeOptions};

#[test]
fn the_component_matches_the_wit_world() {
    let c = connector();
    let surface = c.surface();
    assert_eq!(
        contract::world_mismatches(surface, c.contract_version()),
        Vec::<String>::new()
    );
    for name in surface.imports.keys() {
        assert!(
            name.starts_with("saas:connector/") || ALLOWED_WASI.iter().any(|p| name.starts_with(p)),
            "unexpected import {name}"
        );
    }
    assert!(surface.imports.contains_key("saas:connector/http@0.2.0"));
    assert!(surface.exports.contains_key("saas:connector/groups@0.2.0"));
    assert!(surface.exports.contains_key("saas:connector/seats@0.2.0"));
    assert_eq!(c.info().contract_version, "0.2.0");
    let config = saas_runtime::settings::effective(&c.info().settings, &[]).unwrap();
    // What egress opens to: not the consent page's host, which only a
    // browser visits (here bitbucket.org anyway, for the token endpoint).
    let hosts: Vec<String> = c
        .egress_urls(&config)
        .iter()
        .map(|u| u.host_str().unwrap().to_string())
        .collect();
    assert_eq!(
        hosts,
        ["api.bitbucket.org", "api.atlassian.com", "bitbucket.org"]
    );
}

#[test]
fn a_call_crosses_the_boundary_both_ways() {
    let fake = fake(1, 3);
    let (io, _) = io(&fake);
    let session = connector()
        .authenticate(&io, &config(&settings(&fake)), &demo_credentials())
        .unwrap()
        .unwrap();
    let secrets = session.secrets();
    assert!(secrets[0].starts_with("fbb-access-"), "{secrets:?}");
    assert!(secrets.last().unwrap().contains(secrets[0]));
    // The export called the host's http import: the token endpoint, whose
    // grant proves the client (no check call behind it).
    assert_eq!(io.egress.counts().requests, 1);
    let paths: Vec<String> = fake.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/site/oauth2/access_token"]);
}

/// The goal is 300 KB for every shipped component; the example connector
/// meets it (tests/example.rs). Bitbucket does not yet: 611 KB before the
/// Atlassian Admin API, ~731 KB with it, 719 KB once the SDK's status rules
/// dropped their B-tree maps, 736 KB once cursors were checked against
/// tampering (checksum, settings, links) and a step learned to hand back a
/// session refreshed before it failed, 741 KB with the consent flow (the
/// contract's `consent-flow` record, ~2 KB in every component, the
/// declaration and the consenting account's name: ~3 KB), 744.6 KB with
/// `http.prefetch` (its import and the member pages named ahead: ~3.7 KB;
/// the check call it made redundant for OAuth grants saved little code),
/// 746.9 KB once batches were planned in one place (and named ahead
/// whole) and the Admin API's first page went out beside discovery's
/// (~2.3 KB; the ceiling went from 745 to 750 KB for it), 759 KB once
/// member pages were read as typed structs instead of `Value` trees (about
/// half the listing thread's CPU; ~30 KB of derived readers, less ~18 KB
/// from reading every body through one `from_str`; the ceiling went to
/// 760 KB for it) (the Admin API's
/// client, its JSON, the
/// listing's join and the directory groups are ~100 KB, the contract's
/// evidence gaps and renewed fields ~9 KB); of the rest, the contract's lifting and lowering code and
/// the status rules (the SDK) are ~115 KB, serde_json ~85 KB, url with idna
/// ~35 KB, core, alloc and std ~165 KB (see the README). This ceiling keeps
/// it from growing meanwhile.
#[test]
fn the_bitbucket_component_stays_under_its_size_ceiling() {
    let size = connector().size();
    eprintln!("bundled connector: {size} bytes");
    assert!(size <= 760_000, "{size} bytes");
}

/// The Data Center component, against the same 300 KB goal: 445 KB. Its
/// own code is ~65 KB and reads JSON through `serde_json::Value` (derived
/// deserialisers cost ~110 KB more); the rest is what every component on
/// the SDK carries (the example connector, with almost no code of its own,
/// is 281 KB): the contract's lifting and lowering, the status rules,
/// serde_json, core, alloc and std. Reaching 300 KB needs a smaller SDK
/// floor, not a smaller connector; this ceiling keeps it from growing.
#[test]
fn the_data_center_component_stays_under_its_size_ceiling() {
    let size = e2e::datacenter::BITBUCKET_DC.len();
    eprintln!("Data Center connector: {size} bytes");
    assert!(size <= 450_000, "{size} bytes");
}

fn component_exporting(name: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(component
            (core module $m (func (export "f")))
            (core instance $i (instantiate $m))
            (func $f (canon lift (core func $i "f")))
            (instance $c (export "info" (func $f)))
            (export "{name}" (instance $c)))"#
    ))
    .unwrap()
}

#[test]
fn refuses_a_component_built_against_another_contract_version() {
    let err = runtime()
        .load(&component_exporting("saas:connector/connector@0.9.0"))
        .unwrap_err();
    assert!(
        matches!(err, HostError::ContractMismatch { ref found, .. } if found == "0.9.0"),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("0.9.0") && text.contains("0.1.0 and 0.2.0"),
        "{text}"
    );
}

#[test]
fn refuses_what_is_not_a_connector() {
    let err = runtime()
        .load(&component_exporting("other:thing/api@1.0.0"))
        .unwrap_err();
    assert!(matches!(err, HostError::NotAConnector(_)), "{err}");
    assert!(matches!(
        runtime().load(b"not wasm at all"),
        Err(HostError::Load(_))
    ));
    let core_module = wat::parse_str("(module)").unwrap();
    assert!(matches!(
        runtime().load(&core_module),
        Err(HostError::Load(_))
    ));
}

#[test]
fn a_second_load_comes_from_the_compile_cache() {
    let dir = tempfile::tempdir().unwrap();
    let rt = Runtime::new(RuntimeOptions {
        cache_dir: Some(dir.path().to_path_buf()),
        ..RuntimeOptions::default()
    })
    .unwrap();
    assert_eq!(rt.load(e2e::BITBUCKET).unwrap().origin(), Origin::Compiled);
    assert_eq!(rt.load(e2e::BITBUCKET).unwrap().origin(), Origin::Cached);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Released contract versions, file by file, and the component built
/// against each: a released version is never edited.
const FROZEN: [(&str, &str); 7] = [
    (
        "wit/v0.1.0/connector.wit",
        "2de13120f8f5447e732a87f24fe79f7ec9d063437bab62ef419e1889a20d6870",
    ),
    (
        "wit/v0.1.0/groups.wit",
        "536156f6332c0f10868748ab5962b214f1dee2801f8e93fd2adf6da9bd10df2f",
    ),
    (
        "wit/v0.1.0/http.wit",
        "09e5ab9cf354167163a8540da84e8cefab2ae5f654890aaf44712f4d8bb828bf",
    ),
    (
        "wit/v0.1.0/log.wit",
        "8af1f7265b4157a67ad4e9bcaa26e2b3d73b09ac034bb4fd062c921f550b9a00",
    ),
    (
        "wit/v0.1.0/types.wit",
        "ad3f04a2197833d0a689a5b5c4d4017a04959d08d44c80319b9b04074c82288a",
    ),
    (
        "wit/v0.1.0/world.wit",
        "b2f8fc11e9d52a0d409b812eb1c06f51ca814d6f8f4f3d40e275da42c7bcac18",
    ),
    (
        "tests/fixtures/contract-0.1.0/bitbucket-connector.wasm",
        "1388c44332767c7dd267ef1d6c6eddb0f9566df07478d561c0cd203c94a2fe66",
    ),
];

#[test]
fn released_contract_versions_are_frozen() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (path, want) in FROZEN {
        let bytes = std::fs::read(root.join(path)).unwrap();
        assert_eq!(
            saas_runtime::cache::sha256_hex(&bytes),
            want,
            "{path} changed"
        );
    }
    let released: Vec<_> = std::fs::read_dir(root.join("wit/v0.1.0"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        released.len(),
        6,
        "a file was added to a released version: {released:?}"
    );
}
