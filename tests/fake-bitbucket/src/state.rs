//! The server's mutable state: issued tokens, groups, the request log and
//! the fault switches.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Instant;

use crate::config::{Accounts, Faults};
use crate::seed::Dataset;

/// How a request authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// No `Authorization` header.
    None,
    /// `Bearer`.
    Bearer,
    /// `Basic`.
    Basic,
    /// Something else.
    Other,
}

/// One logged request.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Auth kind.
    pub auth: AuthKind,
    /// The raw `Authorization` header, so tests can prove where secrets went.
    pub authorization: Option<String>,
    /// Status answered.
    pub status: u16,
    /// When the request arrived, before any latency: the benchmark counts
    /// rounds of requests from it.
    pub arrived: std::time::Instant,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Client id.
    pub client: String,
    /// Unix expiry.
    pub expires_at: i64,
    /// Scopes.
    pub scopes: Vec<String>,
}

/// A refresh token the token endpoint will take.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    /// Client id.
    pub client: String,
    /// Unix time of issue (the fake's clock).
    pub issued_at: i64,
}

/// An authorization code not yet redeemed.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    /// Client id.
    pub client: String,
    /// The `redirect_uri` of the authorization request, which the exchange
    /// must repeat.
    pub redirect_uri: Option<String>,
    /// The PKCE S256 challenge, when the request carried one.
    pub challenge: Option<String>,
    /// Unix time of issue (the fake's clock).
    pub issued_at: i64,
}

/// A group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Name.
    pub name: String,
    /// Permission.
    pub permission: Option<String>,
    /// Auto-add flag.
    pub auto_add: bool,
    /// Member user indices.
    pub members: Vec<u32>,
}

/// Everything that changes while serving.
#[derive(Debug)]
pub struct Mutable {
    /// Access tokens issued.
    pub tokens: HashMap<String, Issued>,
    /// Refresh tokens: token to client id and when it was issued.
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    /// Unused authorization codes.
    pub auth_codes: HashMap<String, CodeGrant>,
    /// Seconds the fake's clock is ahead of the real one.
    pub clock_offset: i64,
    /// Whether the consent page answers `access_denied`.
    pub deny_consent: bool,
    /// Code exchanges whose PKCE verifier matched its challenge.
    pub pkce_verified: u32,
    /// Groups per (workspace slug, group slug).
    pub groups: BTreeMap<(String, String), Group>,
    /// Requests, in order.
    pub log: Vec<LoggedRequest>,
    /// API requests counted for faults.
    pub api_requests: u32,
    /// Authenticated API requests counted for token expiry.
    pub authed_requests: u32,
    /// Whether the mid-listing expiry already happened.
    pub expired_once: bool,
    /// Tokens issued born expired so far.
    pub born_expired_issued: u32,
    /// Admin API requests counted for its faults.
    pub admin_requests: u32,
    /// Admin API faults.
    pub admin_faults: crate::config::AdminFaults,
    /// Directory groups: (id, name, members as user indices).
    pub directory_groups: Vec<(String, String, Vec<u32>)>,
    /// Faults.
    pub faults: Faults,
    /// When the faults were set.
    pub faults_since: Instant,
    /// Counter for issued token names.
    pub issued: u64,
}

/// The server's whole state.
#[derive(Debug)]
pub struct State {
    /// Generated data.
    pub data: Dataset,
    /// Accepted credentials.
    pub accounts: Accounts,
    /// Access token lifetime.
    pub token_lifetime: i64,
    /// Whether listings report `size` and `page`.
    pub page_counts: bool,
    /// Whether `/2.0/workspaces` is gone.
    pub legacy_workspaces_gone: bool,
    /// Whether `/2.0/user/workspaces` is missing.
    pub user_workspaces_missing: bool,
    /// Whether refresh grants retire their refresh token.
    pub rotate_refresh_tokens: bool,
    /// Whether app passwords are refused.
    pub app_passwords_removed: bool,
    /// The Admin API's organization.
    pub admin: crate::config::AdminConfig,
    /// The Admin API's lookups, built on first use.
    pub admin_index: std::sync::OnceLock<crate::admin::Index>,
    /// The mutable part.
    pub m: Mutex<Mutable>,
}

impl Mutable {
    /// The fake's clock: real time plus what the tests advanced it by.
    pub fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp() + self.clock_offset
    }
}

impl State {
    /// Locks the mutable part (a poisoned lock is still usable: the data is
    /// plain and every writer leaves it consistent).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, Mutable> {
        self.m.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The first groups of each workspace: "developers" with a few members and
/// "administrators" with the owner.
pub fn initial_groups(data: &Dataset) -> BTreeMap<(String, String), Group> {
    let mut groups = BTreeMap::new();
    for w in &data.workspaces {
        let developers = w
            .members
            .iter()
            .skip(1)
            .step_by(3)
            .take(8)
            .map(|m| m.user)
            .collect();
        groups.insert(
            (w.slug.clone(), "developers".into()),
            Group {
                name: "Developers".into(),
                permission: Some("write".into()),
                auto_add: false,
                members: developers,
            },
        );
        groups.insert(
            (w.slug.clone(), "administrators".into()),
            Group {
                name: "Administrators".into(),
                permission: Some("admin".into()),
                auto_add: false,
                members: w.members.first().map(|m| vec![m.user]).unwrap_or_default(),
            },
        );
    }
    groups
}
