//! The scenario-driven conformance kit (`saas-host conform --scenario`):
//! the shipped Bitbucket Cloud and Data Center connectors, the README's
//! Nimbus example and the Cirrus test connector pass with the scenarios
//! shipped in `tests/scenarios`; each defect the Cirrus connector can build
//! in fails exactly the check aimed at it, with its evidence; the reports
//! parse.

use saas_conform::scenario::{Role, Scenario};
use saas_conform::scenario_kit;
use saas_conform::{ConformReport, Verdict};

use e2e::datacenter::BITBUCKET_DC;
use e2e::{BITBUCKET, cirrus, cirrus_defects, example, runtime, scenario};

fn run(wasm: &[u8], scenario: Scenario) -> ConformReport {
    scenario_kit::run(runtime(), wasm, scenario)
}

fn with_defect(name: &str) -> Scenario {
    let mut s = scenario("cirrus");
    s.file.settings.insert("defect".into(), name.into());
    s
}

fn names(report: &ConformReport, verdict: Verdict) -> Vec<&'static str> {
    report
        .results
        .iter()
        .filter(|r| r.verdict == verdict)
        .map(|r| r.name)
        .collect()
}

#[test]
fn the_kit_has_at_least_45_checks_with_unique_names() {
    let mut all: Vec<&str> = scenario_kit::checks().collect();
    assert!(all.len() >= 45, "{} checks", all.len());
    all.sort();
    all.dedup();
    assert_eq!(all.len(), scenario_kit::checks().count());
}

#[test]
fn the_nimbus_example_passes_every_check_its_scenario_can_run() {
    let report = run(&example(), scenario("nimbus"));
    assert!(report.passed(), "{}", report.to_text());
    // Nimbus has one bearer token (no other kind, no token route, no
    // scopes), one unit (no filters), pages by number with no total, and
    // declares no resumable listing and no groups.
    assert_eq!(
        names(&report, Verdict::Skipped),
        [
            "auth-matrix",
            "token-refresh",
            "token-5xx",
            "unit-filters",
            "cursor-resume",
            "error-403-scope",
            "paging-next-only",
            "paging-missing-next",
            "foreign-host",
            "foreign-port",
            "foreign-scheme",
            "foreign-userinfo",
            "groups-full",
            "groups-write-once",
            "groups-read-only"
        ]
    );
    let golden = report.results.iter().find(|r| r.name == "status-golden");
    assert!(golden.is_some_and(|r| r.verdict == Verdict::Pass));
}

#[test]
fn the_cirrus_connector_passes_every_check_its_scenario_can_run() {
    let report = run(&cirrus(), scenario("cirrus"));
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(
        names(&report, Verdict::Skipped),
        ["expired-credentials", "unit-filters"]
    );
}

#[test]
fn the_shipped_bitbucket_connector_passes_every_check_its_scenario_can_run() {
    let report = run(BITBUCKET, scenario("bitbucket"));
    assert!(report.passed(), "{}", report.to_text());
    // A token route; every group function declared.
    assert_eq!(
        names(&report, Verdict::Skipped),
        ["expired-credentials", "groups-unsupported-all"]
    );
}

#[test]
fn the_shipped_data_center_connector_passes_every_check_its_scenario_can_run() {
    let report = run(BITBUCKET_DC, scenario("bitbucket-dc"));
    assert!(report.passed(), "{}", report.to_text());
    // Basic credentials (no token route, no expiry of their own), pages by
    // start and limit (no links to follow or move, no total), one instance
    // (no unit filters), no scopes (a 403 is forbidden), every group
    // function declared.
    assert_eq!(
        names(&report, Verdict::Skipped),
        [
            "expired-credentials",
            "token-refresh",
            "token-5xx",
            "unit-filters",
            "error-403-scope",
            "paging-next-only",
            "paging-missing-next",
            "foreign-host",
            "foreign-port",
            "foreign-scheme",
            "foreign-userinfo",
            "groups-unsupported-all"
        ]
    );
}

