//! `compute-status`: activity verdicts, seats and reconciliation. Pure and
//! deterministic: the output depends only on the users and the policy, and
//! every list in it is sorted.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Role, Timestamp, User};

/// Inputs besides the users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// When statuses are computed.
    pub as_of: Timestamp,
    /// Days without access after which a user is inactive.
    pub inactive_after_days: u32,
    /// Seats bought.
    pub purchased_seats: Option<u32>,
    /// Whether the listing was complete.
    pub listing_complete: bool,
}

/// A verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Activity {
    /// Recently accessed.
    Active,
    /// Not accessed within the threshold, or account not active.
    Inactive,
    /// The workspace tracks access but this user never accessed.
    NeverActive,
    /// No evidence.
    Unknown,
}

impl Activity {
    /// Whether the seat is idle (a reclamation candidate).
    pub fn is_idle(self) -> bool {
        matches!(self, Activity::Inactive | Activity::NeverActive)
    }
}

/// One user's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStatus {
    /// User id.
    pub user_id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Verdict.
    pub activity: Activity,
    /// Why.
    pub reason: String,
    /// Latest access.
    pub last_login: Option<Timestamp>,
    /// Workspace slugs, sorted.
    pub workspaces: Vec<String>,
    /// 2FA.
    pub has_2fa_enabled: Option<bool>,
}

/// Seats of one workspace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkspaceLicences {
    /// Slug.
    pub workspace: String,
    /// Members.
    pub used_seats: u32,
    /// Owner ids, sorted.
    pub owners: Vec<String>,
    /// Collaborators.
    pub collaborators: u32,
    /// Idle members.
    pub idle_seats: u32,
    /// Whether the workspace reports access dates.
    pub reports_activity: bool,
}

/// Seats over all workspaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceSummary {
    /// Bought.
    pub purchased: Option<u32>,
    /// Used (one per membership).
    pub used: u32,
    /// Bought minus used.
    pub unused: Option<u32>,
    /// Used exceeds bought.
    pub over_purchased: bool,
    /// Distinct seat holders.
    pub unique_users: u32,
    /// Per workspace.
    pub per_workspace: Vec<WorkspaceLicences>,
}

/// Memberships against people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconciliation {
    /// Sum of members.
    pub membership_sum: u32,
    /// Distinct users.
    pub unique_users: u32,
    /// Users in more than one workspace.
    pub multi_workspace_users: u32,
    /// `membership_sum - unique_users`.
    pub extra_memberships: u32,
}

/// Users per verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActivityCounts {
    /// Active.
    pub active: u32,
    /// Inactive.
    pub inactive: u32,
    /// Never active.
    pub never_active: u32,
    /// Unknown.
    pub unknown: u32,
}

/// Two-factor coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TwoFactor {
    /// On.
    pub enabled: u32,
    /// Off.
    pub disabled: u32,
    /// Unknown.
    pub unknown: u32,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// As of.
    pub as_of: Timestamp,
    /// Per user, sorted by id.
    pub users: Vec<UserStatus>,
    /// Counts.
    pub counts: ActivityCounts,
    /// Seats.
    pub licences: LicenceSummary,
    /// Reconciliation.
    pub reconciliation: Reconciliation,
    /// 2FA.
    pub two_factor: TwoFactor,
}

/// Merges users with the same id (memberships by workspace, first wins), so
/// the report holds whether or not the host merged pages.
fn merged(users: &[User]) -> BTreeMap<&str, (&User, BTreeMap<&str, &crate::model::Membership>)> {
    let mut out: BTreeMap<&str, (&User, BTreeMap<&str, &crate::model::Membership>)> =
        BTreeMap::new();
    for user in users {
        let entry = out
            .entry(user.id.as_str())
            .or_insert_with(|| (user, BTreeMap::new()));
        for m in &user.memberships {
            entry.1.entry(m.workspace.as_str()).or_insert(m);
        }
    }
    out
}

