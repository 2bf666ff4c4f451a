//! A Data Center user as the contract's user: its one membership of the
//! instance, with its seat, role and last authentication, or the gap that
//! says why the last authentication cannot be seen.

use crate::config::Config;
use crate::licence::{Index, Permission};
use crate::wire::DetailedUser;
use saas_connector_sdk::{
    AccountState, AccountStatus, Evidence, EvidenceKind, Membership, UnitKind, UnitRef, User,
};

/// The evidence source: Bitbucket's last successful authentication of a
/// user (web, REST or git over HTTP; what counts is Bitbucket's to say).
pub const SOURCE: &str = "last-authentication";

/// The instance as a billing unit: its base URL is the id, its host the key.
pub fn unit(config: &Config) -> UnitRef {
    UnitRef {
        kind: UnitKind::Instance,
        id: config.base(),
        key: config.host(),
    }
}

/// Why a listing without `/admin/users` has no dates.
pub const NO_DATES: &str = "this credential cannot read last logins (Bitbucket refused the \
     admin user list): give the bitbucket-dc slot an administrator's username and password";

/// A Bitbucket user as the contract's user, with its one membership.
pub fn to_user(u: &DetailedUser, index: &Index<'_>, unit: &UnitRef, gap: Option<&str>) -> User {
    let seat = index.seat(u);
    let service = u.kind.as_deref() == Some("SERVICE");
    let reason = if service {
        format!("{} (a service account)", seat.reason)
    } else {
        seat.reason
    };
    User {
        id: u.id.to_string(),
        account_id: None,
        email: u.email_address.clone().filter(|e| !e.is_empty()),
        display_name: u.display_name.clone(),
        username: Some(u.name.clone()),
        status: AccountStatus {
            upstream: Some(if u.active { "active" } else { "inactive" }.into()),
            state: if u.active {
                AccountState::Active
            } else {
                AccountState::Deactivated
            },
        },
        mfa_enabled: None,
        created_at: None,
        memberships: vec![Membership {
            unit: unit.clone(),
            role: Some(seat.permission.map_or("none", Permission::name).into()),
            level: seat.permission.map(Permission::level),
            billable: seat.billable,
            billable_reason: reason,
            added_at: None,
            evidence: u
                .last_authentication_timestamp
                .map(|ms| Evidence {
                    source: SOURCE.into(),
                    kind: EvidenceKind::Login,
                    at: ms.div_euclid(1000),
                })
                .into_iter()
                .collect(),
            evidence_gap: gap.map(String::from),
        }],
    }
}
