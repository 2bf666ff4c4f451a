//! A 0.1.0 component's results in the latest types, and the latest listing
//! as the users its `compute-status` takes. A 0.1.0 workspace is a billing
//! unit of kind `workspace`; a membership's `last-accessed` is evidence from
//! the source `<connector>-permissions`; every membership holds a seat, as
//! 0.1.0 counts them.

use std::collections::BTreeSet;

use super::exports::saas::connector::connector as c;
use super::saas::connector::types as t;
use super::{
    ConnectorError, Group, GroupMember, GroupRef, GroupUpdate, Membership, User, Workspace,
};
use crate::values::Page;
use crate::wit::latest;

/// Why a 0.1.0 membership is billable.
const BILLABLE: &str =
    "every workspace member holds a seat (contract 0.1.0 counts one per membership)";

/// The evidence source of a 0.1.0 connector's `last-accessed` dates.
pub fn source(connector: &str) -> String {
    format!("{connector}-permissions")
}

fn unit(slug: String, id: String) -> latest::UnitRef {
    latest::UnitRef {
        kind: latest::UnitKind::Workspace,
        id: if id.is_empty() { slug.clone() } else { id },
        key: slug,
    }
}

fn role(r: t::Role) -> (&'static str, latest::AccessLevel) {
    match r {
        t::Role::Owner => ("owner", latest::AccessLevel::Owner),
        t::Role::Collaborator => ("collaborator", latest::AccessLevel::Elevated),
        t::Role::Member => ("member", latest::AccessLevel::Member),
    }
}

fn membership(m: Membership, source: &str) -> latest::Membership {
    latest::Membership {
        unit: unit(m.workspace, m.workspace_id),
        role: m.role.map(|r| role(r).0.to_string()),
        level: m.role.map(|r| role(r).1),
        billable: true,
        billable_reason: BILLABLE.into(),
        added_at: m.added_on,
        evidence: m
            .last_accessed
            .map(|at| latest::Evidence {
                source: source.to_string(),
                kind: latest::EvidenceKind::Unspecified,
                at,
            })
            .into_iter()
            .collect(),
        evidence_gap: None,
    }
}

fn account_status(upstream: Option<String>) -> latest::AccountStatus {
    let state = match upstream.as_deref() {
        None => latest::AccountState::Unknown,
        Some(s) if s.eq_ignore_ascii_case("active") => latest::AccountState::Active,
        Some(_) => latest::AccountState::Deactivated,
    };
    latest::AccountStatus { upstream, state }
}

/// A 0.1.0 user in the latest model.
pub fn user(u: User, source: &str) -> latest::User {
    latest::User {
        id: u.id,
        account_id: u.account_id,
        email: None,
        display_name: u.display_name,
        username: u.nickname.or(u.username),
        status: account_status(u.account_status),
        mfa_enabled: u.has_2fa_enabled,
        created_at: u.created_on,
        memberships: u
            .memberships
            .into_iter()
            .map(|m| membership(m, source))
            .collect(),
    }
}

fn billing_unit(w: Workspace) -> latest::BillingUnit {
    latest::BillingUnit {
        unit: unit(w.slug, w.id),
        name: w.name,
        created_at: w.created_on,
        seats: None,
    }
}

/// A 0.1.0 step of a listing. Units whose members carry dates are covered
/// by the permissions source, as 0.1.0's own rules decide "reports activity".
pub fn page(p: c::UserPage, connector: &str) -> Page {
    let source = source(connector);
    let users: Vec<latest::User> = p.users.into_iter().map(|u| user(u, &source)).collect();
    let covered: BTreeSet<&str> = users
        .iter()
        .flat_map(|u| &u.memberships)
        .filter(|m| !m.evidence.is_empty())
        .map(|m| m.unit.id.as_str())
        .collect();
    let coverage = covered
        .into_iter()
        .map(|unit_id| latest::Coverage {
            source: source.clone(),
            unit_id: unit_id.to_string(),
        })
        .collect();
    Page {
        coverage,
        users,
        units: p.workspaces.into_iter().map(billing_unit).collect(),
        next_cursor: p.next_cursor,
        progress: latest::ListingProgress {
            units_done: p.progress.workspaces_done,
            units_total: p.progress.workspaces_total,
            memberships_listed: p.progress.memberships_listed,
            memberships_total: p.progress.memberships_total,
        },
        session: p.session.map(crate::values::Session::V0_1_0),
        stats: latest::PageStats {
            requests: p.stats.requests,
            duplicates_dropped: p.stats.duplicates_dropped,
        },
    }
}

