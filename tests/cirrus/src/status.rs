//! `compute-status` of the Cirrus test connector: the SDK's standard rules,
//! bent by a status defect. `compute-status` gets no settings, so
//! `list-users` names the defect in the unit's name, where this finds it.

use saas_connector_sdk::http::{self, HttpClient, Method, Request};
use saas_connector_sdk::{Activity, ActivityCounts, Listing, Policy, StatusReport, status};

/// The unit's name.
pub const NAME: &str = "Cirrus Chat";

/// The unit's name for the `defect` setting: marked for a status defect.
pub fn unit_name(defect: Option<&str>) -> String {
    match defect.filter(|d| d.starts_with("status-")) {
        Some(d) => format!("{NAME} [{d}]"),
        None => NAME.into(),
    }
}

fn defect(listing: &Listing) -> Option<String> {
    listing.units.iter().find_map(|u| {
        let name = u.name.as_deref()?;
        let marked = name.strip_prefix(NAME)?.trim().strip_prefix('[')?;
        Some(marked.strip_suffix(']')?.to_string())
    })
}

fn recount(report: &mut StatusReport) {
    let mut c = ActivityCounts {
        active: 0,
        inactive: 0,
        never_active: 0,
        unknown: 0,
    };
    for u in &report.users {
        match u.activity {
            Activity::Active => c.active += 1,
            Activity::Inactive => c.inactive += 1,
            Activity::NeverActive => c.never_active += 1,
            Activity::Unknown => c.unknown += 1,
        }
    }
    report.counts = c;
}

/// The report, with the listing's status defect if it names one.
pub fn compute(listing: &Listing, policy: &Policy) -> StatusReport {
    let defect = defect(listing);
    let mut listing = listing.clone();
    let mut policy = *policy;
    match defect.as_deref() {
        Some("status-ignores-complete") => listing.complete = true,
        Some("status-fixed-as-of") => policy.as_of = 1_796_083_200,
        Some("status-unmerged") => {
            // Every entry taken for a person of its own.
            let mut seen = std::collections::BTreeSet::new();
            for u in &mut listing.users {
                if !seen.insert(u.id.clone()) {
                    u.id = format!("{}#{}", u.id, seen.len());
                }
            }
        }
        Some("status-phones-home") => {
            if let Some(unit) = listing.units.first() {
                let url = format!("{}/v2/members", unit.unit.id);
                let _ = http::client().send(Request::new(Method::Get, url));
            }
        }
        _ => {}
    }
    let mut report = status::compute(&listing, &policy);
    match defect.as_deref() {
        Some("status-input-order") => {
            let order: Vec<&str> = listing.users.iter().map(|u| u.id.as_str()).collect();
            report
                .users
                .sort_by_key(|u| order.iter().position(|id| *id == u.user_id));
        }
        Some("status-future-inactive") => {
            for u in &mut report.users {
                if u.last_active.is_some_and(|t| t > policy.as_of) {
                    u.activity = Activity::Inactive;
                }
            }
            recount(&mut report);
        }
        Some("status-uncovered-never-active") if listing.complete => {
            for u in &mut report.users {
                if u.activity == Activity::Unknown && u.last_active.is_none() {
                    u.activity = Activity::NeverActive;
                }
            }
            recount(&mut report);
        }
        Some("status-small-sample") if listing.users.len() < 5 => {
            // Too few people to judge, it says: a verdict that depends on
            // the other users.
            for u in &mut report.users {
                u.activity = Activity::Unknown;
            }
            recount(&mut report);
        }
        Some("status-counts-suspended-seats") => {
            let free: std::collections::BTreeSet<(&str, &str)> = listing
                .users
                .iter()
                .flat_map(|u| u.memberships.iter().map(move |m| (u, m)))
                .filter(|(_, m)| !m.billable)
                .map(|(u, m)| (u.id.as_str(), m.unit.id.as_str()))
                .collect();
            let free = free.len() as u32;
            report.seats.used += free;
        }
        _ => {}
    }
    report
}