fn date(t: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| d.date().to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// Computes the report.
pub fn compute(users: &[User], policy: &Policy) -> StatusReport {
    let users = merged(users);
    // A workspace "reports activity" when any of its members has a date.
    let reporting: BTreeSet<&str> = users
        .values()
        .flat_map(|(_, ms)| ms.values())
        .filter(|m| m.last_accessed.is_some())
        .map(|m| m.workspace.as_str())
        .collect();
    let threshold = i64::from(policy.inactive_after_days) * 86_400;

    let mut statuses = Vec::with_capacity(users.len());
    let mut counts = ActivityCounts::default();
    let mut two_factor = TwoFactor::default();
    let mut per_ws: BTreeMap<&str, WorkspaceLicences> = BTreeMap::new();
    let mut membership_sum = 0u32;
    let mut multi = 0u32;

    for (id, (user, memberships)) in &users {
        let last_login = memberships.values().filter_map(|m| m.last_accessed).max();
        let (mut activity, mut reason) = match (&user.account_status, last_login) {
            (Some(s), _) if !s.eq_ignore_ascii_case("active") => {
                (Activity::Inactive, format!("account status is {s:?}"))
            }
            (_, Some(last)) if policy.as_of - last <= threshold => (
                Activity::Active,
                format!(
                    "last access {} is within {} days",
                    date(last),
                    policy.inactive_after_days
                ),
            ),
            (_, Some(last)) => (
                Activity::Inactive,
                format!(
                    "last access {} is over {} days old",
                    date(last),
                    policy.inactive_after_days
                ),
            ),
            (_, None) if memberships.keys().any(|w| reporting.contains(w)) => (
                Activity::NeverActive,
                "the workspace reports access dates but none for this user".to_string(),
            ),
            (_, None) => (
                Activity::Unknown,
                "no access dates are reported for this user's workspaces".to_string(),
            ),
        };
        if crate::defects::UNKNOWN_INACTIVE && activity == Activity::Unknown {
            activity = Activity::Inactive;
        }
        if !policy.listing_complete && activity != Activity::Active && !crate::defects::PARTIAL_IDLE
        {
            reason = format!("the listing is incomplete; would be {activity:?}: {reason}");
            activity = Activity::Unknown;
        }
        match activity {
            Activity::Active => counts.active += 1,
            Activity::Inactive => counts.inactive += 1,
            Activity::NeverActive => counts.never_active += 1,
            Activity::Unknown => counts.unknown += 1,
        }
        match user.has_2fa_enabled {
            Some(true) => two_factor.enabled += 1,
            Some(false) => two_factor.disabled += 1,
            None => two_factor.unknown += 1,
        }
        membership_sum += memberships.len() as u32;
        if memberships.len() > 1 {
            multi += 1;
        }
        for (slug, m) in memberships {
            let ws = per_ws.entry(slug).or_insert_with(|| WorkspaceLicences {
                workspace: slug.to_string(),
                reports_activity: reporting.contains(slug),
                ..Default::default()
            });
            ws.used_seats += 1;
            match m.role {
                Some(Role::Owner) => ws.owners.push(id.to_string()),
                Some(Role::Collaborator) => ws.collaborators += 1,
                _ => {}
            }
            if activity.is_idle() {
                ws.idle_seats += 1;
            }
        }
        statuses.push(UserStatus {
            user_id: id.to_string(),
            display_name: user.display_name.clone(),
            activity,
            reason,
            last_login,
            workspaces: memberships.keys().map(|s| s.to_string()).collect(),
            has_2fa_enabled: user.has_2fa_enabled,
        });
    }

    let unique = statuses.len() as u32;
    if crate::defects::NONDETERMINISTIC && !statuses.is_empty() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as usize)
            .unwrap_or(1);
        let by = nanos % statuses.len();
        statuses.rotate_left(by.max(1));
    }
    let purchased = policy.purchased_seats;
    StatusReport {
        as_of: policy.as_of,
        users: statuses,
        counts,
        licences: LicenceSummary {
            purchased,
            used: if crate::defects::MISCOUNT_SEATS {
                unique
            } else {
                membership_sum
            },
            unused: purchased.and_then(|p| p.checked_sub(membership_sum)),
            over_purchased: purchased.is_some_and(|p| membership_sum > p),
            unique_users: unique,
            per_workspace: per_ws.into_values().collect(),
        },
        reconciliation: Reconciliation {
            membership_sum,
            unique_users: unique,
            multi_workspace_users: multi,
            extra_memberships: membership_sum - unique,
        },
        two_factor,
    }
}
