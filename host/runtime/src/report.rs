//! A status report as the host keeps it: the contract's
//! [`StatusReport`] with its users compact ([`Verdicts`]). At a million
//! memberships the contract form's per-user strings (ids, names, emails,
//! reasons, unit keys) were the largest thing a sync held.

use crate::roster::Verdicts;
use crate::wit::latest::{ActivityCounts, MfaCoverage, Reconciliation, SeatSummary, StatusReport};

/// The result of `compute-status`, users kept compact.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// The policy's as-of time.
    pub as_of: i64,
    /// One verdict per user, sorted by id.
    pub users: Verdicts,
    /// Counts per activity.
    pub counts: ActivityCounts,
    /// Seats.
    pub seats: SeatSummary,
    /// Memberships against people.
    pub reconciliation: Reconciliation,
    /// Two-factor coverage.
    pub mfa: MfaCoverage,
}

impl Report {
    /// The report in contract form, whole.
    pub fn to_contract(&self) -> StatusReport {
        StatusReport {
            as_of: self.as_of,
            users: self.users.to_vec(),
            counts: self.counts,
            seats: self.seats.clone(),
            reconciliation: self.reconciliation,
            mfa: self.mfa,
        }
    }
}

impl From<StatusReport> for Report {
    /// The report, its users sorted by id when the connector did not.
    fn from(r: StatusReport) -> Self {
        Report {
            as_of: r.as_of,
            users: r.users.into_iter().collect(),
            counts: r.counts,
            seats: r.seats,
            reconciliation: r.reconciliation,
            mfa: r.mfa,
        }
    }
}
