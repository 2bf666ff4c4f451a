//! The conformance kit passes the real connector and fails each
//! deliberately broken one on exactly the check aimed at its defect.

use std::sync::OnceLock;

use e2e::defect;
use saas_conform as conform;
use saas_conform::{CHECKS, ConformReport, Verdict};
use saas_runtime::Runtime;

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| Runtime::new(conform::kit_options(None)).unwrap())
}

fn assert_fails_only(report: &ConformReport, aimed: &str) {
    assert_eq!(report.failures(), [aimed], "\n{}", report.to_text());
}

#[test]
fn the_real_connector_passes_every_check() {
    let report = conform::run(runtime(), e2e::BITBUCKET);
    assert!(report.passed(), "\n{}", report.to_text());
    assert_eq!(report.results.len(), CHECKS.len());
    assert!(
        report.results.iter().all(|r| r.verdict == Verdict::Pass),
        "\n{}",
        report.to_text()
    );
    let junit = conform::junit(&report);
    assert!(junit.contains(&format!("tests=\"{}\" failures=\"0\"", CHECKS.len())));
}

macro_rules! defect_fails {
    ($($test:ident: $defect:literal => $check:literal,)*) => {$(
        #[test]
        fn $test() {
            let report = conform::run(runtime(), &defect($defect));
            assert_fails_only(&report, $check);
        }
    )*};
}

defect_fails! {
    following_a_foreign_link_fails_pagination_foreign: "follow-foreign" => "pagination-foreign",
    looping_on_a_repeated_link_fails_pagination_repeat: "loop-on-repeat" => "pagination-repeat",
    dropping_the_last_page_fails_list_users_exact: "drop-last-page" => "list-users-exact",
    ignoring_the_cursor_fails_resume: "ignore-cursor" => "resume",
    logging_a_secret_fails_secrets: "log-secret" => "secrets",
    trapping_on_a_malformed_body_fails_malformed_bodies: "trap-on-malformed" => "malformed-bodies",
    calling_unknown_users_inactive_fails_status_unknown: "unknown-inactive" => "status-unknown",
    a_runaway_loop_fails_sandbox_limits: "runaway" => "sandbox-limits",
    unbounded_memory_fails_sandbox_limits: "memory-hog" => "sandbox-limits",
    a_wrongly_typed_auth_error_fails_authenticate_invalid: "wrong-auth-error" => "authenticate-invalid",
    never_refreshing_fails_token_refresh: "no-refresh" => "token-refresh",
    giving_up_on_429_fails_rate_limit_and_5xx: "give-up-on-429" => "rate-limit-and-5xx",
    a_shifting_report_fails_status_deterministic: "nondeterministic" => "status-deterministic",
    miscounted_seats_fail_status_invariants: "miscount-seats" => "status-invariants",
    idle_verdicts_on_a_partial_listing_fail_status_partial: "partial-idle" => "status-partial",
    an_untyped_denial_fails_sandbox_egress: "egress-untyped" => "sandbox-egress",
    a_broken_add_member_fails_groups: "groups-broken" => "groups",
    hosts_given_as_urls_fail_info: "bad-info" => "info",
}

#[test]
fn a_component_that_does_not_load_fails_world_and_skips_the_rest() {
    let report = conform::run(runtime(), b"\0asm garbage");
    assert_eq!(report.failures(), ["world"]);
    assert!(
        report.results[1..]
            .iter()
            .all(|r| r.verdict == Verdict::Skipped)
    );
}
