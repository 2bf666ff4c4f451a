//! The audit trail of what commands change upstream: each change as data
//! (what was done, and what undoes it), carried out through the connector,
//! and kept in the history as one operation per command.

use saas_history::{History, NewAction, Operation};
use saas_runtime::Session;
use saas_runtime::latest::{Group, GroupUpdate};
use serde::{Deserialize, Serialize};

use super::Failure;
use super::groups_cmd::settle;
use super::history_args::{HistoryArgs, operator};
use super::settings::Ready;

/// One change upstream, in the contract's terms, so that any connector
/// with the capability can carry it out (and so undo it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Change {
    /// `create-group` in a scope.
    CreateGroup { scope: String, name: String },
    /// `update-group`: only the fields given change.
    UpdateGroup {
        group: String,
        name: Option<String>,
        permission: Option<String>,
        auto_add: Option<bool>,
    },
    /// `delete-group`.
    DeleteGroup { group: String },
    /// `add-member`.
    AddMember { group: String, member: String },
    /// `remove-member`.
    RemoveMember { group: String, member: String },
    /// A step of a seat release, as the connector reported it (`reclaim
    /// --yes`); the host can undo it only where it is leaving a group.
    ReleaseStep {
        user: String,
        unit: String,
        kind: String,
        target: String,
        description: String,
    },
}

impl Change {
    /// What the change does, in a line.
    pub fn describe(&self) -> String {
        match self {
            Change::CreateGroup { scope, name } => format!("create group {name:?} in {scope}"),
            Change::UpdateGroup {
                group,
                name,
                permission,
                auto_add,
            } => {
                let mut parts = Vec::new();
                if let Some(n) = name {
                    parts.push(format!("name \u{2192} {n:?}"));
                }
                if let Some(p) = permission {
                    parts.push(format!("permission \u{2192} {p}"));
                }
                if let Some(a) = auto_add {
                    parts.push(format!("auto-add \u{2192} {a}"));
                }
                if parts.is_empty() {
                    parts.push("nothing to change".into());
                }
                format!("update {group}: {}", parts.join(", "))
            }
            Change::DeleteGroup { group } => format!("delete group {group}"),
            Change::AddMember { group, member } => format!("add {member} to {group}"),
            Change::RemoveMember { group, member } => format!("remove {member} from {group}"),
            Change::ReleaseStep {
                user, description, ..
            } => format!("{user}: {description}"),
        }
    }

    /// Carries the change out; the group as it is afterwards, where the
    /// upstream returns it.
    pub fn apply(&self, ready: &Ready, session: &Session) -> Result<Option<Group>, Failure> {
        let (c, io, cfg) = (&ready.connector, &ready.io, &ready.config);
        let signed = c.signed_in(io, cfg, session);
        match self {
            Change::CreateGroup { scope, name } => {
                settle(ready, signed.create_group(scope, name)).map(Some)
            }
            Change::UpdateGroup {
                group,
                name,
                permission,
                auto_add,
            } => {
                let update = GroupUpdate {
                    name: name.clone(),
                    permission: permission.clone(),
                    auto_add: *auto_add,
                };
                settle(ready, signed.update_group(group, &update)).map(Some)
            }
            Change::DeleteGroup { group } => {
                settle(ready, signed.delete_group(group)).map(|()| None)
            }
            Change::AddMember { group, member } => {
                settle(ready, signed.add_member(group, member)).map(|()| None)
            }
            Change::RemoveMember { group, member } => {
                settle(ready, signed.remove_member(group, member)).map(|()| None)
            }
            Change::ReleaseStep { .. } => Err(Failure::usage(anyhow::anyhow!(
                "a seat release is carried out by `reclaim --yes`, not replayed"
            ))),
        }
    }

    /// Carries the change out and says how it went, as the history keeps
    /// it; `before` is the group as read first, for an update's inverse.
    pub fn carry_out(
        &self,
        ready: &Ready,
        session: &Session,
        before: Option<&Group>,
    ) -> (Result<Option<Group>, Failure>, NewAction) {
        let result = self.apply(ready, session);
        let after = result.as_ref().ok().and_then(Option::as_ref);
        let inverse = self.inverse(before, after);
        let outcome = result
            .as_ref()
            .map(|_| "done")
            .map_err(|f| f.error.to_string());
        let action = self.recorded(inverse.as_ref(), outcome);
        (result, action)
    }

