//! The Bitbucket Data Center connector (self-hosted Bitbucket 8 and 9), on
//! the guest SDK.
//!
//! One instance is one billing unit. Users come from the admin user list,
//! which alone has the last authentication; who holds a licence, and
//! why, from the global permissions of users and groups; the seats from
//! the licence. Everything here is Data Center knowledge in plain Rust over
//! the SDK's [`HttpClient`]; this file is the glue.

pub mod admin;
pub mod config;
pub mod cursor;
pub mod licence;
pub mod listing;
pub mod member;
pub mod paging;
pub mod release;
pub mod session;
pub mod upstream;
pub mod wire;

use saas_connector_sdk::http::client;
use saas_connector_sdk::log::logger;
use saas_connector_sdk::{
    Capability, Connector, ConnectorInfo, CredentialKind as K, CredentialSlot, Group, GroupMember,
    GroupUpdate, RequestBudgets, SeatRelease, Session, Setting, SettingSpec, SettingType as T,
    SettingValue as V, SlotCredential, UserPage,
};
pub use saas_connector_sdk::{ConnectorError as Error, Result};

use config::Config;

/// The connector's name, and the prefix of its settings' variables.
pub const NAME: &str = "bitbucket-dc";

/// The credential slot.
pub const SLOT: &str = "bitbucket-dc";

/// The connector's declarations.
pub fn info() -> ConnectorInfo {
    let slot = CredentialSlot::new(
        SLOT,
        &[K::Basic, K::BearerToken],
        "An administrator's username and password (basic): the licence, the global permissions \
         and group changes need ADMIN, which HTTP access tokens cannot carry. A personal HTTP \
         access token (bearer) lists users and last logins only.",
    )
    .required()
    .alias("token", "access-token");
    ConnectorInfo {
        name: NAME.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        contract_version: saas_connector_sdk::CONTRACT_VERSION.into(),
        description: "Bitbucket Data Center: users with last login, licence seats, global \
                      permissions and groups."
            .into(),
        settings: vec![
            SettingSpec::new(
                "base-url",
                T::Url,
                "The instance's URL, with its context path (https://bitbucket.example.com).",
            )
            .required(),
            SettingSpec::new(
                "page-size",
                T::U32,
                "Items asked for per page, 1 to 1000 (the server may clamp it).",
            )
            .default(V::U32(config::DEFAULT_PAGE_SIZE)),
            SettingSpec::new(
                "max-requests-per-step",
                T::U32,
                "HTTP requests per listing step.",
            )
            .default(V::U32(config::DEFAULT_STEP_BUDGET)),
        ],
        credential_slots: vec![slot],
        capabilities: vec![
            Capability::ResumableListing,
            Capability::GroupRead,
            Capability::GroupWrite,
            Capability::GroupMembershipWrite,
            Capability::ReleaseSeats,
        ],
        // Bitbucket's own limiter (when on) refills 5 requests a second per
        // user: stay well under it.
        budgets: RequestBudgets {
            requests_per_hour: Some(7200),
            max_concurrency: Some(4),
        },
    }
}

/// The Bitbucket Data Center connector.
pub struct BitbucketDc;

/// Runs `f` on the admin API of the configured instance.
fn with_admin<R>(
    config: &[Setting],
    session: &Session,
    f: impl FnOnce(&admin::Admin<'_>) -> Result<R>,
) -> Result<R> {
    let config = Config::from_settings(config)?;
    let session = session::Session::from_contract(session)?;
    let http = client();
    f(&admin::Admin {
        http: &http,
        config: &config,
        session: &session,
    })
}

impl Connector for BitbucketDc {
    fn info() -> ConnectorInfo {
        info()
    }

    fn authenticate(config: &[Setting], credentials: &[SlotCredential]) -> Result<Session> {
        let config = Config::from_settings(config)?;
        let credential = saas_connector_sdk::credentials::require(credentials, SLOT)?;
        session::authenticate(&client(), &config, credential, &logger()).map(|s| s.to_contract())
    }

    fn list_users(config: &[Setting], session: &Session, cursor: Option<&str>) -> Result<UserPage> {
        let config = Config::from_settings(config)?;
        let session = session::Session::from_contract(session)?;
        listing::list_users(&client(), &logger(), &config, &session, cursor)
    }

    fn list_groups(c: &[Setting], s: &Session, scope: &str) -> Result<Vec<Group>> {
        with_admin(c, s, |a| a.list(scope))
    }
    fn get_group(c: &[Setting], s: &Session, group: &str) -> Result<Group> {
        with_admin(c, s, |a| a.get(group))
    }
    fn create_group(c: &[Setting], s: &Session, scope: &str, name: &str) -> Result<Group> {
        with_admin(c, s, |a| a.create(scope, name))
    }
    fn update_group(c: &[Setting], s: &Session, group: &str, u: &GroupUpdate) -> Result<Group> {
        with_admin(c, s, |a| a.update(group, u))
    }
    fn delete_group(c: &[Setting], s: &Session, group: &str) -> Result<()> {
        with_admin(c, s, |a| a.delete(group))
    }
    fn list_members(c: &[Setting], s: &Session, group: &str) -> Result<Vec<GroupMember>> {
        with_admin(c, s, |a| a.members(group))
    }
    fn add_member(c: &[Setting], s: &Session, group: &str, user: &str) -> Result<()> {
        with_admin(c, s, |a| a.add_member(group, user))
    }
    fn remove_member(c: &[Setting], s: &Session, group: &str, user: &str) -> Result<()> {
        with_admin(c, s, |a| a.remove_member(group, user))
    }
    fn release_seats(
        c: &[Setting],
        s: &Session,
        users: &[String],
        unit: &str,
        apply: bool,
    ) -> Result<Vec<SeatRelease>> {
        with_admin(c, s, |a| release::release_seats(a, users, unit, apply))
    }
}

saas_connector_sdk::register_connector!(BitbucketDc);
