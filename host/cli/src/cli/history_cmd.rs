//! `history`, `diff` and `report`: what the stored runs say.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use saas_history::{Change, Diff, History};
use saas_report::when;

use super::history_args::HistoryArgs;
use super::settings::load_file;
use super::{Exit, Failure};

/// How `history` and `diff` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// Tables for people.
    Text,
    /// One JSON document (see the JSON Schema in `schema/`).
    Json,
}

/// Options of `history`.
#[derive(Debug, Clone, clap::Args)]
pub struct HistoryCmdArgs {
    /// List the mutating operations (the audit trail) instead of the runs.
    #[arg(long)]
    pub operations: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
    /// Settings file (TOML), for its `history_db` and `retain_days`.
    #[arg(long, value_name = "FILE", env = "SAAS_HOST_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where the history is.
    #[command(flatten)]
    pub history: HistoryArgs,
}

/// Options of `diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// The earlier run; by default the latest complete run of the later
    /// one's source before it.
    pub before: Option<i64>,
    /// The later run; by default the latest run. With one number, that
    /// number is the later run.
    pub after: Option<i64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
    /// Settings file (TOML), for its `history_db`.
    #[arg(long, value_name = "FILE", env = "SAAS_HOST_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where the history is.
    #[command(flatten)]
    pub history: HistoryArgs,
}

/// Options of `report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The run to report; by default the latest.
    pub run: Option<i64>,
    /// Where the HTML file goes.
    #[arg(
        long,
        short,
        value_name = "FILE",
        default_value = "saas-host-report.html"
    )]
    pub output: PathBuf,
    /// Settings file (TOML), for its `history_db` and `seat_price`.
    #[arg(long, value_name = "FILE", env = "SAAS_HOST_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where the history is, and what a seat costs.
    #[command(flatten)]
    pub history: HistoryArgs,
}

fn open(
    config: Option<&std::path::Path>,
    args: &HistoryArgs,
) -> Result<(History, Option<f64>), Failure> {
    let file = load_file(config).map_err(Failure::usage)?;
    let h = &file.contents.history;
    let history = args.open_existing(h).map_err(Failure::usage)?;
    Ok((history, args.seat_price(h)))
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    t
}

/// The schema of `history` and `diff` in JSON; its major version changes
/// only when a field goes, is renamed or changes type.
pub const HISTORY_SCHEMA: &str = "saas-host/history-output/v1";

/// Prints `value` in the outputs' one style (RFC 3339 times, kebab-case
/// values), as `schema/history-output.v1.schema.json` describes it.
fn json_out(value: &impl serde::Serialize) -> Result<Exit, Failure> {
    let fail = |e: serde_json::Error| Failure::other(e.into());
    let mut doc = serde_json::to_value(value).map_err(fail)?;
    if let Some(o) = doc.as_object_mut() {
        o.insert("schema".into(), HISTORY_SCHEMA.into());
    }
    saas_runtime::json_style::restyle(&mut doc);
    let text = serde_json::to_string_pretty(&doc).map_err(fail)?;
    println!("{text}");
    Ok(Exit::Success)
}

