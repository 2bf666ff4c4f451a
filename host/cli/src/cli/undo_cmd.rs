//! `undo`: the inverse of a recorded operation, planned from the audit
//! trail and carried out with `--yes` through the same connector, then
//! recorded itself (so an undo can be undone where its changes allow).

use anyhow::anyhow;
use saas_history::Operation;
use saas_runtime::latest::Capability;

use super::audit::{self, Change, source_of};
use super::groups_cmd;
use super::history_args::HistoryArgs;
use super::settings::{self, ConnectorArgs};
use super::{Exit, Failure};

/// Options of `undo`.
#[derive(Debug, Clone, clap::Args)]
pub struct UndoArgs {
    /// The operation, as `saas-host history --operations` numbers it.
    pub operation: i64,
    /// Act (without it, only say what would be done).
    #[arg(long)]
    pub yes: bool,
    /// Connector, sandbox and settings options (the same connector and
    /// upstream as the operation's).
    #[command(flatten)]
    pub connector: ConnectorArgs,
    /// Where the operation is recorded.
    #[command(flatten)]
    pub history: HistoryArgs,
}

/// The operation's inverses, last change first, and the lines saying what
/// cannot be undone.
fn inverses(op: &Operation) -> Result<(Vec<Change>, Vec<String>), Failure> {
    let mut plan = Vec::new();
    let mut cannot = Vec::new();
    for a in op.actions.iter().rev() {
        let c = &a.change;
        match &c.inverse {
            Some(v) if c.succeeded => {
                plan.push(serde_json::from_value(v.clone()).map_err(|e| {
                    Failure::other(anyhow!(
                        "operation {} holds an unreadable inverse: {e}",
                        op.id
                    ))
                })?)
            }
            _ if !c.succeeded => cannot.push(format!("{} ({})", c.description, c.outcome)),
            _ => cannot.push(format!("{}: nothing here can undo it", c.description)),
        }
    }
    Ok((plan, cannot))
}

/// `undo`.
pub fn run(args: &UndoArgs) -> Result<Exit, Failure> {
    let file = settings::load_file(args.connector.config.as_deref()).map_err(Failure::usage)?;
    let history = args
        .history
        .open_existing(&file.contents.history)
        .map_err(Failure::usage)?;
    let op = history
        .operation(args.operation)
        .map_err(|e| Failure::usage(e.into()))?;
    if let Some(by) = history
        .undone_by(op.id)
        .map_err(|e| Failure::other(e.into()))?
    {
        return Err(Failure::usage(anyhow!(
            "operation {} was undone already, by operation {by}",
            op.id
        )));
    }
    drop(history);
    let (plan, cannot) = inverses(&op)?;
    eprintln!(
        "operation {} ({}, {}): {}",
        op.id, op.operator, op.source, op.command
    );
    for line in &cannot {
        eprintln!("  cannot undo: {line}");
    }
    if plan.is_empty() {
        return Err(Failure::usage(anyhow!(
            "nothing in operation {} can be undone",
            op.id
        )));
    }
    if !args.yes {
        for c in &plan {
            eprintln!("  would {}", c.describe());
        }
        eprintln!("nothing changed; run again with --yes to do it");
        return Ok(Exit::Success);
    }
    let (ready, session) = groups_cmd::connect(&args.connector)?;
    let here = source_of(&ready);
    if here != op.source {
        return Err(Failure::usage(anyhow!(
            "operation {} changed {}, but the connector here reads {here}",
            op.id,
            op.source
        )));
    }
    let can_read = ready.connector.info().has(Capability::GroupRead);
    let mut actions = Vec::new();
    let mut failed = false;
    for change in &plan {
        // An update's own inverse needs the group as it is now.
        let before = match change {
            Change::UpdateGroup { group, .. } if can_read => {
                let (c, io, cfg) = (&ready.connector, &ready.io, &ready.config);
                groups_cmd::settle(&ready, c.signed_in(io, cfg, &session).get_group(group)).ok()
            }
            _ => None,
        };
        let (result, action) = change.carry_out(&ready, &session, before.as_ref());
        match &result {
            Ok(_) => eprintln!("  done: {}", change.describe()),
            Err(f) => {
                failed = true;
                eprintln!("  failed: {}: {}", change.describe(), f.error);
            }
        }
        actions.push(action);
    }
    audit::record(&ready, &args.history, Some(op.id), actions);
    Ok(if failed { Exit::Failure } else { Exit::Success })
}
