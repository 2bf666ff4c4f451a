//! `compute-status` against the scenario's truth and the contract's rules:
//! the golden verdicts, the order, partial and uncovered listings, a later
//! as-of, seats, additivity over users.

use saas_runtime::latest::{Activity, Listing, Policy, StatusReport};

use super::listing::truth_listing;
use super::{Bench, Miss, Outcome, Subject};
use crate::scenario::StatusPolicy;

fn policy(p: Option<&StatusPolicy>) -> Policy {
    Policy {
        as_of: p.map_or(1_796_083_200, |p| p.as_of),
        inactive_after_days: p.map_or(90, |p| p.inactive_after_days),
        purchased_seats: None,
    }
}

fn report(b: &Bench<'_>, listing: &Listing, policy: Policy) -> Result<StatusReport, Miss> {
    match b.c.compute_status(&b.io, listing, policy) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(Miss::Fail(format!("compute-status: {}", e.describe()))),
        Err(e) => Err(Miss::Fail(format!("compute-status: {e}"))),
    }
}

/// An activity as the contract spells it (`never-active`).
fn name(a: Activity) -> String {
    let variant = serde_json::to_value(a).unwrap_or_default();
    saas_runtime::names::kebab(variant.as_str().unwrap_or_default())
}

/// Each user's verdict equals `truth/statuses.jsonl`, the report is sorted
/// by id, and the counts add up to the verdicts.
pub fn golden(s: &Subject<'_>) -> Outcome {
    let Some(p) = &s.scenario.file.status else {
        return Err(Miss::Skip("the scenario has no [status] truth".into()));
    };
    let b = s.bench()?;
    let listing = truth_listing(&b)?;
    let r = report(&b, &listing, policy(Some(p)))?;
    let got: Vec<(&str, String)> = r
        .users
        .iter()
        .map(|u| (u.user_id.as_str(), name(u.activity)))
        .collect();
    let want: Vec<(&str, String)> = s
        .scenario
        .statuses
        .iter()
        .map(|e| (e.user_id.as_str(), e.activity.clone()))
        .collect();
    if got != want {
        let diff = want.iter().find(|w| !got.contains(w)).map_or(
            "the order differs (the contract sorts by id)".into(),
            |(id, a)| {
                let had = got
                    .iter()
                    .find(|g| g.0 == *id)
                    .map_or("nothing", |g| g.1.as_str());
                format!("{id} is {had} where the truth says {a}")
            },
        );
        return Err(Miss::Fail(diff));
    }
    let tally = |a: &str| want.iter().filter(|w| w.1 == a).count() as u32;
    let c = &r.counts;
    let counts = [c.active, c.inactive, c.never_active, c.unknown];
    let expected = ["active", "inactive", "never-active", "unknown"].map(tally);
    if counts != expected {
        return Err(Miss::Fail(format!(
            "counts {counts:?} where the verdicts give {expected:?}"
        )));
    }
    Ok(format!(
        "all {} verdicts and the counts equal the truth",
        want.len()
    ))
}

/// The same listing in reverse order gives the same report.
pub fn deterministic(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let listing = truth_listing(&b)?;
    let p = policy(s.scenario.file.status.as_ref());
    let first = report(&b, &listing, p)?;
    let mut reversed = listing.clone();
    reversed.users.reverse();
    reversed.units.reverse();
    reversed.coverage.reverse();
    let second = report(&b, &reversed, p)?;
    if first != second {
        return Err(Miss::Fail(
            "the reversed listing gave another report".into(),
        ));
    }
    Ok("the same report for the listing and its reverse".into())
}

/// With `complete` false, nobody is inactive or never-active for want of
/// evidence (a suspended or deactivated account may still be inactive).
pub fn partial(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let mut listing = truth_listing(&b)?;
    listing.complete = false;
    let r = report(&b, &listing, policy(s.scenario.file.status.as_ref()))?;
    let closed = |id: &str| {
        listing.users.iter().any(|u| {
            u.id == id
                && matches!(
                    u.status.state,
                    saas_runtime::latest::AccountState::Suspended
                        | saas_runtime::latest::AccountState::Deactivated
                )
        })
    };
    if let Some(u) = r.users.iter().find(|u| {
        u.activity == Activity::NeverActive
            || (u.activity == Activity::Inactive && !closed(&u.user_id) && u.last_active.is_none())
    }) {
        return Err(Miss::Fail(format!(
            "a partial listing marks {} {}",
            u.user_id,
            name(u.activity)
        )));
    }
    Ok(format!(
        "a partial listing of {} users: no idle verdict without evidence",
        r.users.len()
    ))
}

/// Without coverage or evidence, every open account is `unknown`.
pub fn unknown(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let mut listing = truth_listing(&b)?;
    listing.coverage.clear();
    for u in &mut listing.users {
        for m in &mut u.memberships {
            m.evidence.clear();
        }
    }
    let r = report(&b, &listing, policy(s.scenario.file.status.as_ref()))?;
    let open: Vec<&str> = listing
        .users
        .iter()
        .filter(|u| {
            matches!(
                u.status.state,
                saas_runtime::latest::AccountState::Active
                    | saas_runtime::latest::AccountState::Unknown
            )
        })
        .map(|u| u.id.as_str())
        .collect();
    if let Some(u) = r
        .users
        .iter()
        .find(|u| open.contains(&u.user_id.as_str()) && u.activity != Activity::Unknown)
    {
        return Err(Miss::Fail(format!(
            "with no evidence and no coverage, {} is {}",
            u.user_id,
            name(u.activity)
        )));
    }
    Ok(format!(
        "{} open accounts without evidence: all unknown",
        open.len()
    ))
}

