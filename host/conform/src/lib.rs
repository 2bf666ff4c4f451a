//! The conformance kit: runs a connector component through static and
//! behavioural checks against the fake Bitbucket and reports one verdict per
//! check, with the evidence in one line.
//!
//! A check fails only for what it aims at. When the sandbox stops the
//! connector (CPU or memory), `sandbox-limits` fails and the listing checks
//! that would have run it are skipped, so one defect shows as one failure.

pub mod kit;
mod listing;
pub mod replay;
mod report;
pub mod scenario;
pub mod scenario_kit;
mod security;
mod status;

use std::time::{Duration, Instant};

use serde::Serialize;

use saas_runtime::contract;
use saas_runtime::latest::{CredentialKind, SettingValue};
use saas_runtime::{Connector, Runtime, RuntimeOptions};

pub use report::junit;

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The connector honours the contract here.
    Pass,
    /// It does not.
    Fail,
    /// Not run (the reason is in the evidence).
    Skipped,
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// Stable name of the check.
    pub name: &'static str,
    /// Outcome.
    pub verdict: Verdict,
    /// What was seen, in one line.
    pub evidence: String,
    /// How long it took.
    pub millis: u64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct ConformReport {
    /// SHA-256 of the component.
    pub sha256: String,
    /// Size in bytes.
    pub size: usize,
    /// One result per check, in the order run.
    pub results: Vec<CheckResult>,
}

impl ConformReport {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.verdict != Verdict::Fail)
    }

    /// The names of the failed checks.
    pub fn failures(&self) -> Vec<&'static str> {
        self.results
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .map(|r| r.name)
            .collect()
    }

    /// One line per check.
    pub fn to_text(&self) -> String {
        report::text(self)
    }
}

/// What a check returns: pass or fail, with evidence.
pub type Outcome = Result<String, String>;

/// One check: its name, what runs it, and whether it lists users (and so
/// is skipped once the sandbox had to stop the connector's listing).
struct Check {
    name: &'static str,
    run: fn(&Connector) -> Outcome,
    lists_users: bool,
}

const fn check(name: &'static str, run: fn(&Connector) -> Outcome, lists_users: bool) -> Check {
    Check {
        name,
        run,
        lists_users,
    }
}

/// Every check, in run order. The static ones come first; `sandbox-limits`
/// runs before the listing checks it guards.
const TABLE: [Check; 19] = [
    check("world", world, false),
    check("info", info, false),
    check("authenticate-valid", security::authenticate_valid, false),
    check(
        "authenticate-invalid",
        security::authenticate_invalid,
        false,
    ),
    check("sandbox-limits", listing::sandbox_limits, false),
    check("list-users-exact", listing::exact, true),
    check("resume", listing::resume, true),
    check("pagination-repeat", listing::repeat, true),
    check("pagination-foreign", listing::foreign, true),
    check("rate-limit-and-5xx", listing::rate_limits, true),
    check("token-refresh", listing::token_refresh, true),
    check("malformed-bodies", listing::malformed, true),
    check("status-deterministic", status::deterministic, true),
    check("status-invariants", status::invariants, true),
    check("status-partial", status::partial, true),
    check("status-unknown", status::unknown, true),
    check("secrets", security::secrets, true),
    check("sandbox-egress", security::egress, true),
    check("groups", security::groups, false),
];

const fn names() -> [&'static str; TABLE.len()] {
    let mut out = [""; TABLE.len()];
    let mut i = 0;
    while i < TABLE.len() {
        out[i] = TABLE[i].name;
        i += 1;
    }
    out
}

/// The names of every check, in run order.
pub const CHECKS: [&str; TABLE.len()] = names();

/// Limits the kit runs connectors under.
pub fn kit_options(cache_dir: Option<std::path::PathBuf>) -> RuntimeOptions {
    RuntimeOptions {
        cache_dir,
        memory_limit: 128 * 1024 * 1024,
        cpu_budget: Duration::from_secs(3),
        wall_limit: Duration::from_secs(120),
    }
}

