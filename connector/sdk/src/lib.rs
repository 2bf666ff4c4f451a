//! The guest SDK for `saas:connector` components.
//!
//! A connector depends on this crate instead of `wit-bindgen`. It gets:
//!
//! - the contract's types, re-exported by name ([`User`], [`Membership`],
//!   [`ConnectorError`], ...), which are plain Rust data natively too, so a
//!   connector's logic tests natively;
//! - one trait, [`Connector`], whose optional parts (refresh, groups,
//!   release-seats) answer `unsupported` by default, and the
//!   [`register_connector!`] macro that exports it;
//! - an HTTP client with a batch call ([`http::HttpClient`]): the host's
//!   import inside wasm, and with the `native` feature a real HTTP client
//!   ([`http::NativeHttp`]) for tests on loopback;
//! - typed access to settings and credentials ([`settings`], [`credentials`]);
//! - the standard `compute-status` rules ([`status::compute`]);
//! - [`CONTRACT_VERSION`], read from the contract's WIT package at build time.

include!(concat!(env!("OUT_DIR"), "/contract.rs"));

pub mod credentials;
pub mod cursor;
pub mod error;
pub mod http;
pub mod log;
pub mod settings;
pub mod status;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod adapter;

use __bindings::exports::saas::connector::{connector as c, seats as s};
use __bindings::saas::connector::{access as a, types as t};

pub use a::{
    BasicAuth, Config, ConsentFlow, Credential, CredentialField, CredentialKind, CredentialSlot,
    FieldAlias, FieldSpec, OauthClient, OauthCode, OauthRefresh, RenewedField, Session, Setting,
    SettingSpec, SettingType, SettingValue, SlotCredential,
};
pub use c::{
    Activity, ActivityCounts, Capability, ConnectorInfo, Listing, ListingProgress, MfaCoverage,
    PageStats, Policy, Reconciliation, RequestBudgets, SeatSummary, StatusReport, UnitSeats,
    UserPage, UserStatus,
};
pub use error::{ConnectorError, Result};
pub use s::{ReleaseAction, ReleaseKind, ReleaseOutcome, SeatRelease};
pub use t::{
    AccessLevel, AccountState, AccountStatus, BillingUnit, Coverage, Evidence, EvidenceKind, Group,
    GroupMember, GroupUpdate, Membership, RateLimit, ReadOnlyError, ScopeError, SeatFacts,
    Timestamp, UnitKind, UnitRef, UpstreamError, User,
};

/// A connector: the functions of the contract, with defaults for the
/// optional ones. Every function is called on a fresh instance, so a
/// connector keeps no state between calls: what it needs again goes into
/// the session or the cursor.
///
/// Declare in [`ConnectorInfo::capabilities`] exactly the optional parts you
/// implement; the host calls nothing else.
pub trait Connector {
    /// Describes the connector: settings, credential slots, capabilities.
    /// Makes no request.
    fn info() -> ConnectorInfo;

    /// Turns credentials into a session, checked with one cheap request.
    fn authenticate(config: &[Setting], credentials: &[SlotCredential]) -> Result<Session>;

    /// Renews a session (capability `refresh`).
    fn refresh(_config: &[Setting], _session: &Session) -> Result<Session> {
        Err(error::unsupported("refresh"))
    }

    /// One bounded step of the user listing.
    fn list_users(config: &[Setting], session: &Session, cursor: Option<&str>) -> Result<UserPage>;

    /// Statuses and seat counts; the SDK's standard rules unless overridden.
    fn compute_status(listing: &Listing, policy: &Policy) -> Result<StatusReport> {
        Ok(status::compute(listing, policy))
    }

    /// All groups of a scope (capability `group-read`).
    fn list_groups(_config: &[Setting], _session: &Session, _scope: &str) -> Result<Vec<Group>> {
        Err(error::unsupported("list-groups"))
    }

    /// One group by id (capability `group-read`).
    fn get_group(_config: &[Setting], _session: &Session, _group: &str) -> Result<Group> {
        Err(error::unsupported("get-group"))
    }

    /// Creates a group (capability `group-write`).
    fn create_group(
        _config: &[Setting],
        _session: &Session,
        _scope: &str,
        _name: &str,
    ) -> Result<Group> {
        Err(error::unsupported("create-group"))
    }

    /// Changes a group (capability `group-write`).
    fn update_group(
        _config: &[Setting],
        _session: &Session,
        _group: &str,
        _update: &GroupUpdate,
    ) -> Result<Group> {
        Err(error::unsupported("update-group"))
    }

    /// Deletes a group (capability `group-write`).
    fn delete_group(_config: &[Setting], _session: &Session, _group: &str) -> Result<()> {
        Err(error::unsupported("delete-group"))
    }

    /// A group's members (capability `group-read`).
    fn list_members(
        _config: &[Setting],
        _session: &Session,
        _group: &str,
    ) -> Result<Vec<GroupMember>> {
        Err(error::unsupported("list-members"))
    }

    /// Adds a user to a group (capability `group-membership-write`).
    fn add_member(
        _config: &[Setting],
        _session: &Session,
        _group: &str,
        _user: &str,
    ) -> Result<()> {
        Err(error::unsupported("add-member"))
    }

    /// Removes a user from a group (capability `group-membership-write`).
    fn remove_member(
        _config: &[Setting],
        _session: &Session,
        _group: &str,
        _user: &str,
    ) -> Result<()> {
        Err(error::unsupported("remove-member"))
    }

    /// Plans, and applies when `apply`, what frees the seats of `users` in
    /// `unit`, one entry per user (capability `release-seats`).
    fn release_seats(
        _config: &[Setting],
        _session: &Session,
        _users: &[String],
        _unit: &str,
        _apply: bool,
    ) -> Result<Vec<SeatRelease>> {
        Err(error::unsupported("release-seats"))
    }
}

/// Exports a [`Connector`] as the component's implementation of the
/// contract. Use it once, in the connector crate's `lib.rs`; it expands to
/// nothing outside wasm, so the same crate tests natively.
///
/// ```ignore
/// struct MyConnector;
/// impl saas_connector_sdk::Connector for MyConnector { /* ... */ }
/// saas_connector_sdk::register_connector!(MyConnector);
/// ```
#[macro_export]
macro_rules! register_connector {
    ($connector:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            type __SaasConnectorComponent = $crate::adapter::Component<$connector>;
    $crate::__bindings::export!(__SaasConnectorComponent with_types_in $crate::__bindings);
        };
    };
}

/// The current time in [`Timestamp`] seconds (the host's wall clock inside wasm).
pub fn now() -> Timestamp {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
