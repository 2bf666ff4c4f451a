//! Contract 0.2.0, the latest: its bindings are the host's own types.
//! Results of older versions are converted into these.

use semver::Version;

/// The first version this module runs.
pub const MIN_VERSION: Version = Version::new(0, 2, 0);

wasmtime::component::bindgen!({
    path: "../../wit/v0.2.0",
    world: "saas-connector",
    additional_derives: [serde::Serialize, PartialEq],
});

pub use exports::saas::connector::connector::{
    Activity, ActivityCounts, Capability, ConnectorInfo, Listing, ListingProgress, MfaCoverage,
    PageStats, Policy, Reconciliation, RequestBudgets, SeatSummary, StatusReport, UnitSeats,
    UserPage, UserStatus,
};
pub use exports::saas::connector::seats::{
    ReleaseAction, ReleaseKind, ReleaseOutcome, SeatRelease,
};
pub use saas::connector::access::{
    BasicAuth, ConsentFlow, Credential, CredentialField, CredentialKind, CredentialSlot,
    FieldAlias, FieldSpec, OauthClient, OauthCode, OauthRefresh, RenewedField, Session, Setting,
    SettingSpec, SettingType, SettingValue, SlotCredential,
};
pub use saas::connector::http::{HttpError, Method, Request, Response};
pub use saas::connector::log::{Level, Progress};
pub use saas::connector::types::{
    AccessLevel, AccountState, AccountStatus, BillingUnit, ConnectorError, Coverage, Evidence,
    EvidenceKind, Group, GroupMember, GroupUpdate, Membership, RateLimit, ReadOnlyError,
    ScopeError, SeatFacts, UnitKind, UnitRef, UpstreamError, User,
};

/// The WIT package, concatenated into one document (for checks and `inspect`).
pub const WIT_SOURCE: &str = concat!(
    include_str!("../../../../wit/v0.2.0/world.wit"),
    "\n",
    include_str!("../../../../wit/v0.2.0/types.wit"),
    "\n",
    include_str!("../../../../wit/v0.2.0/access.wit"),
    "\n",
    include_str!("../../../../wit/v0.2.0/http.wit"),
    "\n",
    include_str!("../../../../wit/v0.2.0/log.wit"),
    "\n",
    include_str!("../../../../wit/v0.2.0/connector.wit"),
    "\n",
    include_str!("../../../../wit/v0.2.0/groups.wit"),
    "\n",
    include_str!("../../../../wit/v0.2.0/seats.wit"),
);

impl ConnectorError {
    /// The error as one readable sentence: its kind, then the detail.
    pub fn describe(&self) -> String {
        let detail = match self {
            ConnectorError::InsufficientScope(s) if !s.required.is_empty() => {
                format!("{} (required: {})", s.message, s.required.join(", "))
            }
            ConnectorError::InsufficientScope(s) => s.message.clone(),
            ConnectorError::ReadOnly(r) => format!("{}; {}", r.reason, r.hint),
            ConnectorError::RateLimited(r) => match r.retry_after {
                Some(s) => format!("retry after {s} s: {}", r.message),
                None => r.message.clone(),
            },
            ConnectorError::Upstream(u) => format!("status {}: {}", u.status, u.message),
            ConnectorError::InvalidCredentials(m)
            | ConnectorError::ExpiredCredentials(m)
            | ConnectorError::Forbidden(m)
            | ConnectorError::NotFound(m)
            | ConnectorError::Conflict(m)
            | ConnectorError::MalformedResponse(m)
            | ConnectorError::Pagination(m)
            | ConnectorError::Transport(m)
            | ConnectorError::DeniedByHost(m)
            | ConnectorError::InvalidConfig(m)
            | ConnectorError::InvalidCursor(m)
            | ConnectorError::Unsupported(m) => m.clone(),
        };
        format!("{}: {detail}", self.kind())
    }

    /// A short stable name of the case (the WIT's kebab-case).
    pub fn kind(&self) -> &'static str {
        match self {
            ConnectorError::InvalidCredentials(_) => "invalid-credentials",
            ConnectorError::ExpiredCredentials(_) => "expired-credentials",
            ConnectorError::Forbidden(_) => "forbidden",
            ConnectorError::InsufficientScope(_) => "insufficient-scope",
            ConnectorError::ReadOnly(_) => "read-only",
            ConnectorError::RateLimited(_) => "rate-limited",
            ConnectorError::NotFound(_) => "not-found",
            ConnectorError::Conflict(_) => "conflict",
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

impl Credential {
    /// The kind of credential this is.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Credential::OauthClientCredentials(_) => CredentialKind::OauthClientCredentials,
            Credential::OauthRefreshToken(_) => CredentialKind::OauthRefreshToken,
            Credential::OauthAuthorizationCode(_) => CredentialKind::OauthAuthorizationCode,
            Credential::Basic(_) => CredentialKind::Basic,
            Credential::BearerToken(_) => CredentialKind::BearerToken,
            Credential::NamedFields(_) => CredentialKind::NamedFields,
        }
    }
}

impl Capability {
    /// The capability's name, as the WIT spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Capability::Refresh => "refresh",
            Capability::ResumableListing => "resumable-listing",
            Capability::GroupRead => "group-read",
            Capability::GroupWrite => "group-write",
            Capability::GroupMembershipWrite => "group-membership-write",
            Capability::ReleaseSeats => "release-seats",
        }
    }
}

impl ConnectorInfo {
    /// Whether the connector declares `capability`.
    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }
}