    /// What undoes the change, given the group as it was before (read
    /// first) and as the upstream returned it; none when nothing can (a
    /// deleted group, a grant the contract cannot give back).
    pub fn inverse(&self, before: Option<&Group>, after: Option<&Group>) -> Option<Change> {
        match self {
            Change::CreateGroup { .. } => after.map(|g| Change::DeleteGroup {
                group: g.id.clone(),
            }),
            Change::UpdateGroup {
                group,
                name,
                permission,
                auto_add,
            } => {
                let b = before?;
                // An update sets values and cannot clear one: a field that
                // had none before cannot be given back.
                let old_permission = match permission {
                    Some(_) => Some(b.permission.clone()?),
                    None => None,
                };
                let old_auto_add = match auto_add {
                    Some(_) => Some(b.auto_add?),
                    None => None,
                };
                Some(Change::UpdateGroup {
                    // A rename may give the group a new id (a new slug).
                    group: after.map_or_else(|| group.clone(), |a| a.id.clone()),
                    name: name.as_ref().map(|_| b.name.clone()),
                    permission: old_permission,
                    auto_add: old_auto_add,
                })
            }
            Change::DeleteGroup { .. } => None,
            Change::AddMember { group, member } => Some(Change::RemoveMember {
                group: group.clone(),
                member: member.clone(),
            }),
            Change::RemoveMember { group, member } => Some(Change::AddMember {
                group: group.clone(),
                member: member.clone(),
            }),
            Change::ReleaseStep {
                user, kind, target, ..
            } => (kind == "leave-group").then(|| Change::AddMember {
                group: target.clone(),
                member: user.clone(),
            }),
        }
    }

    /// The change as the history keeps it, with its outcome (`Ok` with a
    /// word such as "done", or the error).
    pub fn recorded(&self, inverse: Option<&Change>, outcome: Result<&str, String>) -> NewAction {
        let value = |c: &Change| serde_json::to_value(c).expect("a change serialises");
        NewAction {
            description: self.describe(),
            forward: value(self),
            // A change that failed left nothing to undo.
            inverse: inverse.filter(|_| outcome.is_ok()).map(value),
            succeeded: outcome.is_ok(),
            outcome: outcome.map_or_else(|e| format!("failed: {e}"), String::from),
        }
    }
}

/// What the history calls this connector's upstream: the connector and the
/// host it reads (`bitbucket@api.bitbucket.org`).
pub fn source_of(ready: &Ready) -> String {
    let name = &ready.connector.info().name;
    match ready.connector.egress_urls(&ready.settings).first() {
        Some(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{name}@{h}:{p}"),
            (Some(h), None) => format!("{name}@{h}"),
            _ => name.clone(),
        },
        None => name.clone(),
    }
}

/// The command as typed, for the audit trail. Credentials never come from
/// arguments, but a proxy URL may carry a password (`--proxy
/// http://user:pass@host`): every URL's password is masked, and the rest
/// goes through the run's redactor like any log line.
fn command_line(ready: &Ready) -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .map(|a| mask_password(&a))
        .collect();
    let line = format!("saas-host {}", args.join(" "));
    ready.io.redactor.redact(&line).into_owned()
}

/// `arg` (or the value of `--name=arg`) with a URL's password masked.
fn mask_password(arg: &str) -> String {
    let (head, value) = match arg.split_once('=') {
        Some((name, value)) if name.starts_with("--") => (format!("{name}="), value),
        _ => (String::new(), arg),
    };
    match url::Url::parse(value) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            format!("{head}{u}")
        }
        _ => arg.to_string(),
    }
}

/// Records a command's changes as one operation, and says so; a history
/// that cannot be written is reported, never hidden (the changes are made).
pub fn record(
    ready: &Ready,
    history: &HistoryArgs,
    undoes: Option<i64>,
    actions: Vec<NewAction>,
) -> Option<i64> {
    if actions.is_empty() {
        return None;
    }
    let op = Operation {
        id: 0,
        source: source_of(ready),
        connector: ready.connector.info().name.clone(),
        operator: operator(),
        command: command_line(ready),
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
        undoes,
        actions: actions
            .into_iter()
            .map(|change| saas_history::Action { seq: 0, change })
            .collect(),
    };
    let stored = history
        .open(&ready.file.contents.history)
        .and_then(|h| h.ok_or_else(|| anyhow::anyhow!("there is no data folder")))
        .and_then(|mut h: History| Ok(h.record_operation(&op)?));
    match stored {
        Ok(id) => {
            eprintln!("recorded as operation {id} (`saas-host undo {id}` plans its inverse)");
            Some(id)
        }
        Err(e) => {
            eprintln!("warning: the change was made but not recorded in the history: {e:#}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mask_password;

    #[test]
    fn a_proxy_password_never_reaches_the_trail() {
        assert_eq!(
            mask_password("http://ops:s3cret@proxy.corp:3128"),
            "http://ops:***@proxy.corp:3128/"
        );
        assert_eq!(
            mask_password("--proxy=https://ops:s3cret@proxy.corp"),
            "--proxy=https://ops:***@proxy.corp/"
        );
        assert_eq!(
            mask_password("workspace-000/auditors"),
            "workspace-000/auditors"
        );
        assert_eq!(
            mask_password("http://proxy.corp:3128"),
            "http://proxy.corp:3128"
        );
    }
}
