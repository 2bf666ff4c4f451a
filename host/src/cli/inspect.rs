//! `inspect`: what a connector component is and needs.

use std::path::PathBuf;

use saas_host::contract;
use saas_host::{Runtime, RuntimeOptions};
use serde_json::json;

use super::{Exit, Failure};

/// Options of `inspect`.
#[derive(Debug, Clone, clap::Args)]
pub struct InspectArgs {
    /// The component; the bundled connector when absent.
    pub wasm: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `inspect`.
pub fn run(args: &InspectArgs) -> Result<Exit, Failure> {
    let runtime = Runtime::new(RuntimeOptions::default()).map_err(|e| Failure::other(e.into()))?;
    let connector = match &args.wasm {
        Some(p) => runtime.load_file(p),
        None => runtime.load(saas_host::BUNDLED_CONNECTOR),
    }
    .map_err(|e| Failure::other(e.into()))?;
    let info = connector.info();
    let mismatches = contract::world_mismatches(connector.surface());
    if args.json {
        let doc = json!({
            "info": info,
            "size": connector.size(),
            "sha256": connector.sha256(),
            "host_contract": saas_host::bindings::CONTRACT_VERSION,
            "imports": connector.surface().imports,
            "exports": connector.surface().exports,
            "world_mismatches": mismatches,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| Failure::other(e.into()))?
        );
    } else {
        println!(
            "{} {} (contract {}; host implements {})",
            info.name,
            info.version,
            info.contract_version,
            saas_host::bindings::CONTRACT_VERSION
        );
        println!(
            "size: {} bytes, sha256 {}",
            connector.size(),
            connector.sha256()
        );
        println!("hosts: {}", info.hosts.join(", "));
        println!("auth modes: {:?}", info.auth_modes);
        println!("capabilities: {:?}", info.capabilities);
        println!("imports:");
        for (name, funcs) in &connector.surface().imports {
            println!("  {name} {funcs:?}");
        }
        println!("exports:");
        for (name, funcs) in &connector.surface().exports {
            println!("  {name} {funcs:?}");
        }
        if mismatches.is_empty() {
            println!(
                "world: matches saas:connector@{}",
                saas_host::bindings::CONTRACT_VERSION
            );
        } else {
            for m in &mismatches {
                println!("world mismatch: {m}");
            }
        }
    }
    Ok(if mismatches.is_empty() {
        Exit::Success
    } else {
        Exit::Failure
    })
}
