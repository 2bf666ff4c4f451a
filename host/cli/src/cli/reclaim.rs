//! `reclaim`: the seat-reclamation plan, built on the connector's
//! `release-seats` (one call per billable unit). Idle users (inactive or never active), each billable
//! seat with the steps that would free it; `--yes` carries the steps out
//! and reports each one. With `--group`, `--yes` only removes idle users
//! from those groups instead.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::anyhow;
use saas_runtime::latest::{
    Activity, Capability, EvidenceKind, ReleaseAction, ReleaseOutcome, SeatRelease, UserStatus,
};
use serde_json::{Value, json};

use saas_runtime::sync::CheckpointAt;

use saas_history::NewAction;
use saas_runtime::names::{WitSpelled, kebab};

use super::audit::{self, Change};
use super::groups_cmd::settle;
use super::output::iso;
use super::sync_cmd::{self, SyncArgs, Synced};
use super::{Exit, Failure, settings};

/// Options of `reclaim`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReclaimArgs {
    /// Sync options.
    #[command(flatten)]
    pub sync: SyncArgs,
    /// Only remove idle users from these groups (group ids, repeatable).
    #[arg(long = "group", value_name = "GROUP-ID")]
    pub groups: Vec<String>,
    /// Act: carry out the plans (or the group removals).
    #[arg(long)]
    pub yes: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Every idle user's plans, one per billable unit, with one call per unit.
fn plans(
    synced: &Synced,
    idle: &[&UserStatus],
    apply: bool,
) -> Result<BTreeMap<String, Vec<SeatRelease>>, Failure> {
    let (c, io, cfg, session) = (
        &synced.ready.connector,
        &synced.ready.io,
        &synced.ready.config,
        &synced.listing.session,
    );
    let mut by_unit: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for user in idle {
        for unit in &user.units {
            by_unit.entry(unit).or_default().push(user.user_id.clone());
        }
    }
    let mut out: BTreeMap<String, Vec<SeatRelease>> = BTreeMap::new();
    for (unit, users) in by_unit {
        let released = c
            .signed_in(io, cfg, session)
            .release_seats(&users, unit, apply);
        for plan in settle(&synced.ready, released)? {
            out.entry(plan.user_id.clone()).or_default().push(plan);
        }
    }
    Ok(out)
}

fn outcome(o: &Option<ReleaseOutcome>) -> String {
    match o {
        None => "planned".into(),
        Some(ReleaseOutcome::Done) => "done".into(),
        Some(ReleaseOutcome::AlreadyDone) => "already done".into(),
        Some(ReleaseOutcome::Failed(e)) => format!("failed: {}", e.describe()),
    }
}

/// A release step the connector carried out, as the audit trail keeps it:
/// undoable by the host where it left a group and the connector says it
/// can be reversed.
fn release_step(user: &str, plan: &SeatRelease, a: &ReleaseAction) -> NewAction {
    let change = Change::ReleaseStep {
        user: user.to_string(),
        unit: plan.unit_id.clone(),
        kind: kebab(&format!("{:?}", a.kind)),
        target: a.target.clone(),
        description: a.description.clone(),
    };
    let (inverse, done) = match &a.outcome {
        Some(ReleaseOutcome::Failed(e)) => (None, Err(e.describe())),
        // Nothing changed, so there is nothing to undo.
        Some(ReleaseOutcome::AlreadyDone) => (None, Ok("already done")),
        _ => (
            change.inverse(None, None).filter(|_| a.reversible),
            Ok("done"),
        ),
    };
    change.recorded(inverse.as_ref(), done)
}