/// Runs every check on a component.
pub fn run(runtime: &Runtime, wasm: &[u8]) -> ConformReport {
    let sha256 = saas_runtime::cache::sha256_hex(wasm);
    let start = Instant::now();
    let connector = match runtime.load(wasm) {
        Ok(c) => c,
        Err(e) => {
            let mut results = vec![CheckResult {
                name: "world",
                verdict: Verdict::Fail,
                evidence: format!("the component does not load: {e}"),
                millis: start.elapsed().as_millis() as u64,
            }];
            results.extend(CHECKS[1..].iter().map(|&name| CheckResult {
                name,
                verdict: Verdict::Skipped,
                evidence: "the component does not load".into(),
                millis: 0,
            }));
            return ConformReport {
                sha256,
                size: wasm.len(),
                results,
            };
        }
    };
    let results = run_checks(&connector);
    ConformReport {
        sha256,
        size: wasm.len(),
        results,
    }
}

fn run_checks(c: &Connector) -> Vec<CheckResult> {
    let mut results = Vec::new();
    let mut stopped_by_sandbox = false;
    for Check {
        name,
        run,
        lists_users,
    } in TABLE
    {
        let start = Instant::now();
        let (verdict, evidence) = if stopped_by_sandbox && lists_users {
            (
                Verdict::Skipped,
                "the sandbox stopped the connector's listing (see sandbox-limits)".to_string(),
            )
        } else {
            match run(c) {
                Ok(e) => (Verdict::Pass, e),
                Err(e) => {
                    stopped_by_sandbox |= name == "sandbox-limits";
                    (Verdict::Fail, e)
                }
            }
        };
        results.push(CheckResult {
            name,
            verdict,
            evidence,
            millis: start.elapsed().as_millis() as u64,
        });
    }
    results
}

fn world(c: &Connector) -> Outcome {
    let mismatches = contract::world_mismatches(c.surface(), c.contract_version());
    if mismatches.is_empty() {
        Ok(format!(
            "{} imports and {} exports fit saas:connector@{}",
            c.surface().imports.len(),
            c.surface().exports.len(),
            c.contract_version()
        ))
    } else {
        Err(mismatches.join("; "))
    }
}

/// What is wrong with a connector's `info`: an empty or non-kebab name, a
/// version that is not semver, settings and slots badly declared.
pub(crate) fn info_problems(c: &Connector) -> Vec<String> {
    let i = c.info();
    let mut problems = Vec::new();
    if i.name.trim().is_empty() {
        problems.push("an empty name".to_string());
    }
    if semver::Version::parse(&i.version).is_err() {
        problems.push(format!("version {:?} is not semver", i.version));
    }
    let kebab = |n: &str| {
        !n.is_empty()
            && n.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            && !n.starts_with('-')
            && !n.ends_with('-')
    };
    if !kebab(&i.name) {
        problems.push(format!("name {:?} is not kebab-case", i.name));
    }
    for s in &i.settings {
        if !kebab(&s.name) {
            problems.push(format!("setting {:?} is not kebab-case", s.name));
        }
        if let Some(d) = &s.default
            && !saas_runtime::settings::value_fits(s.type_, d)
        {
            problems.push(format!(
                "setting {}: the default is not a {:?}",
                s.name, s.type_
            ));
        }
        if let Some(SettingValue::Url(u)) = &s.default
            && !url::Url::parse(u)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        {
            problems.push(format!(
                "setting {}: default {u:?} is not an http(s) URL",
                s.name
            ));
        }
    }
    if i.credential_slots.is_empty() {
        problems.push("no credential slot".into());
    }
    for slot in &i.credential_slots {
        if !kebab(&slot.name) {
            problems.push(format!("slot {:?} is not kebab-case", slot.name));
        }
        if slot.kinds.is_empty() {
            problems.push(format!("slot {} accepts no kind", slot.name));
        }
        if slot.kinds.contains(&CredentialKind::NamedFields) && slot.fields.is_empty() {
            problems.push(format!(
                "slot {} takes named fields but declares none",
                slot.name
            ));
        }
    }
    problems.extend(saas_runtime::consent::declaration_problems(
        &i.credential_slots,
        &i.settings,
    ));
    problems
}

fn info(c: &Connector) -> Outcome {
    let i = c.info();
    let problems = info_problems(c);
    if problems.is_empty() {
        Ok(format!(
            "{} {} (contract {}), {} settings, {} credential slots, {} capabilities, {} bytes",
            i.name,
            i.version,
            i.contract_version,
            i.settings.len(),
            i.credential_slots.len(),
            i.capabilities.len(),
            c.size()
        ))
    } else {
        Err(problems.join("; "))
    }
}
