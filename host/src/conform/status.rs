//! Checks of `compute-status`: determinism, invariants, partial listings,
//! unknown evidence.

use std::collections::BTreeSet;

use super::Outcome;
use super::kit;
use crate::bindings::{Activity, Policy, StatusReport, User};
use crate::imports::Io;
use crate::runtime::Connector;

/// A complete listing of a fake whose fifth workspace reports no access dates.
fn users(c: &Connector) -> Result<Vec<User>, String> {
    let fake = kit::fake(5, 60)?;
    let (io, _) = kit::io(&fake);
    kit::list_all(c, &io, &kit::config(&fake))
}

fn policy(complete: bool) -> Policy {
    Policy {
        as_of: 1_800_000_000,
        inactive_after_days: 90,
        purchased_seats: Some(100),
        listing_complete: complete,
    }
}

fn status(c: &Connector, users: &[User], policy: Policy) -> Result<StatusReport, String> {
    match c.compute_status(&Io::deny_all(), users, policy) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(format!("compute-status failed: {}", e.describe())),
        Err(e) => Err(format!("compute-status: {e}")),
    }
}

/// Same input, same output, whatever the order.
pub fn deterministic(c: &Connector) -> Outcome {
    let users = users(c)?;
    let a = status(c, &users, policy(true))?;
    let b = status(c, &users, policy(true))?;
    let mut reversed = users.clone();
    reversed.reverse();
    let r = status(c, &reversed, policy(true))?;
    let json = |x: &StatusReport| serde_json::to_string(x).unwrap_or_default();
    if json(&a) != json(&b) {
        return Err("two calls with the same input differ".into());
    }
    if json(&a) != json(&r) {
        return Err("the same users in another order give another report".into());
    }
    Ok(format!(
        "{} users: identical reports over 3 calls",
        users.len()
    ))
}

/// Unique ids; seats equal memberships; reconciliation adds up.
pub fn invariants(c: &Connector) -> Outcome {
    let users = users(c)?;
    let r = status(c, &users, policy(true))?;
    let ids: BTreeSet<&str> = r.users.iter().map(|u| u.user_id.as_str()).collect();
    let memberships: usize = users.iter().map(|u| u.memberships.len()).sum();
    let rec = &r.reconciliation;
    let counts = r.counts.active + r.counts.inactive + r.counts.never_active + r.counts.unknown;
    let per_ws: u32 = r.licences.per_workspace.iter().map(|w| w.used_seats).sum();
    let problems: Vec<String> = [
        (ids.len() != r.users.len(), "duplicate user ids".to_string()),
        (
            r.users.len() != users.len(),
            format!("{} statuses for {} users", r.users.len(), users.len()),
        ),
        (
            r.licences.used as usize != memberships,
            format!(
                "{} used seats for {memberships} memberships",
                r.licences.used
            ),
        ),
        (
            per_ws != r.licences.used,
            format!(
                "per-workspace seats add up to {per_ws}, not {}",
                r.licences.used
            ),
        ),
        (
            rec.membership_sum as usize != memberships,
            "the membership sum is wrong".into(),
        ),
        (
            rec.unique_users as usize != users.len(),
            "the unique user count is wrong".into(),
        ),
        (
            rec.membership_sum != rec.unique_users + rec.extra_memberships,
            "the reconciliation does not add up".into(),
        ),
        (
            counts as usize != users.len(),
            format!("activity counts add up to {counts}"),
        ),
    ]
    .into_iter()
    .filter_map(|(bad, what)| bad.then_some(what))
    .collect();
    if problems.is_empty() {
        Ok(format!(
            "{} users, {memberships} seats, {} extra memberships: consistent",
            users.len(),
            rec.extra_memberships
        ))
    } else {
        Err(problems.join("; "))
    }
}

/// A partial listing marks nobody inactive or never-active.
pub fn partial(c: &Connector) -> Outcome {
    let users = users(c)?;
    let r = status(c, &users, policy(false))?;
    let idle = r
        .users
        .iter()
        .filter(|u| matches!(u.activity, Activity::Inactive | Activity::NeverActive))
        .count();
    if idle == 0 {
        Ok(format!(
            "{} users of a partial listing: none marked idle",
            users.len()
        ))
    } else {
        Err(format!("{idle} users marked idle on a partial listing"))
    }
}

/// Users with no evidence are unknown, never inactive.
pub fn unknown(c: &Connector) -> Outcome {
    let users = users(c)?;
    let r = status(c, &users, policy(true))?;
    // Users whose workspaces report no access dates, with an active (or absent) status.
    let no_evidence: BTreeSet<&str> = users
        .iter()
        .filter(|u| u.account_status.as_deref().is_none_or(|s| s == "active"))
        .filter(|u| u.memberships.iter().all(|m| m.workspace == "workspace-004"))
        .map(|u| u.id.as_str())
        .collect();
    if no_evidence.is_empty() {
        return Err("the fixture has no user without evidence".into());
    }
    let wrong: Vec<&str> = r
        .users
        .iter()
        .filter(|s| no_evidence.contains(s.user_id.as_str()) && s.activity != Activity::Unknown)
        .map(|s| s.user_id.as_str())
        .collect();
    if wrong.is_empty() {
        Ok(format!(
            "{} users without access dates: all unknown",
            no_evidence.len()
        ))
    } else {
        Err(format!(
            "{} of {} users without evidence got a verdict (e.g. {})",
            wrong.len(),
            no_evidence.len(),
            wrong[0]
        ))
    }
}
