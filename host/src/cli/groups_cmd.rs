//! `groups`: list, show, create, update, delete, add-member, remove-member.
//! Mutations say what they will do and act only with `--yes`.

use std::sync::Arc;

use anyhow::{Context, anyhow};
use saas_host::bindings::{ConnectorError, Group, GroupPermission, GroupRef, GroupUpdate, Session};
use saas_host::imports::TracingEvents;
use saas_host::sync;

use super::settings::{self, ConnectorArgs, Ready};
use super::{Exit, Failure};

/// Options of `groups`.
#[derive(Debug, Clone, clap::Args)]
pub struct GroupsArgs {
    /// Connector, sandbox and settings options.
    #[command(flatten)]
    pub connector: ConnectorArgs,
    /// Print JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub action: GroupAction,
}

/// A groups action.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum GroupAction {
    /// Lists a workspace's groups.
    List {
        /// Workspace slug.
        workspace: String,
    },
    /// Shows one group with its members.
    Show {
        /// `workspace/group-slug`.
        group: String,
    },
    /// Creates a group.
    Create {
        /// Workspace slug.
        workspace: String,
        /// Group name.
        name: String,
        /// Act (without it, only say what would be done).
        #[arg(long)]
        yes: bool,
    },
    /// Changes a group's name, permission or auto-add flag.
    Update {
        /// `workspace/group-slug`.
        group: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New permission: read, write or admin.
        #[arg(long)]
        permission: Option<String>,
        /// New auto-add flag.
        #[arg(long)]
        auto_add: Option<bool>,
        /// Act.
        #[arg(long)]
        yes: bool,
    },
    /// Deletes a group.
    Delete {
        /// `workspace/group-slug`.
        group: String,
        /// Act.
        #[arg(long)]
        yes: bool,
    },
    /// Adds a user (uuid with braces) to a group.
    AddMember {
        /// `workspace/group-slug`.
        group: String,
        /// The user's uuid, for example `{1234-...}`.
        member: String,
        /// Act.
        #[arg(long)]
        yes: bool,
    },
    /// Removes a user from a group.
    RemoveMember {
        /// `workspace/group-slug`.
        group: String,
        /// The user's uuid.
        member: String,
        /// Act.
        #[arg(long)]
        yes: bool,
    },
}

/// Parses `workspace/slug`.
pub fn group_ref(text: &str) -> Result<GroupRef, Failure> {
    match text.split_once('/') {
        Some((w, s)) if !w.is_empty() && !s.is_empty() => Ok(GroupRef {
            workspace: w.to_string(),
            slug: s.to_string(),
        }),
        _ => Err(Failure::usage(anyhow!(
            "{text:?} is not workspace/group-slug"
        ))),
    }
}

/// Loads the connector and authenticates.
pub fn connect(args: &ConnectorArgs) -> Result<(Ready, Session), Failure> {
    let settings = settings::load_file(args.config.as_deref()).map_err(Failure::usage)?;
    let credentials = settings.credentials.credentials().map_err(Failure::usage)?;
    let config = settings::connector_config(&settings, &[], &[]);
    let ready = args
        .ready(config, settings, Arc::new(TracingEvents))
        .map_err(Failure::other)?;
    let session = sync::authenticate(&ready.connector, &ready.io, &ready.config, &credentials)
        .map_err(|e| match e {
            sync::SyncError::Auth(m) => {
                Failure::new(Exit::Auth, anyhow!("authentication failed: {m}"))
            }
            sync::SyncError::Host(h) => Failure::other(h.into()),
            sync::SyncError::Connector(m) => Failure::other(anyhow!(m)),
        })?;
    Ok((ready, session))
}

/// Turns a call's outcome into a value or a failure, redacted.
pub fn settle<T>(ready: &Ready, outcome: saas_host::Outcome<T>) -> Result<T, Failure> {
    match outcome {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            let exit = if matches!(e, ConnectorError::InvalidCredentials(_)) {
                Exit::Auth
            } else {
                Exit::Failure
            };
            Err(Failure::new(
                exit,
                anyhow!(ready.io.redactor.redact(&e.describe()).into_owned()),
            ))
        }
        Err(h) => Err(Failure::other(anyhow!(
            ready.io.redactor.redact(&h.to_string()).into_owned()
        ))),
    }
}

fn permission(text: &str) -> Result<GroupPermission, Failure> {
    match text {
        "read" => Ok(GroupPermission::Read),
        "write" => Ok(GroupPermission::Write),
        "admin" => Ok(GroupPermission::Admin),
        _ => Err(Failure::usage(anyhow!(
            "permission must be read, write or admin"
        ))),
    }
}