/// `reclaim`.
pub fn run(args: &ReclaimArgs) -> Result<Exit, Failure> {
    let file =
        settings::load_file(args.sync.connector.config.as_deref()).map_err(Failure::usage)?;
    let synced = sync_cmd::run_with(&args.sync, file, CheckpointAt::Default)?;
    sync_cmd::print_summary(&synced);
    let info = synced.ready.connector.info();
    if !info.has(Capability::ReleaseSeats) {
        return Err(Failure::usage(anyhow!(
            "the connector {} does not declare release-seats: it cannot plan reclamation",
            info.name
        )));
    }
    if !args.groups.is_empty() && !info.has(Capability::GroupMembershipWrite) {
        return Err(Failure::usage(anyhow!(
            "the connector {} cannot change group members",
            info.name
        )));
    }
    if !synced.listing.complete {
        eprintln!(
            "the listing is partial: nobody is idle on partial evidence, so the plan is empty"
        );
    }
    let idle: Vec<UserStatus> = synced
        .report
        .users
        .iter()
        .filter(|s| matches!(s.activity, Activity::Inactive | Activity::NeverActive))
        .collect();
    let idle: Vec<&UserStatus> = idle.iter().collect();
    let web_only = web_only_users(&synced, &idle);
    let apply_plans = args.yes && args.groups.is_empty();
    let all_plans = plans(&synced, &idle, apply_plans)?;
    let mut entries = Vec::new();
    let mut results: Vec<Value> = Vec::new();
    // What `--yes` changed, for the audit trail.
    let mut trail = Vec::new();
    for s in &idle {
        let plans = all_plans.get(&s.user_id).cloned().unwrap_or_default();
        let groups: Vec<&str> = plans
            .iter()
            .flat_map(|p| &p.actions)
            .filter(|a| a.kind == saas_runtime::latest::ReleaseKind::LeaveGroup)
            .map(|a| a.target.as_str())
            .collect();
        for (p, a) in plans
            .iter()
            .flat_map(|p| p.actions.iter().map(move |a| (p, a)))
        {
            if a.outcome.is_some() {
                results.push(json!({"user": s.user_id, "unit": p.unit_id, "target": a.target, "result": outcome(&a.outcome)}));
                trail.push(release_step(&s.user_id, p, a));
            }
        }
        if args.yes {
            for g in args.groups.iter().filter(|g| groups.contains(&g.as_str())) {
                let change = Change::RemoveMember {
                    group: g.clone(),
                    member: s.user_id.clone(),
                };
                let (done, action) = change.carry_out(&synced.ready, &synced.listing.session, None);
                let result = match &done {
                    Ok(_) => "removed".to_string(),
                    Err(f) => format!("failed: {}", f.error),
                };
                trail.push(action);
                results.push(json!({"user": s.user_id, "target": g, "result": result}));
            }
        }
        let web = web_only.contains(s.user_id.as_str());
        if !args.json {
            println!(
                "{}  {}  {}  last active {}{}  seats: {}  groups: {}",
                s.user_id,
                s.display_name.as_deref().unwrap_or(""),
                s.activity.wit(),
                s.last_active.map(iso).unwrap_or_else(|| "never".into()),
                s.last_active_source
                    .as_deref()
                    .map(|src| format!(" ({src})"))
                    .unwrap_or_default(),
                s.units.join(", "),
                if groups.is_empty() {
                    "-".into()
                } else {
                    groups.join(", ")
                }
            );
            println!(
                "    evidence: {}{}",
                s.reason,
                if web { " [web activity only]" } else { "" }
            );
            for p in &plans {
                for a in &p.actions {
                    println!("    {}: {}", outcome(&a.outcome), a.description);
                }
            }
        }
        entries.push(json!({
            "user": s.user_id,
            "display_name": s.display_name,
            "activity": s.activity.wit(),
            "last_active": s.last_active.map(iso),
            "evidence": {"reason": s.reason, "source": s.last_active_source, "web_only": web},
            "seats": s.units,
            "groups": groups,
            "plans": plans,
        }));
    }
    let seats: usize = idle.iter().map(|s| s.units.len()).sum();
    let notes: Vec<String> = {
        let mut n: Vec<String> = entries
            .iter()
            .flat_map(|e| e["plans"].as_array().cloned().unwrap_or_default())
            .flat_map(|p| p["notes"].as_array().cloned().unwrap_or_default())
            .filter_map(|n| n.as_str().map(String::from))
            .collect();
        if !web_only.is_empty() {
            n.push(format!(
                "{} of these users are judged on web activity alone (page views): people who \
                 work only through git or the API may look idle; check before taking their seats",
                web_only.len()
            ));
        }
        n.sort();
        n.dedup();
        n
    };
    if args.json {
        let doc =
            json!({"idle_users": entries, "idle_seats": seats, "actions": results, "notes": notes});
        println!(
            "{}",
            saas_runtime::json_style::pretty(&doc).map_err(|e| Failure::other(e.into()))?
        );
    } else {
        println!("{} idle users hold {} seats", idle.len(), seats);
        for n in &notes {
            println!("note: {n}");
        }
        for r in &results {
            println!("{} {}: {}", r["user"], r["target"], r["result"]);
        }
        if !args.yes && !idle.is_empty() {
            eprintln!("nothing changed; run again with --yes to carry out the plans");
        }
    }
    audit::record(&synced.ready, &args.sync.history, None, trail);
    let failed = results.iter().any(|r| {
        r["result"]
            .as_str()
            .is_some_and(|s| s.starts_with("failed"))
    });
    Ok(if failed {
        Exit::Failure
    } else if synced.listing.complete {
        Exit::Success
    } else {
        Exit::Partial
    })
}

/// The idle users judged on web activity alone: their latest evidence, or
/// (with none) every source covering their units, only sees web use.
fn web_only_users<'a>(synced: &Synced, idle: &[&'a UserStatus]) -> BTreeSet<&'a str> {
    let mut kinds: BTreeMap<String, BTreeSet<bool>> = BTreeMap::new();
    for user in &synced.listing.users {
        for e in user.memberships.into_iter().flat_map(|m| m.evidence) {
            kinds
                .entry(e.source)
                .or_default()
                .insert(e.kind == EvidenceKind::Web);
        }
    }
    let web = |source: &str| {
        kinds
            .get(source)
            .is_some_and(|k| k == &BTreeSet::from([true]))
    };
    let covering: BTreeMap<&str, Vec<&str>> = synced
        .report
        .seats
        .per_unit
        .iter()
        .map(|u| {
            (
                u.unit.key.as_str(),
                u.covered_by.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    idle.iter()
        .filter(|s| match &s.last_active_source {
            Some(source) => web(source),
            None => s.units.iter().all(|unit| {
                covering
                    .get(unit.as_str())
                    .is_some_and(|c| !c.is_empty() && c.iter().all(|src| web(src)))
            }),
        })
        .map(|s| s.user_id.as_str())
        .collect()
}