/// `history`.
pub fn history(args: &HistoryCmdArgs) -> Result<Exit, Failure> {
    let (h, _) = open(args.config.as_deref(), &args.history)?;
    let tz = when::zone();
    if args.operations {
        let ops = h.operations().map_err(|e| Failure::other(e.into()))?;
        if args.format == ListFormat::Json {
            return json_out(&serde_json::json!({"operations": ops}));
        }
        let mut t = table(&[
            "Operation",
            "When",
            "Operator",
            "Command",
            "Changes",
            "Undone by",
        ]);
        for op in &ops {
            let undone = h.undone_by(op.id).map_err(|e| Failure::other(e.into()))?;
            t.add_row([
                op.id.to_string(),
                when::minute(op.at, &tz),
                op.operator.clone(),
                op.command.clone(),
                op.actions
                    .iter()
                    .map(|a| a.change.description.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                undone.map_or_else(|| "-".into(), |u| u.to_string()),
            ]);
        }
        println!("{t}");
        return Ok(Exit::Success);
    }
    let runs = h.runs(None).map_err(|e| Failure::other(e.into()))?;
    if args.format == ListFormat::Json {
        return json_out(&serde_json::json!({"runs": runs}));
    }
    let mut t = table(&[
        "Run", "As of", "Source", "Listing", "Seats", "Idle", "People", "Requests", "Operator",
    ]);
    for r in &runs {
        t.add_row([
            r.id.to_string(),
            when::minute(r.as_of, &tz),
            r.source.clone(),
            if r.complete {
                "complete".into()
            } else {
                "PARTIAL".into()
            },
            r.seats_used.to_string(),
            r.seats_idle.to_string(),
            r.people.to_string(),
            r.requests.to_string(),
            r.operator.clone(),
        ]);
    }
    println!("{t}");
    println!("{} runs in {}", runs.len(), h.path().display());
    Ok(Exit::Success)
}

/// The two runs `diff` compares.
fn pick(h: &History, args: &DiffArgs) -> Result<(i64, i64)> {
    let after = match (args.before, args.after) {
        (_, Some(a)) => a,
        (Some(one), None) => one,
        (None, None) => h.latest(None)?.context("the history has no run yet")?.id,
    };
    let before = match (args.before, args.after) {
        (Some(b), Some(_)) => b,
        _ => {
            let later = h.run(after)?;
            h.previous_complete(&later.source, after)?
                .with_context(|| {
                    format!(
                        "no complete run of {} before run {after} to compare with",
                        later.source
                    )
                })?
                .id
        }
    };
    Ok((before, after))
}

fn people(title: &str, changes: &[Change], out: &mut dyn Write) -> std::io::Result<()> {
    if changes.is_empty() {
        return writeln!(out, "{title}: nobody");
    }
    let tz = when::zone();
    let mut t = table(&[
        "Person",
        "Before",
        "After",
        "Last active",
        "Source",
        "Units",
    ]);
    for c in changes {
        t.add_row([
            match &c.email {
                Some(e) => format!("{} <{e}>", c.label),
                None => c.label.clone(),
            },
            c.before.map_or("-", |a| a.as_str()).to_string(),
            c.after.map_or("-", |a| a.as_str()).to_string(),
            c.last_active.map_or("never".into(), |t| when::day(t, &tz)),
            c.last_active_source.clone().unwrap_or_else(|| "-".into()),
            c.units.join(", "),
        ]);
    }
    writeln!(out, "{title} ({}):\n{t}", changes.len())
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn write_diff(d: &Diff, out: &mut dyn Write) -> std::io::Result<()> {
    let tz = when::zone();
    writeln!(
        out,
        "run {} ({}, {}) -> run {} ({}, {})",
        d.before.id,
        d.before.source,
        when::minute(d.before.as_of, &tz),
        d.after.id,
        d.after.source,
        when::minute(d.after.as_of, &tz)
    )?;
    let seats = i64::from(d.after.seats_used) - i64::from(d.before.seats_used);
    let idle = i64::from(d.after.seats_idle) - i64::from(d.before.seats_idle);
    writeln!(
        out,
        "Seats: {} -> {} ({}); idle seats {} -> {} ({}); people {} -> {}",
        d.before.seats_used,
        d.after.seats_used,
        signed(seats),
        d.before.seats_idle,
        d.after.seats_idle,
        signed(idle),
        d.before.people,
        d.after.people
    )?;
    for c in &d.caveats {
        writeln!(out, "note: {c}")?;
    }
    people("Joined", &d.joined, out)?;
    people("Left", &d.left, out)?;
    people("Became idle", &d.became_idle, out)?;
    people("Came back", &d.came_back, out)?;
    let mut t = table(&[
        "Unit",
        "Seats before",
        "Seats after",
        "Change",
        "Idle before",
        "Idle after",
    ]);
    let n = |v: Option<u32>| v.map_or("-".into(), |v| v.to_string());
    for u in &d.units {
        t.add_row([
            u.key.clone(),
            n(u.used_before),
            n(u.used_after),
            signed(u.seats_delta()),
            n(u.idle_before),
            n(u.idle_after),
        ]);
    }
    writeln!(out, "Seats per unit:\n{t}")
}

/// `diff`.
pub fn diff(args: &DiffArgs) -> Result<Exit, Failure> {
    let (h, _) = open(args.config.as_deref(), &args.history)?;
    let (before, after) = pick(&h, args).map_err(Failure::usage)?;
    let load = |id| h.load(id).map_err(|e| Failure::usage(e.into()));
    let (b, a) = (load(before)?, load(after)?);
    let mut d = saas_history::diff(&b, &a);
    if b.run.source != a.run.source {
        d.caveats.push(format!(
            "the runs are of different sources ({} and {})",
            b.run.source, a.run.source
        ));
    }
    if args.format == ListFormat::Json {
        return json_out(&d);
    }
    let stdout = std::io::stdout();
    write_diff(&d, &mut stdout.lock()).map_err(|e| Failure::other(e.into()))?;
    Ok(Exit::Success)
}

/// `report`.
pub fn report(args: &ReportArgs) -> Result<Exit, Failure> {
    let (h, price) = open(args.config.as_deref(), &args.history)?;
    let id = match args.run {
        Some(id) => id,
        None => {
            h.latest(None)
                .map_err(|e| Failure::other(e.into()))?
                .context("the history has no run yet: run a sync first")
                .map_err(Failure::usage)?
                .id
        }
    };
    let snap = h.load(id).map_err(|e| Failure::usage(e.into()))?;
    let path =
        super::kept::write_html(&snap, Some(&h), price, &args.output).map_err(Failure::other)?;
    println!("{}", path.display());
    eprintln!(
        "wrote the report of run {id} ({}) to {}: one file that opens offline",
        snap.run.source,
        path.display()
    );
    Ok(Exit::Success)
}
