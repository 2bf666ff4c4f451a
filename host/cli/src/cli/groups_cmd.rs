//! `groups`: list, show, create, update, delete, add-member, remove-member.
//! Mutations say what they will do and act only with `--yes`.

use std::sync::Arc;

use anyhow::{Context, anyhow};
use saas_runtime::Session;
use saas_runtime::imports::TracingEvents;
use saas_runtime::latest::{Capability, ConnectorError, Group};
use saas_runtime::listing::LoopOptions;
use saas_runtime::sync;

use super::audit::{self, Change};
use super::history_args::HistoryArgs;
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
    /// Where changes are recorded (the audit trail).
    #[command(flatten)]
    pub history: HistoryArgs,
    /// What to do.
    #[command(subcommand)]
    pub action: GroupAction,
}

/// A groups action.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum GroupAction {
    /// Lists the groups of a scope.
    List {
        /// A billing unit's key (a Bitbucket workspace slug) or a directory.
        scope: String,
    },
    /// Shows one group with its members.
    Show {
        /// The group's id, as `list` shows it (Bitbucket: `workspace/slug`).
        group: String,
    },
    /// Creates a group.
    Create {
        /// A billing unit's key (a Bitbucket workspace slug) or a directory.
        scope: String,
        /// Group name.
        name: String,
        /// Act (without it, only say what would be done).
        #[arg(long)]
        yes: bool,
    },
    /// Changes a group's name, permission or auto-add flag.
    Update {
        /// The group's id, as `list` shows it (Bitbucket: `workspace/slug`).
        group: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New permission, as the upstream names it (Bitbucket: read, write or admin).
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
        /// The group's id, as `list` shows it (Bitbucket: `workspace/slug`).
        group: String,
        /// Act.
        #[arg(long)]
        yes: bool,
    },
    /// Adds a user (uuid with braces) to a group.
    AddMember {
        /// The group's id, as `list` shows it (Bitbucket: `workspace/slug`).
        group: String,
        /// The user's uuid, for example `{1234-...}`.
        member: String,
        /// Act.
        #[arg(long)]
        yes: bool,
    },
    /// Removes a user from a group.
    RemoveMember {
        /// The group's id, as `list` shows it (Bitbucket: `workspace/slug`).
        group: String,
        /// The user's uuid.
        member: String,
        /// Act.
        #[arg(long)]
        yes: bool,
    },
}

/// Loads the connector and authenticates with the configured credentials.
pub fn connect(args: &ConnectorArgs) -> Result<(Ready, Session), Failure> {
    let settings = settings::load_file(args.config.as_deref()).map_err(Failure::usage)?;
    let ready = args
        .ready(settings, &[], Arc::new(TracingEvents))
        .map_err(Failure::usage)?;
    let credentials = ready.credentials().map_err(Failure::usage)?;
    let options = LoopOptions::default();
    let session = sync::authenticate(
        &ready.connector,
        &ready.io,
        &ready.config,
        &credentials,
        &options,
    )
    .map(|(session, _)| session)
    .map_err(|e| match e {
        sync::SyncError::Auth(m) => Failure::new(
            Exit::Auth,
            anyhow!("authentication failed: {m}{}", ready.stored.refused_hint()),
        ),
        e @ sync::SyncError::Config(_) => Failure::usage(e.into()),
        sync::SyncError::Host(h) => Failure::other(h.into()),
        e @ (sync::SyncError::Connector(_)
        | sync::SyncError::NotResumable(_)
        | sync::SyncError::SignIn(_)) => Failure::other(e.into()),
    })?;
    Ok((ready, session))
}