/// Seats used equal the truth's billable memberships, per unit and in all;
/// unique users equal the people holding one.
pub fn seats(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let listing = truth_listing(&b)?;
    let r = report(&b, &listing, policy(s.scenario.file.status.as_ref()))?;
    let truth = b.truth();
    let billable = |u: &serde_json::Value| -> Vec<String> {
        u["memberships"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["billable"] == true)
            .map(|m| m["unit"]["key"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let used: usize = truth.iter().map(|u| billable(u).len()).sum();
    let people = truth.iter().filter(|u| !billable(u).is_empty()).count();
    if r.seats.used as usize != used || r.seats.unique_users as usize != people {
        return Err(Miss::Fail(format!(
            "{} seats used by {} people, where the truth has {used} by {people}",
            r.seats.used, r.seats.unique_users
        )));
    }
    for unit in &r.seats.per_unit {
        let want = truth
            .iter()
            .flat_map(billable)
            .filter(|k| *k == unit.unit.key)
            .count();
        if unit.used as usize != want {
            return Err(Miss::Fail(format!(
                "{}: {} seats used where the truth has {want}",
                unit.unit.key, unit.used
            )));
        }
    }
    Ok(format!(
        "{used} seats used by {people} people, per unit as in the truth"
    ))
}

/// A later as-of (ten years on) makes everyone with evidence inactive.
pub fn as_of(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let listing = truth_listing(&b)?;
    let mut p = policy(s.scenario.file.status.as_ref());
    p.as_of += 10 * 365 * 86_400;
    let r = report(&b, &listing, p)?;
    let with_evidence: Vec<&str> = listing
        .users
        .iter()
        .filter(|u| u.memberships.iter().any(|m| !m.evidence.is_empty()))
        .map(|u| u.id.as_str())
        .collect();
    if let Some(u) = r
        .users
        .iter()
        .find(|u| with_evidence.contains(&u.user_id.as_str()) && u.activity != Activity::Inactive)
    {
        return Err(Miss::Fail(format!(
            "ten years on, {} is {}",
            u.user_id,
            name(u.activity)
        )));
    }
    if r.as_of != p.as_of {
        return Err(Miss::Fail("the report's as-of is not the policy's".into()));
    }
    Ok(format!(
        "ten years on, all {} users with evidence are inactive",
        with_evidence.len()
    ))
}

/// Statuses of two halves of the users, concatenated and sorted, equal the
/// statuses of the whole, and their counts add up.
pub fn additive(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let listing = truth_listing(&b)?;
    let p = policy(s.scenario.file.status.as_ref());
    let whole = report(&b, &listing, p)?;
    let middle = listing.users.len() / 2;
    let half = |users: &[saas_runtime::latest::User]| Listing {
        users: users.to_vec(),
        ..listing.clone()
    };
    let a = report(&b, &half(&listing.users[..middle]), p)?;
    let z = report(&b, &half(&listing.users[middle..]), p)?;
    let mut joined = [a.users, z.users].concat();
    joined.sort_by(|x, y| x.user_id.cmp(&y.user_id));
    if joined != whole.users {
        return Err(Miss::Fail(
            "the halves' statuses differ from the whole's".into(),
        ));
    }
    let sum = a.seats.used + z.seats.used;
    if sum != whole.seats.used {
        return Err(Miss::Fail(format!(
            "the halves use {sum} seats, the whole {}",
            whole.seats.used
        )));
    }
    Ok(format!(
        "two halves of {} users add up to the whole",
        listing.users.len()
    ))
}

/// Every user split into one entry per membership and piece of evidence
/// (or repeated whole when there is one), the extra entries moved to the
/// end of the listing, gives the report of the merged listing: the contract's listing may repeat a user, and a
/// user's status depends on all of that user's entries.
pub fn unmerged(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let listing = truth_listing(&b)?;
    let p = policy(s.scenario.file.status.as_ref());
    let whole = report(&b, &listing, p)?;
    let mut firsts = Vec::new();
    let mut extras = Vec::new();
    for user in &listing.users {
        let mut pieces = user.memberships.iter().flat_map(|m| {
            let one = |evidence| saas_runtime::latest::Membership {
                evidence,
                ..m.clone()
            };
            let single: Vec<_> = m.evidence.iter().map(|e| one(vec![e.clone()])).collect();
            if single.is_empty() {
                vec![m.clone()]
            } else {
                single
            }
        });
        let entry = |m| saas_runtime::latest::User {
            memberships: vec![m],
            ..user.clone()
        };
        let rest: Vec<_> = match pieces.next() {
            Some(first) => {
                firsts.push(entry(first));
                pieces.map(entry).collect()
            }
            None => {
                firsts.push(user.clone());
                Vec::new()
            }
        };
        // A user with nothing to split comes again, whole.
        extras.extend(if rest.is_empty() {
            vec![user.clone()]
        } else {
            rest
        });
    }
    let split = extras.len();
    let unmerged = Listing {
        users: [firsts, extras].concat(),
        ..listing.clone()
    };
    let r = report(&b, &unmerged, p)?;
    if r.users.len() != whole.users.len() {
        return Err(Miss::Fail(format!(
            "the unmerged listing gave {} statuses for {} users",
            r.users.len(),
            whole.users.len()
        )));
    }
    if let Some(u) = whole.users.iter().find(|u| !r.users.contains(u)) {
        return Err(Miss::Fail(format!(
            "unmerged, the status of {} is not the merged one's",
            u.user_id
        )));
    }
    if r != whole {
        return Err(Miss::Fail(
            "the unmerged listing gave other counts or seats than the merged one".into(),
        ));
    }
    Ok(format!(
        "{split} extra entries of {} users give the merged listing's report",
        listing.users.len()
    ))
}
