//! `compute-status`: the SDK's standard rules. The only reason this module
//! exists is the deliberate defects of the conformance kit's self-test,
//! which bend the input or the output; a default build adds nothing.

use saas_connector_sdk::{Coverage, Listing, Policy, StatusReport, status};

use crate::defects;

/// Computes the report (with the enabled defects, if any).
pub fn compute(listing: &Listing, policy: &Policy) -> StatusReport {
    if !(defects::PARTIAL_IDLE
        || defects::UNKNOWN_INACTIVE
        || defects::MISCOUNT_SEATS
        || defects::NONDETERMINISTIC)
    {
        return status::compute(listing, policy);
    }
    let mut listing = listing.clone();
    if defects::PARTIAL_IDLE {
        listing.complete = true;
    }
    if defects::UNKNOWN_INACTIVE {
        // Treats every unit as covered: users without evidence become idle.
        let units = listing.users.iter().flat_map(|u| &u.memberships);
        let coverage: Vec<Coverage> = units
            .map(|m| Coverage {
                source: "assumed".into(),
                unit_id: m.unit.id.clone(),
            })
            .collect();
        listing.coverage.extend(coverage);
        for m in listing.users.iter_mut().flat_map(|u| &mut u.memberships) {
            m.evidence_gap = None;
        }
    }
    let mut report = status::compute(&listing, policy);
    if defects::MISCOUNT_SEATS {
        report.seats.used = report.seats.unique_users;
    }
    if defects::NONDETERMINISTIC && !report.users.is_empty() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as usize)
            .unwrap_or(1);
        let by = nanos % report.users.len();
        report.users.rotate_left(by.max(1));
    }
    report
}
