//! The conformance kit: runs a connector component, against the replay of
//! the upstream API its scenario describes, through static and behavioural
//! checks, and reports one verdict per check with the evidence in one line
//! (text, JSON or JUnit). [`scenario`] is the format a connector author
//! ships, [`replay`] the upstream the kit serves from it, and
//! [`scenario_kit`] the checks.

pub mod kit;
pub mod probe;
pub mod replay;
mod report;
pub mod scenario;
pub mod scenario_kit;
mod serve;
mod shape;

use std::time::Duration;

use serde::Serialize;

use saas_runtime::RuntimeOptions;

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

/// Limits the kit runs connectors under.
pub fn kit_options(cache_dir: Option<std::path::PathBuf>) -> RuntimeOptions {
    RuntimeOptions {
        cache_dir,
        memory_limit: 128 * 1024 * 1024,
        cpu_budget: Duration::from_secs(3),
        wall_limit: Duration::from_secs(120),
    }
}
