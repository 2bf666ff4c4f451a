//! Taking seats back. A seat is held while any path grants `LICENSED_USER`
//! or more: the plan leaves every group that grants a global permission
//! (reversible) and revokes a direct grant, and, once applied, asks
//! Bitbucket's licensed-user list whether the seat is free.

use crate::admin::{Admin, parse_id, permission_of};
use crate::licence::Permission;
use crate::wire::{self, DetailedUser};
use crate::{Error, Result};
use saas_connector_sdk::http::Method;
use saas_connector_sdk::{ReleaseAction, ReleaseKind, ReleaseOutcome, SeatRelease};

/// The target of a direct-grant action.
const DIRECT: &str = "global-permission";

fn plan_for(
    admin: &Admin<'_>,
    user: &DetailedUser,
    granting: &[(String, Permission)],
    direct: Option<Permission>,
) -> Result<SeatRelease> {
    let what = format!("the groups of {}", user.name);
    let groups = admin.all(
        ("/admin/users/more-members", &[("context", &user.name)]),
        &what,
        wire::group_name,
    )?;
    let mut plan = SeatRelease {
        user_id: user.id.to_string(),
        unit_id: admin.config.base(),
        actions: Vec::new(),
        frees_seat: Some(true),
        notes: Vec::new(),
        applied: false,
    };
    if !user.active {
        plan.notes
            .push("the account is deactivated: it holds no seat already".into());
        return Ok(plan);
    }
    let paths: Vec<(&str, Permission)> = groups
        .iter()
        .filter_map(|g| permission_of(granting, g).map(|p| (g.as_str(), p)))
        .collect();
    if paths.is_empty() && direct.is_none() {
        plan.notes
            .push("no global permission is granted to the user: no seat to free".into());
    }
    if !paths.is_empty() && !user.mutable_groups {
        let directory = user
            .directory_name
            .as_deref()
            .unwrap_or("its user directory");
        let names: Vec<&str> = paths.iter().map(|(g, _)| *g).collect();
        plan.notes.push(format!(
            "the user's groups are managed by the read-only directory {directory}: remove the \
             user from {} there",
            names.join(", ")
        ));
        plan.frees_seat = Some(false);
    } else {
        for (group, permission) in &paths {
            plan.actions.push(ReleaseAction {
                kind: ReleaseKind::LeaveGroup,
                target: group.to_string(),
                target_name: group.to_string(),
                description: format!(
                    "remove {} from the group {group}, which grants {}",
                    user.name,
                    permission.name()
                ),
                reversible: true,
                outcome: None,
            });
        }
    }
    if let Some(p) = direct {
        plan.actions.push(ReleaseAction {
            kind: ReleaseKind::RevokeGrant,
            target: format!("{DIRECT}:{}", p.name()),
            target_name: p.name().into(),
            description: format!(
                "revoke {} granted directly to {} (this removes every global permission granted \
                 to the user directly; an administrator can grant it again)",
                p.name(),
                user.name
            ),
            reversible: true,
            outcome: None,
        });
    }
    if paths.iter().map(|(_, p)| *p).chain(direct).max() >= Some(Permission::Admin) {
        plan.notes.push(format!(
            "{} is an administrator: releasing the seat removes the administration rights too",
            user.name
        ));
    }
    Ok(plan)
}

fn apply(admin: &Admin<'_>, user: &DetailedUser, plan: &mut SeatRelease) -> Result<()> {
    for action in &mut plan.actions {
        let result = match action.kind {
            ReleaseKind::LeaveGroup => admin.leave(&user.name, &action.target),
            _ => admin
                .write(
                    Method::Delete,
                    ("/admin/permissions/users", &[("name", &user.name)]),
                    None,
                    &format!("revoking the global permission of {}", user.name),
                )
                .map(drop),
        };
        action.outcome = Some(match result {
            Ok(()) => ReleaseOutcome::Done,
            Err(Error::NotFound(_)) => ReleaseOutcome::AlreadyDone,
            Err(e) => ReleaseOutcome::Failed(e),
        });
    }
    plan.applied = true;
    let what = format!("checking the licence of {}", user.name);
    let still = admin.all(
        (
            "/users",
            &[("permission", "LICENSED_USER"), ("filter", &user.name)],
        ),
        &what,
        wire::user_key,
    )?;
    let licensed = still.iter().any(|(id, _)| *id == user.id);
    plan.frees_seat = Some(!licensed);
    if licensed {
        plan.notes.push(
            "Bitbucket still lists the user as licensed: a path remains (see the failed steps \
             or the user directory)"
                .into(),
        );
    }
    Ok(())
}

/// Plans (and applies, when `apply`) the release of each of `users` (ids)
/// in the instance `unit`.
pub fn release_seats(
    admin: &Admin<'_>,
    users: &[String],
    unit: &str,
    apply_them: bool,
) -> Result<Vec<SeatRelease>> {
    admin.check_scope(unit)?;
    admin.session.require_admin("releasing seats")?;
    let ids = users
        .iter()
        .map(|u| parse_id(u))
        .collect::<Result<Vec<_>>>()?;
    let granting = admin.group_permissions()?;
    let direct: Vec<(u32, Permission)> = admin
        .all(
            ("/admin/permissions/users", &[]),
            "the users' direct global permissions",
            |v| wire::grant(v, wire::user_key),
        )?
        .into_iter()
        .filter_map(|((id, _), p)| Permission::parse(&p).map(|p| (id, p)))
        .collect();
    let people = admin.users_by_id(&ids)?;
    let mut out = Vec::new();
    for (id, text) in ids.iter().zip(users) {
        let Some(user) = people.iter().find(|u| u.id == *id) else {
            out.push(SeatRelease {
                user_id: text.clone(),
                unit_id: admin.config.base(),
                actions: Vec::new(),
                frees_seat: None,
                notes: vec![format!("no user of this instance has the id {text}")],
                applied: false,
            });
            continue;
        };
        let grant = direct.iter().find(|(d, _)| d == id).map(|(_, p)| *p);
        let mut plan = plan_for(admin, user, &granting, grant)?;
        if apply_them {
            apply(admin, user, &mut plan)?;
        }
        out.push(plan);
    }
    Ok(out)
}
