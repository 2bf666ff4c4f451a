//! Host-side bindings of the `saas:connector` contract, generated from `wit/`.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "saas-connector",
    additional_derives: [serde::Serialize, serde::Deserialize],
});

pub use exports::saas::connector::connector::{
    Activity, ActivityCounts, Capability, ConnectorInfo, LicenceSummary, ListingProgress,
    PageStats, Policy, Reconciliation, StatusReport, TwoFactorCoverage, UserPage, UserStatus,
    WorkspaceLicences,
};
pub use saas::connector::types::{
    ApiToken, AppPassword, AuthMode, Config, ConnectorError, Credentials, Group, GroupMember,
    GroupPermission, GroupRef, GroupUpdate, Membership, MembershipSource, OauthClient, OauthCode,
    OauthRefresh, RateLimit, Role, ScopeError, Session, TokenType, UpstreamError, User, Workspace,
};

/// The contract version this host implements.
pub const CONTRACT_VERSION: &str = "0.1.0";

/// The WIT package, concatenated into one document (for checks and `inspect`).
pub const WIT_SOURCE: &str = concat!(
    include_str!("../../wit/world.wit"),
    "\n",
    include_str!("../../wit/types.wit"),
    "\n",
    include_str!("../../wit/http.wit"),
    "\n",
    include_str!("../../wit/log.wit"),
    "\n",
    include_str!("../../wit/connector.wit"),
    "\n",
    include_str!("../../wit/groups.wit"),
);

impl ConnectorError {
    /// The error as one readable sentence.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let _ = self.write_to(&mut out);
        out
    }

    fn write_to(&self, f: &mut String) -> std::fmt::Result {
        use std::fmt::Write as _;
        match self {
            ConnectorError::InvalidCredentials(m) => write!(f, "invalid credentials: {m}"),
            ConnectorError::InsufficientScope(s) => {
                write!(f, "insufficient scope: {}", s.message)?;
                if !s.required.is_empty() {
                    write!(f, " (required: {})", s.required.join(", "))?;
                }
                Ok(())
            }
            ConnectorError::RateLimited(r) => match r.retry_after {
                Some(s) => write!(f, "rate limited (retry after {s} s): {}", r.message),
                None => write!(f, "rate limited: {}", r.message),
            },
            ConnectorError::NotFound(m) => write!(f, "not found: {m}"),
            ConnectorError::Upstream(u) => write!(f, "upstream error {}: {}", u.status, u.message),
            ConnectorError::MalformedResponse(m) => write!(f, "malformed response: {m}"),
            ConnectorError::Pagination(m) => write!(f, "pagination error: {m}"),
            ConnectorError::Transport(m) => write!(f, "transport error: {m}"),
            ConnectorError::DeniedByHost(m) => write!(f, "denied by host: {m}"),
            ConnectorError::InvalidConfig(m) => write!(f, "invalid config: {m}"),
            ConnectorError::InvalidCursor(m) => write!(f, "invalid cursor: {m}"),
            ConnectorError::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl ConnectorError {
    /// A short stable name of the case, for reports and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            ConnectorError::InvalidCredentials(_) => "invalid-credentials",
            ConnectorError::InsufficientScope(_) => "insufficient-scope",
            ConnectorError::RateLimited(_) => "rate-limited",
            ConnectorError::NotFound(_) => "not-found",
            ConnectorError::Upstream(_) => "upstream",
            ConnectorError::MalformedResponse(_) => "malformed-response",
            ConnectorError::Pagination(_) => "pagination",
            ConnectorError::Transport(_) => "transport",
            ConnectorError::DeniedByHost(_) => "denied-by-host",
            ConnectorError::InvalidConfig(_) => "invalid-config",
            ConnectorError::InvalidCursor(_) => "invalid-cursor",
            ConnectorError::Unsupported(_) => "unsupported",
        }
    }
}

// The type is generated, so `#[derive(Default)]` cannot be added to it.
#[allow(clippy::derivable_impls)]
impl Default for Config {
    fn default() -> Self {
        Config {
            api_base_url: None,
            token_url: None,
            page_size: None,
            include_workspaces: Vec::new(),
            exclude_workspaces: Vec::new(),
            max_requests_per_step: None,
        }
    }
}
