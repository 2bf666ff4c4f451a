//! `reclaim`: the licence-reclamation plan. Idle users (inactive or never
//! active) with their seats and group memberships; with `--yes`, removes
//! them from the chosen groups and reports each result.

use std::collections::BTreeMap;

use anyhow::anyhow;
use saas_host::bindings::{Activity, GroupRef};
use serde_json::json;

use super::groups_cmd::{group_ref, settle};
use super::output::{activity_name, iso};
use super::sync_cmd::{self, SyncArgs};
use super::{Exit, Failure, settings};

/// Options of `reclaim`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReclaimArgs {
    /// Sync options.
    #[command(flatten)]
    pub sync: SyncArgs,
    /// Groups to remove idle users from (`workspace/slug`, repeatable).
    #[arg(long = "group", value_name = "WORKSPACE/SLUG")]
    pub groups: Vec<String>,
    /// Act: remove idle users from the chosen groups.
    #[arg(long)]
    pub yes: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reclaim`.
pub fn run(args: &ReclaimArgs) -> Result<Exit, Failure> {
    let chosen: Vec<GroupRef> = args
        .groups
        .iter()
        .map(|g| group_ref(g))
        .collect::<Result<_, _>>()?;
    if args.yes && chosen.is_empty() {
        return Err(Failure::usage(anyhow!(
            "choose the groups to remove idle users from with --group workspace/slug"
        )));
    }
    let file =
        settings::load_file(args.sync.connector.config.as_deref()).map_err(Failure::usage)?;
    let credentials = file.credentials.credentials().map_err(Failure::usage)?;
    let synced = sync_cmd::run_with(&args.sync, file, credentials)?;
    sync_cmd::print_summary(&synced);
    let (c, io, cfg, session) = (
        &synced.ready.connector,
        &synced.ready.io,
        &synced.ready.config,
        &synced.listing.session,
    );
    if !synced.listing.complete {
        eprintln!(
            "the listing is partial: nobody is idle on partial evidence, so the plan is empty"
        );
    }
    // Group memberships of every user, over the workspaces listed.
    let mut groups_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for w in &synced.listing.workspaces {
        for g in settle(&synced.ready, c.list_groups(io, cfg, session, &w.slug))? {
            for m in &g.members {
                if let Some(id) = &m.id {
                    groups_of
                        .entry(id.clone())
                        .or_default()
                        .push(format!("{}/{}", g.ref_.workspace, g.ref_.slug));
                }
            }
        }
    }
    let idle: Vec<_> = synced
        .report
        .users
        .iter()
        .filter(|s| matches!(s.activity, Activity::Inactive | Activity::NeverActive))
        .collect();
    let mut results = Vec::new();
    for s in &idle {
        let groups = groups_of.get(&s.user_id).cloned().unwrap_or_default();
        if args.yes {
            for r in chosen
                .iter()
                .filter(|r| groups.contains(&format!("{}/{}", r.workspace, r.slug)))
            {
                let outcome = settle(
                    &synced.ready,
                    c.remove_member(io, cfg, session, r, &s.user_id),
                );
                let result = match &outcome {
                    Ok(()) => "removed".to_string(),
                    Err(f) => format!("failed: {}", f.error),
                };
                results.push(json!({"user": s.user_id, "group": format!("{}/{}", r.workspace, r.slug), "result": result}));
            }
        }
        if !args.json {
            println!(
                "{}  {}  {}  last access {}  seats: {}  groups: {}",
                s.user_id,
                s.display_name.as_deref().unwrap_or(""),
                activity_name(s.activity),
                s.last_login.map(iso).unwrap_or_else(|| "never".into()),
                s.workspaces.join(", "),
                if groups.is_empty() {
                    "-".into()
                } else {
                    groups.join(", ")
                }
            );
        }
    }
    let seats: usize = idle.iter().map(|s| s.workspaces.len()).sum();
    if args.json {
        let plan: Vec<_> = idle
            .iter()
            .map(|s| {
                json!({
                    "user": s.user_id,
                    "display_name": s.display_name,
                    "activity": activity_name(s.activity),
                    "last_login": s.last_login,
                    "seats": s.workspaces,
                    "groups": groups_of.get(&s.user_id).cloned().unwrap_or_default(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"idle_users": plan, "idle_seats": seats, "actions": results})
            )
            .map_err(|e| Failure::other(e.into()))?
        );
    } else {
        println!("{} idle users hold {} seats", idle.len(), seats);
        for r in &results {
            println!("{} from {}: {}", r["user"], r["group"], r["result"]);
        }
        if !args.yes && !idle.is_empty() {
            eprintln!("nothing changed; choose groups with --group and act with --yes");
        }
    }
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
