//! Checks of `compute-status`: determinism, invariants, partial listings,
//! unknown evidence.

use std::collections::BTreeSet;

use super::Outcome;
use super::kit;
use saas_runtime::latest::{AccountState, Activity, Listing, Policy, StatusReport};
use saas_runtime::{Connector, Io};

/// A complete listing of a fake whose fifth workspace reports no access dates.
fn listing(c: &Connector) -> Result<Listing, String> {
    let fake = kit::fake(5, 60)?;
    let (io, _) = kit::io(&fake);
    let merged = kit::list_all(c, &io, &kit::settings(&fake))?;
    Ok(Listing {
        users: merged.users.to_vec(),
        units: merged.units,
        coverage: merged.coverage,
        complete: true,
    })
}

fn policy() -> Policy {
    Policy {
        as_of: 1_800_000_000,
        inactive_after_days: 90,
        purchased_seats: Some(100),
    }
}

fn status(c: &Connector, listing: &Listing) -> Result<StatusReport, String> {
    match c.compute_status(&Io::deny_all(), listing, policy()) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(format!("compute-status failed: {}", e.describe())),
        Err(e) => Err(format!("compute-status: {e}")),
    }
}

/// Same input, same output, whatever the order.
pub fn deterministic(c: &Connector) -> Outcome {
    let listing = listing(c)?;
    let users = &listing.users;
    let a = status(c, &listing)?;
    let b = status(c, &listing)?;
    let mut reversed = listing.clone();
    reversed.users.reverse();
    reversed.units.reverse();
    reversed.coverage.reverse();
    let r = status(c, &reversed)?;
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
    let listing = listing(c)?;
    let users = &listing.users;
    let r = status(c, &listing)?;
    let ids: BTreeSet<&str> = r.users.iter().map(|u| u.user_id.as_str()).collect();
    let memberships: usize = users
        .iter()
        .map(|u| u.memberships.iter().filter(|m| m.billable).count())
        .sum();
    let rec = &r.reconciliation;
    let counts = r.counts.active + r.counts.inactive + r.counts.never_active + r.counts.unknown;
    let per_unit: u32 = r.seats.per_unit.iter().map(|w| w.used).sum();
    let problems: Vec<String> = [
        (ids.len() != r.users.len(), "duplicate user ids".to_string()),
        (
            r.users.len() != users.len(),
            format!("{} statuses for {} users", r.users.len(), users.len()),
        ),
        (
            r.seats.used as usize != memberships,
            format!(
                "{} used seats for {memberships} billable memberships",
                r.seats.used
            ),
        ),
        (
            per_unit != r.seats.used,
            format!("per-unit seats add up to {per_unit}, not {}", r.seats.used),
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
    let mut listing = listing(c)?;
    listing.complete = false;
    let users = &listing.users;
    let r = status(c, &listing)?;
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
    let listing = listing(c)?;
    let users = &listing.users;
    let r = status(c, &listing)?;
    // Users whose workspaces report no access dates, with an active (or absent) status.
    let no_evidence: BTreeSet<&str> = users
        .iter()
        .filter(|u| matches!(u.status.state, AccountState::Active | AccountState::Unknown))
        .filter(|u| u.memberships.iter().all(|m| m.unit.key == "workspace-004"))
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
