//! `inspect`: what a connector component is and needs.

use std::path::PathBuf;

use saas_runtime::contract;
use saas_runtime::latest::ConnectorInfo;
use saas_runtime::settings::{env_name, field_names, kind_name, type_name, value_text};
use saas_runtime::{Runtime, RuntimeOptions};
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

/// A connector's settings and credential slots with their variables, as
/// `inspect` and `--help` show them.
pub fn declarations(info: &ConnectorInfo) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("settings (file [settings], variables, or --set NAME=VALUE):\n");
    for s in &info.settings {
        let default = s
            .default
            .as_ref()
            .map(|d| format!(" = {}", value_text(d)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} ({}{}){default}  {}  {}",
            s.name,
            type_name(s.type_),
            if s.required { ", required" } else { "" },
            env_name(&info.name, &s.name),
            s.description
        );
    }
    out.push_str("credential slots (file [credentials.<slot>], or variables):\n");
    for slot in &info.credential_slots {
        let _ = writeln!(
            out,
            "  {}{}: {}  {}",
            slot.name,
            if slot.required { " (required)" } else { "" },
            slot.kinds
                .iter()
                .map(|k| kind_name(*k))
                .collect::<Vec<_>>()
                .join(", "),
            slot.description
        );
        let names: Vec<String> = field_names(slot)
            .into_iter()
            .map(|(n, _)| env_name(&slot.name, &n))
            .collect();
        let _ = writeln!(out, "    variables: {}", names.join(", "));
        if let Some(flow) = &slot.consent {
            let _ = writeln!(
                out,
                "    consent: `saas-host connect` opens the page of the setting {}{}{}",
                flow.authorize_setting,
                if flow.pkce { ", with PKCE" } else { "" },
                if flow.scopes.is_empty() {
                    String::new()
                } else {
                    format!(", asking for {}", flow.scopes.join(" "))
                }
            );
        }
    }
    out
}

/// `inspect`.
pub fn run(args: &InspectArgs) -> Result<Exit, Failure> {
    let runtime = Runtime::new(RuntimeOptions::default()).map_err(|e| Failure::other(e.into()))?;
    let connector = super::bundled::load(&runtime, args.wasm.as_deref())
        .map_err(|e| Failure::other(e.into()))?;
    let info = connector.info();
    let version = connector.contract_version();
    let mismatches = contract::world_mismatches(connector.surface(), version);
    let capabilities: Vec<&str> = info.capabilities.iter().map(|c| c.name()).collect();
    if args.json {
        let doc = json!({
            "info": info,
            "size": connector.size(),
            "sha256": connector.sha256(),
            "contract": version.to_string(),
            "host_contracts": saas_runtime::ContractVersion::ALL.map(|v| v.to_string()),
            "capabilities": capabilities,
            "imports": connector.surface().imports,
            "exports": connector.surface().exports,
            "world_mismatches": mismatches,
        });
        println!(
            "{}",
            saas_runtime::json_style::pretty(&doc).map_err(|e| Failure::other(e.into()))?
        );
    } else {
        println!(
            "{} {} (contract {}; this host implements {})",
            info.name,
            info.version,
            info.contract_version,
            saas_runtime::ContractVersion::supported()
        );
        println!(
            "size: {} bytes, sha256 {}",
            connector.size(),
            connector.sha256()
        );
        println!("{}", info.description);
        print!("{}", declarations(info));
        println!(
            "capabilities: {}",
            if capabilities.is_empty() {
                "none".to_string()
            } else {
                capabilities.join(", ")
            }
        );
        let budget = |n: Option<u32>| n.map_or("no suggestion".to_string(), |n| n.to_string());
        println!(
            "budgets: {} requests per hour, {} at once",
            budget(info.budgets.requests_per_hour),
            budget(info.budgets.max_concurrency)
        );
        println!("imports:");
        for (name, funcs) in &connector.surface().imports {
            println!("  {name} {funcs:?}");
        }
        println!("exports:");
        for (name, funcs) in &connector.surface().exports {
            println!("  {name} {funcs:?}");
        }
        if mismatches.is_empty() {
            println!("world: matches saas:connector@{version}");
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
