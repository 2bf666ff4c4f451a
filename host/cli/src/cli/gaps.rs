//! Why users are unknown: the evidence gaps connectors name on memberships
//! ("the workspace reports no dates: add an org API key"), grouped so that
//! the run summary says how many users each gap leaves unknown, in which
//! units, and what would fix it.

use std::collections::{BTreeMap, BTreeSet};

use saas_runtime::latest::Activity;
use saas_runtime::listing::Listing;
use saas_runtime::report::Report;
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
pub fn unknown(listing: &Listing, report: &Report) -> Vec<Gap> {
    // Per gap: its users, then the units where it applies; read in place,
    // and only for the unknown users.
    let mut gaps: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
    let mut verdicts = report.users.cursor();
    let unknown = listing
        .users
        .views()
        .filter(|u| verdicts.activity(u.id()) == Some(Activity::Unknown));
    for user in unknown {
        let mut counted = BTreeSet::new();
        for m in user.memberships() {
            if let Some(gap) = m.evidence_gap() {
                let entry = gaps.entry(gap).or_default();
                entry.1.insert(m.unit_key());
                if counted.insert(gap) {
                    entry.0 += 1;
                }
            }
        }
    }
    let mut out: Vec<Gap> = gaps
        .into_iter()
        .map(|(reason, (users, units))| Gap {
            reason: reason.to_string(),
            users,
            units: units.into_iter().map(String::from).collect(),
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
