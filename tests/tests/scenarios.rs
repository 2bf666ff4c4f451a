//! The scenario-driven conformance kit (`saas-host conform --scenario`):
//! the shipped Bitbucket Cloud and Data Center connectors, the README's
//! Nimbus example and the Cirrus test connector pass with the scenarios
//! shipped in `tests/scenarios`; each defect the Cirrus connector can build
//! in fails exactly the check aimed at it, with its evidence; the reports
//! parse.

use saas_conform::scenario::Scenario;
use saas_conform::scenario_kit;
use saas_conform::{ConformReport, Verdict};

use e2e::datacenter::BITBUCKET_DC;
use e2e::{BITBUCKET, cirrus, example, runtime, scenario};

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

/// Each defect of the Cirrus connector, the one check it must fail, and a
/// piece of the evidence that check must give.
const PROOFS: [(&str, &str, &str); 54] = [
    (
        "phone-home",
        "declared-hosts",
        "outside the connector's URL settings",
    ),
    (
        "no-credential-check",
        "authenticate-missing",
        "expected invalid-config",
    ),
    ("log-token", "log-secrets", "log: a secret, plain"),
    ("token-in-cursor", "cursor-secrets", "cursor: a secret"),
    ("plain-cursor", "cursor-invalid", "cursor"),
    (
        "stale-token",
        "token-refresh",
        "the expired token was sent again",
    ),
    (
        "only-immediate-repeats",
        "paging-cycle",
        "page 3 links to page 1",
    ),
    ("trust-port", "foreign-port", "denied by the host"),
    (
        "trust-scheme",
        "foreign-scheme",
        "a next link to another scheme",
    ),
    (
        "ignore-total",
        "paging-missing-next",
        "no next while the total says more",
    ),
    (
        "drop-retry-after",
        "retry-after-hint",
        "Retry-After: 7 gave rate-limited",
    ),
    (
        "empty-body-is-end",
        "body-empty",
        "instead of malformed-response",
    ),
    (
        "forbidden-as-upstream",
        "error-403",
        "expected forbidden, got upstream",
    ),
    (
        "drop-failed-last-page",
        "batch-partial",
        "with page 3 failing, the listing ended as complete",
    ),
    (
        "token-5xx-as-refused",
        "token-5xx",
        "expected upstream, got invalid-credentials",
    ),
    (
        "build-next-url",
        "paging-next-only",
        "a URL of the connector's own",
    ),
    (
        "refuse-valid",
        "authenticate-valid",
        "valid credentials were refused",
    ),
    (
        "token-401-as-upstream",
        "authenticate-invalid",
        "expected invalid-credentials, got upstream",
    ),
    ("token-in-errors", "error-secrets", "error: a secret"),
    (
        "400-as-not-found",
        "error-400",
        "expected upstream, got not-found",
    ),
    (
        "401-as-forbidden",
        "error-401",
        "expected invalid-credentials, got forbidden",
    ),
    (
        "404-as-upstream",
        "error-404",
        "expected not-found, got upstream",
    ),
    (
        "410-as-upstream",
        "error-410",
        "expected not-found, got upstream",
    ),
    (
        "5xx-as-transport",
        "error-5xx",
        "expected upstream, got transport",
    ),
    (
        "timeout-as-upstream",
        "error-timeout",
        "expected transport, got upstream",
    ),
    (
        "reset-as-upstream",
        "error-reset",
        "expected transport, got upstream",
    ),
    (
        "too-large-as-transport",
        "error-too-large",
        "expected denied-by-host, got transport",
    ),
    (
        "no-hint-as-upstream",
        "rate-limit-storm",
        "expected rate-limited, got upstream",
    ),
    (
        "truncated-is-end",
        "body-truncated",
        "instead of malformed-response",
    ),
    ("html-is-end", "body-html", "instead of malformed-response"),
    (
        "non-utf8-is-end",
        "body-non-utf8",
        "instead of malformed-response",
    ),
    (
        "object-items",
        "items-type-swap",
        "with the items as an object, the listing finished",
    ),
    ("status-phones-home", "pure-calls", "compute-status sent"),
    (
        "status-input-order",
        "status-deterministic",
        "the reversed listing gave another report",
    ),
    (
        "status-future-inactive",
        "status-golden",
        "c-5 is inactive where the truth says active",
    ),
    (
        "status-ignores-complete",
        "status-partial",
        "a partial listing marks",
    ),
    (
        "status-uncovered-never-active",
        "status-unknown",
        "with no evidence and no coverage",
    ),
    (
        "status-counts-suspended-seats",
        "status-seats",
        "7 seats used by 6 people",
    ),
    ("status-fixed-as-of", "status-as-of", "ten years on"),
    (
        "bearer-refused",
        "auth-matrix",
        "cirrus as bearer-token was accepted upstream, but: invalid-config",
    ),
    ("repeat-is-end", "duplicates", "c-7 is missing"),
    (
        "status-small-sample",
        "status-additive",
        "the halves' statuses differ from the whole's",
    ),
    (
        "scope-as-forbidden",
        "error-403-scope",
        "expected insufficient-scope, got forbidden",
    ),
    (
        "unchecked-url",
        "config-validation",
        "base-url = \"ftp://files.example/\": expected invalid-config, got denied-by-host",
    ),
    (
        "uncounted-requests",
        "step-budget",
        "step 1: the egress saw 1 requests, the step reported 0",
    ),
    (
        "status-unmerged",
        "status-unmerged",
        "14 statuses for 7 users",
    ),
    (
        "cycle-only",
        "paging-repeat",
        "page 1 links to itself: the listing finished",
    ),
    ("trust-host", "foreign-host", "denied by the host"),
    ("trust-userinfo", "foreign-userinfo", "denied by the host"),
    (
        "drop-email",
        "fields-fidelity",
        "email: nothing where the truth has",
    ),
    (
        "membership-answer-empty",
        "groups-unsupported-all",
        "add-member did not answer with an error",
    ),
    (
        "groups-no-effect",
        "groups-full",
        "create-group: POST /v2/groups reached the upstream 0 times",
    ),
    (
        "retry-create",
        "groups-write-once",
        "POST /v2/groups answered 503 after it took effect, and was sent 2 times",
    ),
    (
        "read-only-as-forbidden",
        "groups-read-only",
        "update-group: expected read-only, got forbidden",
    ),
];

#[test]
fn each_defect_fails_exactly_its_check_with_its_evidence() {
    let wasm = cirrus();
    let mut wrong = Vec::new();
    for (defect, check, evidence) in PROOFS {
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