#[test]
fn each_defect_fails_exactly_its_check_with_its_evidence() {
    let wasm = cirrus();
    let mut wrong = Vec::new();
    for (defect, check, evidence) in cirrus_defects::PROOFS {
        let report = run(&wasm, with_defect(defect));
        let failed = names(&report, Verdict::Fail);
        let shown = report
            .results
            .iter()
            .find(|r| r.name == check)
            .map(|r| r.evidence.clone())
            .unwrap_or_default();
        // The evidence quotes what leaked, masked: the report itself holds
        // no credential and no token.
        let text = report.to_text();
        if text.contains("replay-token-") || text.contains("cirrus-kit-secret-0001") {
            wrong.push(format!("{defect}: a secret in the report"));
        }
        if failed != [check] || !shown.contains(evidence) {
            wrong.push(format!(
                "{defect}: failed {failed:?}, {check} said {shown:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_json_and_junit_reports_parse_and_agree_with_the_text() {
    let report = run(&cirrus(), with_defect("trust-port"));
    let json: serde_json::Value = serde_json::to_value(&report).unwrap();
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), scenario_kit::checks().count());
    assert!(results.iter().all(|r| {
        ["pass", "fail", "skipped"].contains(&r["verdict"].as_str().unwrap_or_default())
            && r["evidence"].is_string()
            && r["millis"].is_u64()
    }));
    let xml = saas_conform::junit(&report);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suite = doc.root_element();
    assert_eq!(suite.tag_name().name(), "testsuite");
    let number = |n: roxmltree::Node<'_, '_>, a: &str| -> f64 {
        n.attribute(a)
            .unwrap_or_else(|| panic!("{a} is required"))
            .parse()
            .unwrap_or_else(|_| panic!("{a} is a number"))
    };
    let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
    assert_eq!(number(suite, "tests") as usize, cases.len());
    let failed: Vec<_> = cases
        .iter()
        .filter(|c| c.children().any(|k| k.tag_name().name() == "failure"))
        .collect();
    assert_eq!(number(suite, "failures") as usize, failed.len());
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attribute("name"), Some("foreign-port"));
    let skipped = cases
        .iter()
        .filter(|c| c.children().any(|k| k.tag_name().name() == "skipped"))
        .count();
    assert_eq!(number(suite, "skipped") as usize, skipped);
    for case in &cases {
        assert_eq!(case.tag_name().name(), "testcase");
        assert!(case.attribute("classname").is_some() && case.attribute("name").is_some());
        assert!(number(*case, "time") >= 0.0);
        for child in case.children().filter(|n| n.is_element()) {
            let tag = child.tag_name().name();
            assert!(["failure", "skipped", "system-out"].contains(&tag), "{tag}");
            if tag != "system-out" {
                assert!(child.attribute("message").is_some());
            }
        }
    }
    assert!(report.to_text().contains("FAIL  foreign-port"));
}

#[test]
fn a_scenario_for_another_connector_fails_info_and_runs_nothing_else_wrongly() {
    let report = run(&example(), scenario("cirrus"));
    let info = report.results.iter().find(|r| r.name == "info").unwrap();
    assert_eq!(info.verdict, Verdict::Fail);
    assert!(info.evidence.contains("the scenario is for \"cirrus\""));
    // The Cirrus settings and slot do not exist in Nimbus: the behavioural
    // checks are skipped with the reason, not failed.
    let auth = report
        .results
        .iter()
        .find(|r| r.name == "fields-fidelity")
        .unwrap();
    assert_eq!(auth.verdict, Verdict::Skipped, "{}", auth.evidence);
}

#[test]
fn a_component_that_does_not_load_fails_world_types_and_skips_the_rest() {
    for (what, wasm) in [
        ("garbage", b"\0asm garbage".to_vec()),
        ("a core module", wat::parse_str("(module)").unwrap()),
    ] {
        let report = run(&wasm, scenario("cirrus"));
        assert_eq!(names(&report, Verdict::Fail), ["world-types"], "{what}");
        assert_eq!(
            names(&report, Verdict::Skipped).len(),
            scenario_kit::checks().count() - 1,
            "{what}"
        );
        let world = &report.results[0];
        assert!(
            world.evidence.contains("does not load"),
            "{what}: {}",
            world.evidence
        );
    }
}

#[test]
fn a_component_whose_version_is_not_semver_fails_info_alone() {
    // The same component with one byte of its version changed: the data
    // segment keeps its size, so nothing else moves.
    let mut wasm = cirrus();
    let at = wasm
        .windows(10)
        .position(|w| w == b"1.0.0-rc.1")
        .expect("Cirrus's version is in its data");
    wasm[at + 9] = b'?';
    let report = run(&wasm, scenario("cirrus"));
    assert_eq!(names(&report, Verdict::Fail), ["info"]);
    let info = report.results.iter().find(|r| r.name == "info").unwrap();
    assert!(
        info.evidence
            .contains("version \"1.0.0-rc.?\" is not semver"),
        "{}",
        info.evidence
    );
}

/// The Cirrus scenario signed in with a personal token alone: no token
/// route, so `expired-credentials` runs.
fn personal() -> Scenario {
    let mut s = scenario("cirrus");
    s.file.routes.retain(|r| r.role != Role::Token);
    let slot = |token: &str| {
        [(
            "cirrus".to_string(),
            [("token".to_string(), token.to_string())].into(),
        )]
        .into()
    };
    s.file.credentials.valid = slot("cirrus-kit-personal-token-0001");
    s.file.credentials.invalid = slot("cirrus-kit-revoked-token-0001");
    s.file.credentials.also.clear();
    s
}

#[test]
fn an_expired_personal_token_is_expired_credentials_and_the_defect_fails_that_alone() {
    let clean = run(&cirrus(), personal());
    let expired = |r: &ConformReport| {
        let x = r.results.iter().find(|x| x.name == "expired-credentials");
        x.map(|x| (x.verdict, x.evidence.clone())).unwrap()
    };
    assert!(clean.passed(), "{}", clean.to_text());
    assert_eq!(expired(&clean).0, Verdict::Pass);
    let mut broken = personal();
    broken
        .file
        .settings
        .insert("defect".into(), "expired-as-invalid".into());
    let broken = run(&cirrus(), broken);
    let mut failed = names(&clean, Verdict::Fail);
    failed.push("expired-credentials");
    failed.sort();
    let mut got = names(&broken, Verdict::Fail);
    got.sort();
    assert_eq!(got, failed);
    assert!(
        expired(&broken)
            .1
            .contains("expected expired-credentials, got invalid-credentials"),
        "{}",
        expired(&broken).1
    );
}