fn print_group(g: &Group, members: bool) {
    let perm = g
        .permission
        .map(|p| format!("{p:?}").to_lowercase())
        .unwrap_or_else(|| "none".into());
    println!(
        "{}/{}  {:?}  permission={}  auto_add={}  members={}",
        g.ref_.workspace,
        g.ref_.slug,
        g.name,
        perm,
        g.auto_add,
        g.members.len()
    );
    if members {
        for m in &g.members {
            println!(
                "  {}  {}",
                m.id.as_deref().unwrap_or("?"),
                m.display_name.as_deref().unwrap_or("")
            );
        }
    }
}

fn plan(yes: bool, what: String) -> bool {
    if yes {
        eprintln!("{what}");
    } else {
        eprintln!("would {what}; run again with --yes to do it");
    }
    yes
}

/// `groups`.
pub fn run(args: &GroupsArgs) -> Result<Exit, Failure> {
    // Validate arguments before any network traffic.
    let target = match &args.action {
        GroupAction::List { .. } | GroupAction::Create { .. } => None,
        GroupAction::Show { group }
        | GroupAction::Update { group, .. }
        | GroupAction::Delete { group, .. }
        | GroupAction::AddMember { group, .. }
        | GroupAction::RemoveMember { group, .. } => Some(group_ref(group)?),
    };
    let (ready, session) = connect(&args.connector)?;
    let (c, io, cfg) = (&ready.connector, &ready.io, &ready.config);
    let json = |v: &dyn erased::Ser| -> Result<(), Failure> {
        println!(
            "{}",
            v.to_json().context("serialising").map_err(Failure::other)?
        );
        Ok(())
    };
    match &args.action {
        GroupAction::List { workspace } => {
            let groups = settle(&ready, c.list_groups(io, cfg, &session, workspace))?;
            if args.json {
                json(&groups)?;
            } else {
                groups.iter().for_each(|g| print_group(g, false));
            }
        }
        GroupAction::Show { .. } => {
            let r = target.expect("parsed above");
            let groups = settle(
                &ready,
                c.find_groups(io, cfg, &session, std::slice::from_ref(&r)),
            )?;
            let Some(g) = groups.into_iter().next() else {
                return Err(Failure::other(anyhow!(
                    "no group {}/{}",
                    r.workspace,
                    r.slug
                )));
            };
            if args.json {
                json(&g)?;
            } else {
                print_group(&g, true);
            }
        }
        GroupAction::Create {
            workspace,
            name,
            yes,
        } => {
            if plan(*yes, format!("create group {name:?} in {workspace}")) {
                let g = settle(&ready, c.create_group(io, cfg, &session, workspace, name))?;
                print_group(&g, false);
            }
        }
        GroupAction::Update {
            name,
            permission: perm,
            auto_add,
            yes,
            ..
        } => {
            let r = target.expect("parsed above");
            let update = GroupUpdate {
                name: name.clone(),
                permission: perm.as_deref().map(permission).transpose()?,
                auto_add: *auto_add,
            };
            if plan(
                *yes,
                format!("update {}/{}: {update:?}", r.workspace, r.slug),
            ) {
                let g = settle(&ready, c.update_group(io, cfg, &session, &r, &update))?;
                print_group(&g, false);
            }
        }
        GroupAction::Delete { yes, .. } => {
            let r = target.expect("parsed above");
            if plan(*yes, format!("delete group {}/{}", r.workspace, r.slug)) {
                settle(&ready, c.delete_group(io, cfg, &session, &r))?;
                println!("deleted {}/{}", r.workspace, r.slug);
            }
        }
        GroupAction::AddMember { member, yes, .. } => {
            let r = target.expect("parsed above");
            if plan(*yes, format!("add {member} to {}/{}", r.workspace, r.slug)) {
                settle(&ready, c.add_member(io, cfg, &session, &r, member))?;
                println!("added {member} to {}/{}", r.workspace, r.slug);
            }
        }
        GroupAction::RemoveMember { member, yes, .. } => {
            let r = target.expect("parsed above");
            if plan(
                *yes,
                format!("remove {member} from {}/{}", r.workspace, r.slug),
            ) {
                settle(&ready, c.remove_member(io, cfg, &session, &r, member))?;
                println!("removed {member} from {}/{}", r.workspace, r.slug);
            }
        }
    }
    Ok(Exit::Success)
}

mod erased {
    /// Serialises any serde value to pretty JSON behind a trait object.
    pub trait Ser {
        fn to_json(&self) -> serde_json::Result<String>;
    }

    impl<T: serde::Serialize> Ser for T {
        fn to_json(&self) -> serde_json::Result<String> {
            serde_json::to_string_pretty(self)
        }
    }
}