impl From<ConnectorError> for latest::ConnectorError {
    fn from(e: ConnectorError) -> Self {
        use latest::ConnectorError as L;
        match e {
            ConnectorError::InvalidCredentials(m) => L::InvalidCredentials(m),
            ConnectorError::InsufficientScope(s) => L::InsufficientScope(latest::ScopeError {
                required: s.required,
                granted: s.granted,
                message: s.message,
            }),
            ConnectorError::RateLimited(r) => L::RateLimited(latest::RateLimit {
                retry_after: r.retry_after,
                message: r.message,
            }),
            ConnectorError::NotFound(m) => L::NotFound(m),
            ConnectorError::Upstream(u) => L::Upstream(latest::UpstreamError {
                status: u.status,
                message: u.message,
            }),
            ConnectorError::MalformedResponse(m) => L::MalformedResponse(m),
            ConnectorError::Pagination(m) => L::Pagination(m),
            ConnectorError::Transport(m) => L::Transport(m),
            ConnectorError::DeniedByHost(m) => L::DeniedByHost(m),
            ConnectorError::InvalidConfig(m) => L::InvalidConfig(m),
            ConnectorError::InvalidCursor(m) => L::InvalidCursor(m),
            ConnectorError::Unsupported(m) => L::Unsupported(m),
        }
    }
}

/// The latest users as 0.1.0's `compute-status` takes them (the inverse of
/// [`user`] for users that came from a 0.1.0 component).
pub fn users_for_status(listing: &latest::Listing) -> Vec<User> {
    let role = |level: Option<latest::AccessLevel>| {
        level.map(|l| match l {
            latest::AccessLevel::Owner | latest::AccessLevel::Admin => t::Role::Owner,
            latest::AccessLevel::Elevated => t::Role::Collaborator,
            latest::AccessLevel::Member | latest::AccessLevel::Guest => t::Role::Member,
        })
    };
    listing
        .users
        .iter()
        .map(|u| User {
            id: u.id.clone(),
            account_id: u.account_id.clone(),
            nickname: u.username.clone(),
            display_name: u.display_name.clone(),
            username: None,
            website: None,
            account_status: u.status.upstream.clone(),
            has_2fa_enabled: u.mfa_enabled,
            created_on: u.created_at,
            memberships: u
                .memberships
                .iter()
                .filter(|m| m.billable)
                .map(|m| Membership {
                    workspace: m.unit.key.clone(),
                    workspace_id: m.unit.id.clone(),
                    role: role(m.level),
                    added_on: m.added_at,
                    last_accessed: m.evidence.iter().map(|e| e.at).max(),
                    source: if m.level.is_some() {
                        t::MembershipSource::Permissions
                    } else {
                        t::MembershipSource::Members
                    },
                })
                .collect(),
        })
        .collect()
}

