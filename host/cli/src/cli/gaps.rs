//! Why users are unknown: the evidence gaps connectors name on memberships
//! ("the workspace reports no dates: add an org API key"), grouped so that
//! the run summary says how many users each gap leaves unknown, in which
//! units, and what would fix it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use saas_runtime::latest::{Activity, StatusReport};
use saas_runtime::listing::Listing;
use serde::Serialize;

/// One gap and whom it leaves unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The connector's sentence: why, and what would fix it.
    pub reason: String,
    /// Unknown users whose memberships have this gap.
    pub users: usize,
    /// The units (keys) where it applies, sorted.
    pub units: BTreeSet<String>,
}

/// The gaps behind the report's unknown users, most users first.
pub fn unknown(listing: &Listing, report: &StatusReport) -> Vec<Gap> {
    let users: HashMap<&str, _> = listing.users.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut gaps: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<String>)> = BTreeMap::new();
    for s in report
        .users
        .iter()
        .filter(|s| s.activity == Activity::Unknown)
    {
        let Some(user) = users.get(s.user_id.as_str()) else {
            continue;
        };
        for m in &user.memberships {
            if let Some(gap) = m.evidence_gap.as_deref() {
                let entry = gaps.entry(gap).or_default();
                entry.0.insert(&user.id);
                entry.1.insert(m.unit.key.clone());
            }
        }
    }
    let mut out: Vec<Gap> = gaps
        .into_iter()
        .map(|(reason, (users, units))| Gap {
            reason: reason.to_string(),
            users: users.len(),
            units,
        })
        .collect();
    out.sort_by(|a, b| b.users.cmp(&a.users).then_with(|| a.reason.cmp(&b.reason)));
    out
}

/// The gaps as lines for people.
pub fn lines(gaps: &[Gap]) -> Vec<String> {
    gaps.iter()
        .map(|g| {
            let units: Vec<&str> = g.units.iter().map(String::as_str).collect();
            format!(
                "{} user{} unknown in {}: {}",
                g.users,
                if g.users == 1 { "" } else { "s" },
                units.join(", "),
                g.reason
            )
        })
        .collect()
}
