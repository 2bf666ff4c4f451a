//! A finished sync (the host's listing and the connector's status report)
//! as the history's records.

use std::collections::HashMap;

use saas_runtime::latest;
use saas_runtime::listing::Listing;
use saas_runtime::names::WitSpelled;
use saas_runtime::report::Report;
use saas_runtime::roster::MembershipView;

use crate::model::{Activity, EvidenceRow, MembershipRow, RunInfo, Snapshot, UnitRow, UserRow};

/// Who ran a sync, of what, and when: what the listing itself does not say.
#[derive(Debug, Clone)]
pub struct RunMeta {
    /// What was synced (see [`RunInfo::source`]).
    pub source: String,
    /// The connector's declared name.
    pub connector: String,
    /// The connector's declared version.
    pub connector_version: String,
    /// The local account that ran it.
    pub operator: String,
    /// Unix seconds when the sync began.
    pub started_at: i64,
    /// Unix seconds when it finished.
    pub finished_at: i64,
    /// The policy's window in days.
    pub inactive_days: u32,
    /// Requests sent upstream, counted by the host's egress.
    pub requests: u64,
    /// Why the listing stopped early, masked; none when it did not.
    pub error: Option<String>,
}

fn activity(a: latest::Activity) -> Activity {
    match a {
        latest::Activity::Active => Activity::Active,
        latest::Activity::Inactive => Activity::Inactive,
        latest::Activity::NeverActive => Activity::NeverActive,
        latest::Activity::Unknown => Activity::Unknown,
    }
}

fn membership(m: MembershipView<'_>) -> MembershipRow {
    MembershipRow {
        unit_id: m.unit_id().to_string(),
        role: m.role().map(String::from),
        level: m.level().map(|l| l.wit().to_string()),
        billable: m.billable(),
        billable_reason: m.billable_reason().to_string(),
        added_at: m.added_at(),
        evidence_gap: m.evidence_gap().map(String::from),
        evidence: m
            .evidence()
            .map(|e| EvidenceRow {
                source: e.source.to_string(),
                kind: e.kind.wit().to_string(),
                at: e.at,
            })
            .collect(),
    }
}

/// Every user of the listing as the history's row, with the report's
/// verdict (a user the report leaves out is `unknown`, saying so), made
/// one at a time from the roster in place.
pub fn user_rows<'a>(
    listing: &'a Listing,
    report: &'a Report,
) -> impl Iterator<Item = UserRow> + 'a {
    let mut verdicts = report.users.cursor();
    listing.users.views().map(move |u| {
        let v = verdicts.view(u.id());
        UserRow {
            id: u.id().to_string(),
            account_id: u.account_id().map(String::from),
            username: u.username().map(String::from),
            display_name: u.display_name().map(String::from),
            email: u.email().map(String::from),
            account_state: u.state().wit().to_string(),
            upstream_status: u.upstream_status().map(String::from),
            mfa_enabled: u.mfa_enabled(),
            created_at: u.created_at(),
            activity: v.map_or(Activity::Unknown, |s| activity(s.activity)),
            reason: v.map_or_else(
                || "the connector's report gave no verdict".to_string(),
                |s| s.reason.to_string(),
            ),
            last_active: v.and_then(|s| s.last_active),
            last_active_source: v.and_then(|s| s.last_active_source).map(String::from),
            memberships: u.memberships().map(membership).collect(),
        }
    })
}

impl Snapshot {
    /// A finished sync as a run to store: every user of the listing with
    /// the report's verdict (a user the report leaves out is `unknown`,
    /// saying so), every unit with its seats.
    pub fn from_sync(meta: RunMeta, listing: &Listing, report: &Report) -> Snapshot {
        Snapshot {
            users: user_rows(listing, report).collect(),
            ..Snapshot::outline(meta, listing, report)
        }
    }

    /// The run, its units and its coverage, without its users: what a run
    /// needs beside [`user_rows`] to be recorded with
    /// [`crate::History::record_users`] (no copy of every user at once).
    pub fn outline(meta: RunMeta, listing: &Listing, report: &Report) -> Snapshot {
        let names: HashMap<&str, &latest::BillingUnit> = listing
            .units
            .iter()
            .map(|u| (u.unit.id.as_str(), u))
            .collect();
        let units = report
            .seats
            .per_unit
            .iter()
            .map(|s| UnitRow {
                id: s.unit.id.clone(),
                kind: s.unit.kind.wit().to_string(),
                key: s.unit.key.clone(),
                name: names.get(s.unit.id.as_str()).and_then(|u| u.name.clone()),
                used: s.used,
                purchased: s.purchased,
                reported_used: s.reported_used,
                non_billable: s.non_billable,
                idle: s.idle,
                admins: s.admins.len() as u32,
                covered_by: s.covered_by.clone(),
            })
            .collect();
        let c = &report.counts;
        let run = RunInfo {
            id: 0,
            source: meta.source,
            connector: meta.connector,
            connector_version: meta.connector_version,
            operator: meta.operator,
            started_at: meta.started_at,
            finished_at: meta.finished_at,
            as_of: report.as_of,
            inactive_days: meta.inactive_days,
            complete: listing.complete,
            error: meta.error,
            seats_used: report.seats.used,
            seats_purchased: report.seats.purchased,
            seats_idle: report.seats.per_unit.iter().map(|u| u.idle).sum(),
            people: report.reconciliation.unique_users,
            memberships: report.reconciliation.membership_sum,
            active: c.active,
            inactive: c.inactive,
            never_active: c.never_active,
            unknown: c.unknown,
            requests: meta.requests,
            steps: listing.stats.steps,
            elapsed_ms: listing.stats.elapsed_ms,
        };
        Snapshot {
            run,
            units,
            users: Vec::new(),
            coverage: listing
                .coverage
                .iter()
                .map(|c| (c.source.clone(), c.unit_id.clone()))
                .collect(),
        }
    }
}
