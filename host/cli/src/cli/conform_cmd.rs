//! `conform`: proves a connector honours the contract.

use std::path::PathBuf;

use anyhow::Context;
use saas_runtime::Runtime;

use super::{Exit, Failure};

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One line per check.
    Text,
    /// A JSON document.
    Json,
    /// JUnit XML, for CI systems.
    Junit,
}

/// Options of `conform`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConformArgs {
    /// The component; the bundled connector when absent.
    pub wasm: Option<PathBuf>,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Also write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// The scenario: the folder that describes the connector's API
    /// (scenario.toml, items, truth/), which the kit replays on loopback
    /// with faults injected at the host's egress.
    #[arg(long, value_name = "DIR")]
    pub scenario: PathBuf,
}

/// `conform`.
pub fn run(args: &ConformArgs) -> Result<Exit, Failure> {
    let wasm = super::bundled::read(args.wasm.as_deref()).map_err(Failure::usage)?;
    let runtime = Runtime::new(saas_conform::kit_options(saas_runtime::cache::default_dir()))
        .map_err(|e| Failure::other(e.into()))?;
    let dir = &args.scenario;
    let scenario = saas_conform::scenario::Scenario::load(dir)
        .with_context(|| format!("the scenario in {}", dir.display()))
        .map_err(Failure::usage)?;
    let report = saas_conform::scenario_kit::run(&runtime, &wasm, scenario);
    emit(&report, args.format, args.junit.as_deref())
}

/// Prints `report` in `format`, also writes JUnit to `junit` when given,
/// and exits 1 when a check failed.
pub fn emit(
    report: &saas_conform::ConformReport,
    format: ReportFormat,
    junit: Option<&std::path::Path>,
) -> Result<Exit, Failure> {
    match format {
        ReportFormat::Text => print!("{}", report.to_text()),
        ReportFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(report).map_err(|e| Failure::other(e.into()))?
        ),
        ReportFormat::Junit => print!("{}", saas_conform::junit(report)),
    }
    if let Some(path) = junit {
        std::fs::write(path, saas_conform::junit(report))
            .with_context(|| format!("writing {}", path.display()))
            .map_err(Failure::other)?;
    }
    Ok(if report.passed() {
        Exit::Success
    } else {
        Exit::Failure
    })
}
