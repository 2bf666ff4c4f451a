//! The Bitbucket Cloud connector, on the guest SDK.
//!
//! Everything here is Bitbucket knowledge in plain Rust over the SDK's
//! [`HttpClient`]: it runs natively in tests and benchmarks and, compiled to
//! `wasm32-wasip2`, behind the host's `http` import. This file is the glue:
//! the declarations of `info` and the [`Connector`] implementation.

pub mod admin;
pub mod auth;
pub mod cursor;
pub mod directory;
pub mod endpoints;
pub mod groups;
pub mod listing;
pub mod session;
pub mod upstream;
pub mod wire;

use saas_connector_sdk::http::HttpClient;
use saas_connector_sdk::log::Logger;
use saas_connector_sdk::{
    Capability, Connector, ConnectorInfo, ConsentFlow, CredentialKind as K, CredentialSlot, Group,
    GroupMember, GroupUpdate, RequestBudgets, SeatRelease, Session, Setting, SettingSpec,
    SettingType as T, SettingValue as V, SlotCredential, UserPage, now,
};
pub use saas_connector_sdk::{ConnectorError as Error, Result};

use endpoints::{Config, Endpoints};

/// The connector's name, and the prefix of its settings' variables.
pub const NAME: &str = "bitbucket";

/// The credential slot for Bitbucket itself.
pub const SLOT: &str = "bitbucket";

/// The connector's declarations.
pub fn info() -> ConnectorInfo {
    let url = |name, default: &str, what| {
        SettingSpec::new(name, T::Url, what).default(V::Url(default.to_string()))
    };
    let slot = CredentialSlot::new(
        SLOT,
        &[
            K::OauthClientCredentials,
            K::OauthRefreshToken,
            K::OauthAuthorizationCode,
            K::Basic,
            K::BearerToken,
        ],
        "An OAuth consumer, an Atlassian API token (email and token, as basic), or a workspace \
         access token (bearer). App passwords were removed on 2026-07-28.",
    )
    .required()
    .alias("username", "email")
    .alias("password", "api-token")
    .alias("password", "app-password")
    .alias("code", "auth-code")
    .alias("token", "access-token")
    .consent(ConsentFlow {
        authorize_setting: "authorize-url".into(),
        // Bitbucket takes the scopes from the consumer's registration.
        scopes: Vec::new(),
        parameters: Vec::new(),
        // Not in Bitbucket's documentation (unverified); a server that
        // does not know PKCE ignores it.
        pkce: true,
        // "A refresh token which is not used ... will expire after 3 months."
        refresh_idle_days: Some(90),
        registration: "Create an OAuth consumer in the workspace's settings (Workspace \
                       settings > OAuth consumers > Add consumer) with the permissions Account: \
                       Read and Workspace membership: Read (Write to manage groups), and set its \
                       Callback URL to exactly the redirect URI below."
            .into(),
        revocation: "Bitbucket has no revocation endpoint for consumers' tokens: revoke the \
                     access at bitbucket.org > Personal settings > App authorizations, or \
                     delete the consumer."
            .into(),
    });
    let admin = CredentialSlot::new(
        admin::SLOT,
        &[K::NamedFields],
        "An Atlassian organization's id and API key (admin.atlassian.com > Settings > API keys): \
         real last-active dates, emails and directory groups for workspaces administered in \
         admin.atlassian.com.",
    )
    .field(
        "org-id",
        false,
        true,
        "The organization id, shown with the key and in the admin URL.",
    )
    .field(
        "api-key",
        true,
        true,
        "The organization API key (sent as Bearer to the Admin API).",
    );
    ConnectorInfo {
        name: NAME.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        contract_version: saas_connector_sdk::CONTRACT_VERSION.into(),
        description: "Bitbucket Cloud: workspace members, roles, last access and groups.".into(),
        settings: vec![
            url(
                "api-base-url",
                endpoints::DEFAULT_API_BASE,
                "Base URL of the REST API.",
            ),
            url(
                "admin-api-base-url",
                admin::DEFAULT_BASE,
                "Base URL of the Atlassian Admin API (with the atlassian-admin slot).",
            ),
            url(
                "token-url",
                endpoints::DEFAULT_TOKEN_URL,
                "The OAuth 2.0 token endpoint.",
            ),
            url(
                "authorize-url",
                endpoints::DEFAULT_AUTHORIZE_URL,
                "The OAuth 2.0 consent page (`saas-host connect` opens it).",
            ),
            SettingSpec::new("page-size", T::U32, "Items per page, 1 to 100.")
                .default(V::U32(endpoints::MAX_PAGE_SIZE)),
            SettingSpec::new(
                "max-requests-per-step",
                T::U32,
                "HTTP requests per listing step.",
            )
            .default(V::U32(endpoints::DEFAULT_STEP_BUDGET)),
            SettingSpec::new(
                "include-workspaces",
                T::StringList,
                "Only these workspaces (slugs).",
            ),
            SettingSpec::new(
                "exclude-workspaces",
                T::StringList,
                "Never these workspaces (slugs).",
            ),
        ],
        credential_slots: vec![slot, admin],
        capabilities: vec![
            Capability::Refresh,
            Capability::ResumableListing,
            Capability::GroupRead,
            Capability::GroupWrite,
            Capability::GroupMembershipWrite,
            Capability::ReleaseSeats,
        ],
        budgets: RequestBudgets {
            // Bitbucket limits requests per hour on a rolling window and
            // documents no limit on requests at once: the host's cap and
            // the hourly budget decide.
            requests_per_hour: Some(900),
            max_concurrency: None,
        },
    }
}

