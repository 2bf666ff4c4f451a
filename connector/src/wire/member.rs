//! Workspace memberships (`values[]` of `/members` and `/permissions`) and
//! the account object inside them, read from the body as typed structs with
//! lenient fields: the listing's hot path builds no `serde_json::Value`.

use serde::Deserialize;

use super::lenient::{Object, Scalar};
use super::{BILLABLE, PERMISSIONS_SOURCE, parse_time, unit};
use crate::{Error, Result};
use saas_connector_sdk::{
    AccessLevel, AccountState, AccountStatus, Evidence, EvidenceKind, Membership, Timestamp, User,
};

/// A user object (`values[].user` of members and permissions, and
/// `GET /2.0/user`), with every field optional and read leniently.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Account<'a> {
    #[serde(borrow)]
    uuid: Scalar<'a>,
    #[serde(borrow)]
    account_id: Scalar<'a>,
    #[serde(borrow)]
    account_status: Scalar<'a>,
    #[serde(borrow)]
    email: Scalar<'a>,
    #[serde(borrow)]
    display_name: Scalar<'a>,
    #[serde(borrow)]
    nickname: Scalar<'a>,
    #[serde(borrow)]
    username: Scalar<'a>,
    has_2fa_enabled: Scalar<'a>,
    #[serde(borrow)]
    created_on: Scalar<'a>,
}

impl Account<'_> {
    /// The user, without memberships. Fails only without a uuid.
    pub fn user(&self, what: &str) -> Result<User> {
        let id = self.uuid.owned().ok_or_else(|| {
            Error::MalformedResponse(format!("{what}: a member without a user uuid"))
        })?;
        let upstream = self.account_status.owned();
        // Documented as "currently the only possible value is active".
        let state = match upstream.as_deref() {
            None => AccountState::Unknown,
            Some(s) if s.eq_ignore_ascii_case("active") => AccountState::Active,
            Some(_) => AccountState::Deactivated,
        };
        Ok(User {
            id,
            account_id: self.account_id.owned(),
            email: self.email.owned(),
            display_name: self.display_name.owned(),
            username: self.nickname.owned().or_else(|| self.username.owned()),
            status: AccountStatus { upstream, state },
            mfa_enabled: self.has_2fa_enabled.flag(),
            created_at: time(&self.created_on),
            memberships: Vec::new(),
        })
    }
}

/// One workspace membership entry, as listed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberEntry<'a> {
    #[serde(borrow)]
    user: Object<Account<'a>>,
    #[serde(borrow)]
    permission: Scalar<'a>,
    #[serde(borrow)]
    added_on: Scalar<'a>,
    #[serde(borrow)]
    last_accessed: Scalar<'a>,
}

impl MemberEntry<'_> {
    /// Whether the entry carries either date as a string. An admin-managed
    /// workspace drops both from every row.
    pub fn dated(&self) -> bool {
        self.last_accessed.is_text() || self.added_on.is_text()
    }

    /// The user with this one membership of the workspace `slug` (uuid `id`).
    pub fn user(&self, slug: &str, id: &str, what: &str) -> Result<User> {
        let account =
            self.user.0.as_ref().ok_or_else(|| {
                Error::MalformedResponse(format!("{what}: an entry without a user"))
            })?;
        let mut user = account.user(what)?;
        let role = self.permission.owned();
        user.memberships.push(Membership {
            unit: unit(slug, id),
            level: role.as_deref().map(level),
            role,
            billable: true,
            billable_reason: BILLABLE.into(),
            added_at: time(&self.added_on),
            evidence: time(&self.last_accessed)
                .map(|at| Evidence {
                    source: PERMISSIONS_SOURCE.into(),
                    kind: EvidenceKind::Unspecified,
                    at,
                })
                .into_iter()
                .collect(),
            evidence_gap: None,
        });
        Ok(user)
    }
}

fn time(v: &Scalar) -> Option<Timestamp> {
    v.text().and_then(parse_time)
}

/// Bitbucket's role names, normalised. `create-project` sits between member
/// and owner; an unknown name is member-level.
fn level(role: &str) -> AccessLevel {
    match role {
        "owner" => AccessLevel::Owner,
        "create-project" | "collaborator" => AccessLevel::Elevated,
        _ => AccessLevel::Member,
    }
}