/// Turns a call's outcome into a value or a failure, redacted.
pub fn settle<T>(ready: &Ready, outcome: saas_runtime::Outcome<T>) -> Result<T, Failure> {
    match outcome {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            let auth = matches!(
                e,
                ConnectorError::InvalidCredentials(_) | ConnectorError::ExpiredCredentials(_)
            );
            let exit = if auth {
                Exit::Auth
            } else if matches!(e, ConnectorError::InvalidConfig(_)) {
                Exit::Usage
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

fn print_group(g: &Group, members: bool) {
    let flag = |b: Option<bool>| b.map_or("?".to_string(), |b| b.to_string());
    println!(
        "{}  {:?}  scope={}  permission={}  auto_add={}  writable={}  members={}",
        g.id,
        g.name,
        g.scope,
        g.permission.as_deref().unwrap_or("none"),
        flag(g.auto_add),
        flag(g.writable),
        g.members.len()
    );
    if members {
        for m in &g.members {
            println!(
                "  {}  {}",
                m.user_id.as_deref().unwrap_or("?"),
                m.display_name.as_deref().unwrap_or("")
            );
        }
    }
}

/// What an update changes, as `name → "New", permission → write`.
/// A mutating action as a change, and whether to act.
fn change_of(action: &GroupAction) -> (Change, bool) {
    match action.clone() {
        GroupAction::Create { scope, name, yes } => (Change::CreateGroup { scope, name }, yes),
        GroupAction::Update {
            group,
            name,
            permission,
            auto_add,
            yes,
        } => (
            Change::UpdateGroup {
                group,
                name,
                permission,
                auto_add,
            },
            yes,
        ),
        GroupAction::Delete { group, yes } => (Change::DeleteGroup { group }, yes),
        GroupAction::AddMember { group, member, yes } => (Change::AddMember { group, member }, yes),
        GroupAction::RemoveMember { group, member, yes } => {
            (Change::RemoveMember { group, member }, yes)
        }
        GroupAction::List { .. } | GroupAction::Show { .. } => {
            unreachable!("reads are not changes")
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
    let (ready, session) = connect(&args.connector)?;
    let needs = match &args.action {
        GroupAction::List { .. } | GroupAction::Show { .. } => Capability::GroupRead,
        GroupAction::Create { .. } | GroupAction::Update { .. } | GroupAction::Delete { .. } => {
            Capability::GroupWrite
        }
        GroupAction::AddMember { .. } | GroupAction::RemoveMember { .. } => {
            Capability::GroupMembershipWrite
        }
    };
    let info = ready.connector.info();
    if !info.has(needs) {
        return Err(Failure::usage(anyhow!(
            "the connector {} does not declare {}: it cannot do that",
            info.name,
            needs.name()
        )));
    }
    let (c, io, cfg) = (&ready.connector, &ready.io, &ready.config);
    // A change to an existing group names it first: a wrong id fails here,
    // before anything is planned or changed.
    let target = match &args.action {
        GroupAction::List { .. } | GroupAction::Show { .. } | GroupAction::Create { .. } => None,
        GroupAction::Update { group, .. }
        | GroupAction::Delete { group, .. }
        | GroupAction::AddMember { group, .. }
        | GroupAction::RemoveMember { group, .. } => Some(group),
    };
    // The group as it was, which an update's inverse restores.
    let mut before = None;
    if let Some(group) = target.filter(|_| info.has(Capability::GroupRead)) {
        let g = settle(&ready, c.signed_in(io, cfg, &session).get_group(group))?;
        eprintln!("group {} ({}), {} members", g.id, g.name, g.members.len());
        before = Some(g);
    }
    let json = |v: &dyn erased::Ser| -> Result<(), Failure> {
        println!(
            "{}",
            v.to_json().context("serialising").map_err(Failure::other)?
        );
        Ok(())
    };
    match &args.action {
        GroupAction::List { scope } => {
            let groups = settle(&ready, c.signed_in(io, cfg, &session).list_groups(scope))?;
            if args.json {
                json(&groups)?;
            } else {
                groups.iter().for_each(|g| print_group(g, false));
            }
        }
        GroupAction::Show { group } => {
            let g = settle(&ready, c.signed_in(io, cfg, &session).get_group(group))?;
            if args.json {
                json(&g)?;
            } else {
                print_group(&g, true);
            }
        }
        GroupAction::Create { .. }
        | GroupAction::Update { .. }
        | GroupAction::Delete { .. }
        | GroupAction::AddMember { .. }
        | GroupAction::RemoveMember { .. } => {
            let (change, yes) = change_of(&args.action);
            if plan(yes, change.describe()) {
                let (result, action) = change.carry_out(&ready, &session, before.as_ref());
                audit::record(&ready, &args.history, None, vec![action]);
                match result? {
                    Some(g) => print_group(&g, false),
                    None => println!("done: {}", change.describe()),
                }
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
            saas_runtime::json_style::pretty(self)
        }
    }
}
