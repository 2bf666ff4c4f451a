//! `conform-host`: proves a host honours its side of the contract, by
//! running the host probe against the probe server: here in the reference
//! host, or (`--serve`) for a probe that another host runs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use saas_runtime::Runtime;
use saas_runtime::egress::{Allowlist, Egress, EgressLimits};

use super::conform_cmd::{ReportFormat, emit};
use super::{Exit, Failure};

/// Options of `conform-host`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConformHostArgs {
    /// The probe component; the bundled one when absent.
    #[arg(long, value_name = "WASM")]
    pub probe: Option<PathBuf>,
    /// Only serve the probe server on this address (for a probe another
    /// host runs with `probe-url` set to it), until the probe posts its
    /// findings or `--wait` runs out.
    #[arg(long, value_name = "ADDR")]
    pub serve: Option<SocketAddr>,
    /// With `--serve`: seconds to wait for the findings before giving up
    /// (exit 1).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub wait: u64,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Also write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// `conform-host`.
pub fn run(args: &ConformHostArgs) -> Result<Exit, Failure> {
    if let Some(addr) = args.serve {
        let server = saas_conform::probe::ProbeServer::start(addr)
            .map_err(|e| Failure::usage(anyhow::anyhow!("serving on {addr}: {e}")))?;
        println!(
            "probe server at {} (set the probe's probe-url to it)",
            server.origin()
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(args.wait);
        loop {
            if std::time::Instant::now() >= deadline {
                return Err(Failure::other(anyhow::anyhow!(
                    "no findings within {} s: did the probe run with probe-url {}?",
                    args.wait,
                    server.origin()
                )));
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
            if let Some(found) = server.findings() {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&found).unwrap_or_default()
                );
                let failed = found
                    .as_array()
                    .is_some_and(|f| f.iter().any(|f| f["pass"] != true));
                return Ok(if failed { Exit::Failure } else { Exit::Success });
            }
        }
    }
    let wasm = match &args.probe {
        Some(path) => std::fs::read(path)
            .map_err(|e| Failure::usage(anyhow::anyhow!("reading {}: {e}", path.display())))?,
        None => super::bundled::PROBE.to_vec(),
    };
    let runtime = Runtime::new(saas_conform::kit_options(saas_runtime::cache::default_dir()))
        .map_err(|e| Failure::other(e.into()))?;
    // The reference host's own egress: its default limits, and the
    // allowlist it builds from a connector's URL settings.
    let report = saas_conform::probe::run(&runtime, &wasm, |origin| {
        let allowlist = Allowlist::of_urls([origin]).expect("a loopback origin");
        Arc::new(Egress::new(EgressLimits::default(), allowlist))
    })
    .map_err(|e| Failure::other(anyhow::anyhow!(e)))?;
    emit(&report, args.format, args.junit.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serving_gives_up_when_no_probe_posts_within_the_wait() {
        let args = ConformHostArgs {
            probe: None,
            serve: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            wait: 0,
            format: ReportFormat::Text,
            junit: None,
        };
        let failure = run(&args).unwrap_err();
        assert_eq!(failure.exit as i32, Exit::Failure as i32);
        assert!(
            failure
                .error
                .to_string()
                .starts_with("no findings within 0 s"),
            "{}",
            failure.error
        );
    }
}
