//! The scenario-driven kit: any connector, run against the replay of the
//! API its scenario describes, with faults injected at the host's egress.
//! Every behavioural check runs its fault-free control first and compares
//! with the scenario's truth, never with the connector's own output; a
//! check whose control fails is skipped, so one defect shows as one
//! failure. The README lists every check.

mod auth;
mod bench;
mod config;
mod errors;
mod faults;
mod filters;
mod groups;
mod listing;
mod paging;
mod secrets;
mod shape;
mod status;
pub mod truth;

use std::sync::Arc;
use std::time::Instant;

use saas_runtime::redact::Redactor;
use saas_runtime::{Connector, Runtime};

pub use bench::Bench;

use crate::scenario::Scenario;
use crate::{CheckResult, ConformReport, Verdict};

/// Why a check did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// The connector breaks the contract here.
    Fail(String),
    /// The check could not run (its control failed, the scenario has no
    /// such route): the reason.
    Skip(String),
}

impl From<String> for Miss {
    fn from(why: String) -> Self {
        Miss::Fail(why)
    }
}

/// What a check returns: the evidence of a pass, or why not.
pub type Outcome = Result<String, Miss>;

/// What every check gets.
pub struct Subject<'a> {
    /// The connector.
    pub c: &'a Connector,
    /// Its scenario.
    pub scenario: Arc<Scenario>,
    /// Masks the scenario's credentials and every token its benches'
    /// upstreams handed out, in the evidence the report shows.
    pub redactor: Arc<Redactor>,
}

impl Subject<'_> {
    /// A fresh bench, whose tokens this subject's redactor learns.
    pub fn bench(&self) -> Result<Bench<'_>, Miss> {
        Bench::new(self.c, &self.scenario).map(|b| b.teaching(self.redactor.clone()))
    }

    /// A fresh bench whose egress fetches nothing ahead, so that every
    /// attempt it sees was sent by the step it falls in.
    pub fn bench_without_prefetch(&self) -> Result<Bench<'_>, Miss> {
        let limits = saas_runtime::egress::EgressLimits {
            prefetch: saas_runtime::egress::PrefetchLimits {
                entries: 0,
                ..Default::default()
            },
            ..crate::kit::limits()
        };
        Bench::with_limits(self.c, &self.scenario, limits)
            .map(|b| b.teaching(self.redactor.clone()))
    }
}

type Run = fn(&Subject<'_>) -> Outcome;

/// Every check, in run order: the component's shape, credentials, the
/// plain listing, cursors, faults, paging, secrets, statuses, groups.
const TABLE: &[(&str, Run)] = &[
    ("world-types", shape::world_types),
    ("info", shape::info),
    ("declared-hosts", shape::declared_hosts),
    ("config-validation", config::validation),
    ("authenticate-valid", auth::valid),
    ("authenticate-invalid", auth::invalid),
    ("authenticate-missing", auth::missing),
    ("auth-matrix", auth::matrix),
    ("expired-credentials", auth::expired),
    ("token-refresh", auth::refresh),
    ("token-5xx", auth::token_5xx),
    ("fields-fidelity", listing::fidelity),
    ("unit-filters", filters::units),
    ("pure-calls", listing::pure_calls),
    ("step-budget", listing::step_budget),
    ("cursor-resume", listing::resume),
    ("cursor-invalid", listing::cursor_invalid),
    ("cursor-secrets", secrets::cursors),
    ("log-secrets", secrets::logs),
    ("error-secrets", secrets::errors),
    ("retry-transient-5xx", faults::transient_5xx),
    ("retry-transient-429", faults::transient_429),
    ("retry-after-hint", faults::retry_after_hint),
    ("rate-limit-storm", faults::rate_limit_storm),
    ("error-400", errors::status_400),
    ("error-401", errors::status_401),
    ("error-403", errors::status_403),
    ("error-403-scope", errors::status_403_scope),
    ("error-404", errors::status_404),
    ("error-410", errors::status_410),
    ("error-5xx", errors::status_5xx),
    ("error-timeout", errors::timeout),
    ("error-reset", errors::reset),
    ("error-too-large", errors::too_large),
    ("error-denied", errors::denied),
    ("body-truncated", faults::truncated),
    ("body-html", faults::html),
    ("body-empty", faults::empty),
    ("body-non-utf8", faults::non_utf8),
    ("items-type-swap", faults::type_swap),
    ("duplicates", faults::duplicates),
    ("batch-partial", faults::batch_partial),
    ("paging-next-only", paging::next_only),
    ("paging-repeat", paging::repeat),
    ("paging-cycle", paging::cycle),
    ("paging-missing-next", paging::missing_next),
    ("paging-next-on-last", paging::next_on_last),
    ("foreign-host", paging::foreign_host),
    ("foreign-port", paging::foreign_port),
    ("foreign-scheme", paging::foreign_scheme),
    ("foreign-userinfo", paging::foreign_userinfo),
    ("status-golden", status::golden),
    ("status-deterministic", status::deterministic),
    ("status-partial", status::partial),
    ("status-unknown", status::unknown),
    ("status-seats", status::seats),
    ("status-as-of", status::as_of),
    ("status-additive", status::additive),
    ("status-unmerged", status::unmerged),
    ("groups-full", groups::full),
    ("groups-write-once", groups::write_once),
    ("groups-read-only", groups::read_only),
    ("groups-unsupported-all", groups::unsupported_all),
];

/// The names of every scenario check, in run order.
pub fn checks() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(name, _)| *name)
}

/// Runs every check on a component with its scenario.
pub fn run(runtime: &Runtime, wasm: &[u8], scenario: Scenario) -> ConformReport {
    let sha256 = saas_runtime::cache::sha256_hex(wasm);
    let loaded = runtime.load(wasm);
    let scenario = Arc::new(scenario);
    let redactor = Arc::new(Redactor::new());
    // Names and ids are no secrets, and masking them would garble the
    // evidence (a username `admin`).
    const PLAIN: [&str; 6] = [
        "kind",
        "username",
        "email",
        "client-id",
        "org-id",
        "redirect-uri",
    ];
    for fields in scenario.file.credentials.all() {
        fields
            .iter()
            .filter(|(k, _)| !PLAIN.contains(&k.as_str()))
            .for_each(|(_, v)| redactor.add(v));
    }
    let results = TABLE
        .iter()
        .map(|(name, run)| {
            let start = Instant::now();
            let outcome = match &loaded {
                Ok(c) => run(&Subject {
                    c,
                    scenario: scenario.clone(),
                    redactor: redactor.clone(),
                }),
                Err(e) if *name == "world-types" => {
                    Err(Miss::Fail(format!("the component does not load: {e}")))
                }
                Err(_) => Err(Miss::Skip("the component does not load".into())),
            };
            let outcome = outcome
                .map(|e| redactor.redact(&e).into_owned())
                .map_err(|m| match m {
                    Miss::Fail(e) => Miss::Fail(redactor.redact(&e).into_owned()),
                    Miss::Skip(e) => Miss::Skip(redactor.redact(&e).into_owned()),
                });
            let (verdict, evidence) = match outcome {
                Ok(e) => (Verdict::Pass, e),
                Err(Miss::Fail(e)) => (Verdict::Fail, e),
                Err(Miss::Skip(e)) => (Verdict::Skipped, e),
            };
            CheckResult {
                name,
                verdict,
                evidence,
                millis: start.elapsed().as_millis() as u64,
            }
        })
        .collect();
    ConformReport {
        sha256,
        size: wasm.len(),
        results,
    }
}