/// A 0.1.0 status report in the latest model; unit ids come from the
/// listing's units (a 0.1.0 report names workspaces by slug only).
pub fn report(
    r: c::StatusReport,
    listing: &latest::Listing,
    connector: &str,
) -> latest::StatusReport {
    let source = source(connector);
    let unit_of = |slug: String| {
        listing
            .units
            .iter()
            .map(|u| &u.unit)
            .find(|u| u.key == slug)
            .cloned()
            .unwrap_or_else(|| unit(slug, String::new()))
    };
    let activity = |a: c::Activity| match a {
        c::Activity::Active => latest::Activity::Active,
        c::Activity::Inactive => latest::Activity::Inactive,
        c::Activity::NeverActive => latest::Activity::NeverActive,
        c::Activity::Unknown => latest::Activity::Unknown,
    };
    let l = r.licences;
    latest::StatusReport {
        as_of: r.as_of,
        users: r
            .users
            .into_iter()
            .map(|s| latest::UserStatus {
                user_id: s.user_id,
                display_name: s.display_name,
                email: None,
                activity: activity(s.activity),
                reason: s.reason,
                last_active_source: s.last_login.map(|_| source.clone()),
                last_active: s.last_login,
                units: s.workspaces,
                mfa_enabled: s.has_2fa_enabled,
            })
            .collect(),
        counts: latest::ActivityCounts {
            active: r.counts.active,
            inactive: r.counts.inactive,
            never_active: r.counts.never_active,
            unknown: r.counts.unknown,
        },
        seats: latest::SeatSummary {
            purchased: l.purchased,
            used: l.used,
            unused: l.unused,
            used_exceeds_purchased: l.over_purchased,
            unique_users: l.unique_users,
            per_unit: l
                .per_workspace
                .into_iter()
                .map(|w| latest::UnitSeats {
                    unit: unit_of(w.workspace),
                    used: w.used_seats,
                    purchased: None,
                    reported_used: None,
                    non_billable: 0,
                    admins: w.owners,
                    idle: w.idle_seats,
                    covered_by: if w.reports_activity {
                        vec![source.clone()]
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
        },
        reconciliation: latest::Reconciliation {
            membership_sum: r.reconciliation.membership_sum,
            unique_users: r.reconciliation.unique_users,
            multi_unit_users: r.reconciliation.multi_workspace_users,
            extra_memberships: r.reconciliation.extra_memberships,
        },
        mfa: latest::MfaCoverage {
            enabled: r.two_factor.enabled,
            disabled: r.two_factor.disabled,
            unknown: r.two_factor.unknown,
        },
    }
}

/// The id the host gives a 0.1.0 group: `workspace/slug`.
pub fn group_id(r: &GroupRef) -> String {
    format!("{}/{}", r.workspace, r.slug)
}

/// A group id of [`group_id`]'s form, as a 0.1.0 group reference.
pub fn group_ref(id: &str) -> Result<GroupRef, latest::ConnectorError> {
    match id.split_once('/') {
        Some((workspace, slug)) if !workspace.is_empty() && !slug.is_empty() => Ok(GroupRef {
            workspace: workspace.into(),
            slug: slug.into(),
        }),
        _ => Err(latest::ConnectorError::InvalidConfig(format!(
            "{id:?} is not a group id of the form workspace/slug"
        ))),
    }
}

fn permission_name(p: t::GroupPermission) -> &'static str {
    match p {
        t::GroupPermission::Read => "read",
        t::GroupPermission::Write => "write",
        t::GroupPermission::Admin => "admin",
    }
}

/// A 0.1.0 group member in the latest model.
pub fn member(m: GroupMember) -> latest::GroupMember {
    latest::GroupMember {
        user_id: m.id,
        account_id: m.account_id,
        display_name: m.display_name,
        email: None,
    }
}

/// A 0.1.0 group in the latest model.
pub fn group(g: Group) -> latest::Group {
    latest::Group {
        id: group_id(&g.ref_),
        scope: g.ref_.workspace,
        name: g.name,
        permission: g.permission.map(|p| permission_name(p).to_string()),
        auto_add: Some(g.auto_add),
        writable: None,
        members: g.members.into_iter().map(member).collect(),
    }
}

/// A latest group update in 0.1.0 terms: the permission must be one of
/// `read`, `write` or `admin`.
pub fn update(u: &latest::GroupUpdate) -> Result<GroupUpdate, latest::ConnectorError> {
    let permission = match u.permission.as_deref() {
        None => None,
        Some("read") => Some(t::GroupPermission::Read),
        Some("write") => Some(t::GroupPermission::Write),
        Some("admin") => Some(t::GroupPermission::Admin),
        Some(other) => {
            return Err(latest::ConnectorError::InvalidConfig(format!(
                "{other:?} is not a permission of contract 0.1.0 (read, write or admin)"
            )));
        }
    };
    Ok(GroupUpdate {
        name: u.name.clone(),
        permission,
        auto_add: u.auto_add,
    })
}