/// The Bitbucket Cloud connector.
pub struct Bitbucket;

fn io() -> (impl HttpClient, impl Logger) {
    (
        saas_connector_sdk::http::client(),
        saas_connector_sdk::log::logger(),
    )
}

fn endpoints(config: &[Setting]) -> Result<(Config, Endpoints)> {
    let config = Config::from_settings(config)?;
    let endpoints = Endpoints::new(&config)?;
    Ok((config, endpoints))
}

fn with_groups<R>(
    config: &[Setting],
    session: &Session,
    f: impl FnOnce(groups::Groups<'_>) -> Result<R>,
) -> Result<R> {
    let (_, e) = endpoints(config)?;
    let (http, _) = io();
    f(groups::Groups::new(
        &http,
        e,
        &session::Session::from_contract(session)?,
    ))
}

/// Runs `f` on the organization's directory groups; `invalid-config` when
/// the `atlassian-admin` slot was not filled.
fn with_directory<R>(
    config: &[Setting],
    session: &Session,
    f: impl FnOnce(directory::Directory<'_>) -> Result<R>,
) -> Result<R> {
    let (config, e) = endpoints(config)?;
    let session = session::Session::from_contract(session)?;
    let Some(key) = &session.admin else {
        return Err(Error::InvalidConfig(format!(
            "directory groups need the {} credential slot (an organization id and API key)",
            admin::SLOT
        )));
    };
    let (http, _) = io();
    f(directory::Directory::new(
        &http,
        config.admin_api_base_url.as_deref(),
        key,
        &e,
        session.authorization(),
    )?)
}

/// Runs `f` on the directory groups when `id` names one, else `g` on the
/// workspace groups.
fn either<R>(
    c: &[Setting],
    s: &Session,
    id: &str,
    f: impl FnOnce(directory::Directory<'_>) -> Result<R>,
    g: impl FnOnce(groups::Groups<'_>) -> Result<R>,
) -> Result<R> {
    if directory::is_directory(id) {
        with_directory(c, s, f)
    } else {
        with_groups(c, s, g)
    }
}

fn has_admin(session: &Session) -> bool {
    session::Session::from_contract(session).is_ok_and(|s| s.admin.is_some())
}

/// Frees seats in an admin-managed workspace through its directory groups.
fn release_in_directory(
    c: &[Setting],
    s: &Session,
    users: &[String],
    unit: &str,
    apply: bool,
) -> Result<Vec<SeatRelease>> {
    with_directory(c, s, |d| {
        let mut plans = d.plan_release(users, unit)?;
        for plan in plans.iter_mut().filter(|_| apply) {
            // One account lookup per user, not per group left.
            let account = d.account_id(&plan.user_id)?;
            for action in &mut plan.actions {
                action.outcome = Some(match d.remove_member(&action.target, &account) {
                    Ok(()) => saas_connector_sdk::ReleaseOutcome::Done,
                    Err(Error::NotFound(_)) => saas_connector_sdk::ReleaseOutcome::AlreadyDone,
                    Err(e) => saas_connector_sdk::ReleaseOutcome::Failed(e),
                });
            }
            plan.applied = true;
        }
        Ok(plans)
    })
}

impl Connector for Bitbucket {
    fn info() -> ConnectorInfo {
        info()
    }

    fn authenticate(config: &[Setting], credentials: &[SlotCredential]) -> Result<Session> {
        let (config, e) = endpoints(config)?;
        let creds = session::Credentials::from_contract(saas_connector_sdk::credentials::require(
            credentials,
            SLOT,
        )?)?;
        let admin = saas_connector_sdk::credentials::find(credentials, admin::SLOT)
            .map(admin::AdminKey::from_contract)
            .transpose()?;
        let (http, log) = io();
        auth::authenticate(
            &http,
            &e,
            &config,
            &creds,
            admin,
            &log as &dyn Logger,
            now(),
        )
        .map(|s| s.to_contract())
    }

    fn refresh(config: &[Setting], session: &Session) -> Result<Session> {
        let (_, e) = endpoints(config)?;
        let s = session::Session::from_contract(session)?;
        auth::refresh(&io().0, &e, &s, now()).map(|s| s.to_contract())
    }

    fn list_users(config: &[Setting], session: &Session, cursor: Option<&str>) -> Result<UserPage> {
        let (config, _) = endpoints(config)?;
        let (http, log) = io();
        listing::list_users(
            &http,
            &log,
            &config,
            &session::Session::from_contract(session)?,
            cursor,
            now(),
        )
    }

    fn list_groups(c: &[Setting], s: &Session, scope: &str) -> Result<Vec<Group>> {
        if directory::is_directory(scope) {
            return with_directory(c, s, |d| d.list(scope));
        }
        let mut groups = with_groups(c, s, |g| g.list(scope))?;
        if has_admin(s) {
            // The directory's groups are what grants an admin-managed workspace.
            match with_directory(c, s, |d| d.list(directory::SCOPE)) {
                Ok(more) => groups.extend(more),
                Err(e) => io()
                    .1
                    .warn(&format!("the directory groups could not be listed: {e}")),
            }
        }
        Ok(groups)
    }
    fn get_group(c: &[Setting], s: &Session, group: &str) -> Result<Group> {
        either(c, s, group, |d| d.get(group), |g| g.get(group))
    }
    fn create_group(c: &[Setting], s: &Session, scope: &str, name: &str) -> Result<Group> {
        directory::refuse_change(scope, "creating")?;
        with_groups(c, s, |g| g.create(scope, name))
    }
    fn update_group(c: &[Setting], s: &Session, group: &str, u: &GroupUpdate) -> Result<Group> {
        directory::refuse_change(group, "changing")?;
        with_groups(c, s, |g| g.update(group, u))
    }
    fn delete_group(c: &[Setting], s: &Session, group: &str) -> Result<()> {
        directory::refuse_change(group, "deleting")?;
        with_groups(c, s, |g| g.delete(group))
    }
    fn list_members(c: &[Setting], s: &Session, group: &str) -> Result<Vec<GroupMember>> {
        either(c, s, group, |d| d.members(group), |g| g.members(group))
    }
    fn add_member(c: &[Setting], s: &Session, group: &str, user: &str) -> Result<()> {
        either(
            c,
            s,
            group,
            |d| d.add_member(group, user),
            |g| g.add_member(group, user),
        )
    }
    fn remove_member(c: &[Setting], s: &Session, group: &str, user: &str) -> Result<()> {
        either(
            c,
            s,
            group,
            |d| d.remove_member(group, user),
            |g| g.remove_member(group, user),
        )
    }
    fn release_seats(
        c: &[Setting],
        s: &Session,
        users: &[String],
        unit: &str,
        apply: bool,
    ) -> Result<Vec<SeatRelease>> {
        if has_admin(s)
            && with_groups(c, s, |g| Ok(g.managed(&endpoints::segment(unit))))? == Some(true)
        {
            return release_in_directory(c, s, users, unit, apply);
        }
        with_groups(c, s, |g| g.release_seats(users, unit, apply))
    }
}

saas_connector_sdk::register_connector!(Bitbucket);
