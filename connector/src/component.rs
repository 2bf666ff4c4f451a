//! The thin adapter between the generated bindings and the plain modules:
//! type conversions and the import-backed HTTP client. Nothing else in the
//! crate names a generated type.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::endpoints::Endpoints;
use crate::error::Error;
use crate::groups::Groups;
use crate::http::{self, HttpClient, Logger};
use crate::model;
use crate::status;

wit_bindgen::generate!({
    world: "saas-connector",
    path: "../wit",
});

use exports::saas::connector::connector as c;
use exports::saas::connector::groups as g;
use saas::connector::http as h;
use saas::connector::log as l;
use saas::connector::types as t;

struct Component;

export!(Component);

/// The host's `http` import as an [`HttpClient`].
struct HostHttp;

fn method(m: http::Method) -> h::Method {
    match m {
        http::Method::Get => h::Method::Get,
        http::Method::Post => h::Method::Post,
        http::Method::Put => h::Method::Put,
        http::Method::Delete => h::Method::Delete,
    }
}

fn request(r: http::Request) -> h::Request {
    h::Request {
        method: method(r.method),
        url: r.url,
        headers: r.headers,
        body: r.body,
        timeout_ms: None,
    }
}

fn response(r: Result<h::Response, h::HttpError>) -> Result<http::Response, http::HttpError> {
    match r {
        Ok(r) => Ok(http::Response {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }),
        Err(h::HttpError::Denied(m)) => Err(http::HttpError::Denied(m)),
        Err(h::HttpError::Timeout) => Err(http::HttpError::Timeout),
        Err(h::HttpError::Transport(m)) => Err(http::HttpError::Transport(m)),
        Err(h::HttpError::TooLarge(n)) => Err(http::HttpError::TooLarge(n)),
        Err(h::HttpError::InvalidRequest(m)) => Err(http::HttpError::InvalidRequest(m)),
    }
}

impl HttpClient for HostHttp {
    fn send(&self, r: http::Request) -> Result<http::Response, http::HttpError> {
        response(h::send(&request(r)))
    }

    fn send_all(&self, rs: Vec<http::Request>) -> Vec<Result<http::Response, http::HttpError>> {
        let rs: Vec<h::Request> = rs.into_iter().map(request).collect();
        h::send_all(&rs).into_iter().map(response).collect()
    }
}

/// The host's `log` import as a [`Logger`].
struct HostLog;

impl Logger for HostLog {
    fn warn(&self, message: &str) {
        l::write(l::Level::Warn, message);
    }
    fn debug(&self, message: &str) {
        l::write(l::Level::Debug, message);
    }
    fn progress(&self, done: u64, total: Option<u64>, what: &str) {
        l::report_progress(&l::Progress {
            done,
            total,
            what: what.to_string(),
        });
    }
}

fn now() -> model::Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn config(c: t::Config) -> model::Config {
    model::Config {
        api_base_url: c.api_base_url,
        token_url: c.token_url,
        page_size: c.page_size,
        include_workspaces: c.include_workspaces,
        exclude_workspaces: c.exclude_workspaces,
        max_requests_per_step: c.max_requests_per_step,
    }
}

fn client_in(c: t::OauthClient) -> model::OAuthClient {
    model::OAuthClient {
        client_id: c.client_id,
        client_secret: c.client_secret,
    }
}

fn client_out(c: model::OAuthClient) -> t::OauthClient {
    t::OauthClient {
        client_id: c.client_id,
        client_secret: c.client_secret,
    }
}

fn credentials(c: t::Credentials) -> model::Credentials {
    match c {
        t::Credentials::OauthClientCredentials(c) => {
            model::Credentials::OAuthClientCredentials(client_in(c))
        }
        t::Credentials::OauthRefreshToken(r) => model::Credentials::OAuthRefreshToken {
            client: client_in(r.client),
            refresh_token: r.refresh_token,
        },
        t::Credentials::OauthAuthorizationCode(c) => model::Credentials::OAuthAuthorizationCode {
            client: client_in(c.client),
            code: c.code,
            redirect_uri: c.redirect_uri,
        },
        t::Credentials::ApiToken(a) => model::Credentials::ApiToken {
            email: a.email,
            token: a.token,
        },
        t::Credentials::AccessToken(token) => model::Credentials::AccessToken(token),
        t::Credentials::AppPassword(a) => model::Credentials::AppPassword {
            username: a.username,
            password: a.password,
        },
    }
}

fn mode_out(m: model::AuthMode) -> t::AuthMode {
    match m {
        model::AuthMode::OAuthClientCredentials => t::AuthMode::OauthClientCredentials,
        model::AuthMode::OAuthRefreshToken => t::AuthMode::OauthRefreshToken,
        model::AuthMode::OAuthAuthorizationCode => t::AuthMode::OauthAuthorizationCode,
        model::AuthMode::ApiToken => t::AuthMode::ApiToken,
        model::AuthMode::AccessToken => t::AuthMode::AccessToken,
        model::AuthMode::AppPassword => t::AuthMode::AppPassword,
    }
}

fn mode_in(m: t::AuthMode) -> model::AuthMode {
    match m {
        t::AuthMode::OauthClientCredentials => model::AuthMode::OAuthClientCredentials,
        t::AuthMode::OauthRefreshToken => model::AuthMode::OAuthRefreshToken,
        t::AuthMode::OauthAuthorizationCode => model::AuthMode::OAuthAuthorizationCode,
        t::AuthMode::ApiToken => model::AuthMode::ApiToken,
        t::AuthMode::AccessToken => model::AuthMode::AccessToken,
        t::AuthMode::AppPassword => model::AuthMode::AppPassword,
    }
}

fn session_in(s: t::Session) -> model::Session {
    model::Session {
        mode: mode_in(s.mode),
        token_type: match s.token_type {
            t::TokenType::Bearer => model::TokenType::Bearer,
            t::TokenType::Basic => model::TokenType::Basic,
        },
        access_token: s.access_token,
        expires_at: s.expires_at,
        refresh_token: s.refresh_token,
        client: s.client.map(client_in),
        scopes: s.scopes,
    }
}

fn session_out(s: model::Session) -> t::Session {
    t::Session {
        mode: mode_out(s.mode),
        token_type: match s.token_type {
            model::TokenType::Bearer => t::TokenType::Bearer,
            model::TokenType::Basic => t::TokenType::Basic,
        },
        access_token: s.access_token,
        expires_at: s.expires_at,
        refresh_token: s.refresh_token,
        client: s.client.map(client_out),
        scopes: s.scopes,
    }
}

fn error(e: Error) -> t::ConnectorError {
    match e {
        Error::InvalidCredentials(m) => t::ConnectorError::InvalidCredentials(m),
        Error::InsufficientScope {
            required,
            granted,
            message,
        } => t::ConnectorError::InsufficientScope(t::ScopeError {
            required,
            granted,
            message,
        }),
        Error::RateLimited {
            retry_after,
            message,
        } => t::ConnectorError::RateLimited(t::RateLimit {
            retry_after,
            message,
        }),
        Error::NotFound(m) => t::ConnectorError::NotFound(m),
        Error::Upstream { status, message } => {
            t::ConnectorError::Upstream(t::UpstreamError { status, message })
        }
        Error::MalformedResponse(m) => t::ConnectorError::MalformedResponse(m),
        Error::Pagination(m) => t::ConnectorError::Pagination(m),
        Error::Transport(m) => t::ConnectorError::Transport(m),
        Error::DeniedByHost(m) => t::ConnectorError::DeniedByHost(m),
        Error::InvalidConfig(m) => t::ConnectorError::InvalidConfig(m),
        Error::InvalidCursor(m) => t::ConnectorError::InvalidCursor(m),
        Error::Unsupported(m) => t::ConnectorError::Unsupported(m),
    }
}

fn role_out(r: model::Role) -> t::Role {
    match r {
        model::Role::Owner => t::Role::Owner,
        model::Role::Collaborator => t::Role::Collaborator,
        model::Role::Member => t::Role::Member,
    }
}

fn role_in(r: t::Role) -> model::Role {
    match r {
        t::Role::Owner => model::Role::Owner,
        t::Role::Collaborator => model::Role::Collaborator,
        t::Role::Member => model::Role::Member,
    }
}

fn source_out(s: model::MembershipSource) -> t::MembershipSource {
    match s {
        model::MembershipSource::Permissions => t::MembershipSource::Permissions,
        model::MembershipSource::Members => t::MembershipSource::Members,
    }
}

fn source_in(s: t::MembershipSource) -> model::MembershipSource {
    match s {
        t::MembershipSource::Permissions => model::MembershipSource::Permissions,
        t::MembershipSource::Members => model::MembershipSource::Members,
    }
}

fn user_out(u: model::User) -> t::User {
    t::User {
        id: u.id,
        account_id: u.account_id,
        nickname: u.nickname,
        display_name: u.display_name,
        username: u.username,
        website: u.website,
        account_status: u.account_status,
        has_2fa_enabled: u.has_2fa_enabled,
        created_on: u.created_on,
        memberships: u
            .memberships
            .into_iter()
            .map(|m| t::Membership {
                workspace: m.workspace,
                workspace_id: m.workspace_id,
                role: m.role.map(role_out),
                added_on: m.added_on,
                last_accessed: m.last_accessed,
                source: source_out(m.source),
            })
            .collect(),
    }
}

fn user_in(u: t::User) -> model::User {
    model::User {
        id: u.id,
        account_id: u.account_id,
        nickname: u.nickname,
        display_name: u.display_name,
        username: u.username,
        website: u.website,
        account_status: u.account_status,
        has_2fa_enabled: u.has_2fa_enabled,
        created_on: u.created_on,
        memberships: u
            .memberships
            .into_iter()
            .map(|m| model::Membership {
                workspace: m.workspace,
                workspace_id: m.workspace_id,
                role: m.role.map(role_in),
                added_on: m.added_on,
                last_accessed: m.last_accessed,
                source: source_in(m.source),
            })
            .collect(),
    }
}

fn workspace_out(w: model::Workspace) -> t::Workspace {
    t::Workspace {
        id: w.id,
        slug: w.slug,
        name: w.name,
        is_private: w.is_private,
        created_on: w.created_on,
        updated_on: w.updated_on,
    }
}

fn activity_out(a: status::Activity) -> c::Activity {
    match a {
        status::Activity::Active => c::Activity::Active,
        status::Activity::Inactive => c::Activity::Inactive,
        status::Activity::NeverActive => c::Activity::NeverActive,
        status::Activity::Unknown => c::Activity::Unknown,
    }
}

fn report_out(r: status::StatusReport) -> c::StatusReport {
    c::StatusReport {
        as_of: r.as_of,
        users: r
            .users
            .into_iter()
            .map(|u| c::UserStatus {
                user_id: u.user_id,
                display_name: u.display_name,
                activity: activity_out(u.activity),
                reason: u.reason,
                last_login: u.last_login,
                workspaces: u.workspaces,
                has_2fa_enabled: u.has_2fa_enabled,
            })
            .collect(),
        counts: c::ActivityCounts {
            active: r.counts.active,
            inactive: r.counts.inactive,
            never_active: r.counts.never_active,
            unknown: r.counts.unknown,
        },
        licences: c::LicenceSummary {
            purchased: r.licences.purchased,
            used: r.licences.used,
            unused: r.licences.unused,
            over_purchased: r.licences.over_purchased,
            unique_users: r.licences.unique_users,
            per_workspace: r
                .licences
                .per_workspace
                .into_iter()
                .map(|w| c::WorkspaceLicences {
                    workspace: w.workspace,
                    used_seats: w.used_seats,
                    owners: w.owners,
                    collaborators: w.collaborators,
                    idle_seats: w.idle_seats,
                    reports_activity: w.reports_activity,
                })
                .collect(),
        },
        reconciliation: c::Reconciliation {
            membership_sum: r.reconciliation.membership_sum,
            unique_users: r.reconciliation.unique_users,
            multi_workspace_users: r.reconciliation.multi_workspace_users,
            extra_memberships: r.reconciliation.extra_memberships,
        },
        two_factor: c::TwoFactorCoverage {
            enabled: r.two_factor.enabled,
            disabled: r.two_factor.disabled,
            unknown: r.two_factor.unknown,
        },
    }
}

impl c::Guest for Component {
    fn info() -> c::ConnectorInfo {
        c::ConnectorInfo {
            name: crate::NAME.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract_version: crate::CONTRACT_VERSION.into(),
            hosts: crate::HOSTS
                .iter()
                .map(|h| {
                    if crate::defects::BAD_INFO {
                        format!("https://{h}/")
                    } else {
                        h.to_string()
                    }
                })
                .collect(),
            auth_modes: model::AuthMode::ALL.into_iter().map(mode_out).collect(),
            capabilities: vec![c::Capability::Groups, c::Capability::ResumableListing],
        }
    }

    fn authenticate(
        cfg: t::Config,
        creds: t::Credentials,
    ) -> Result<t::Session, t::ConnectorError> {
        let endpoints = Endpoints::new(&config(cfg)).map_err(error)?;
        crate::auth::authenticate(&HostHttp, &endpoints, &credentials(creds), &HostLog, now())
            .map(session_out)
            .map_err(error)
    }

    fn refresh(cfg: t::Config, session: t::Session) -> Result<t::Session, t::ConnectorError> {
        let endpoints = Endpoints::new(&config(cfg)).map_err(error)?;
        crate::auth::refresh(&HostHttp, &endpoints, &session_in(session), now())
            .map(session_out)
            .map_err(error)
    }

    fn list_users(
        cfg: t::Config,
        session: t::Session,
        cursor: Option<String>,
    ) -> Result<c::UserPage, t::ConnectorError> {
        let page = crate::listing::list_users(
            &HostHttp,
            &HostLog,
            &config(cfg),
            &session_in(session),
            cursor.as_deref(),
            now(),
        )
        .map_err(error)?;
        Ok(c::UserPage {
            users: page.users.into_iter().map(user_out).collect(),
            workspaces: page.workspaces.into_iter().map(workspace_out).collect(),
            next_cursor: page.next_cursor,
            progress: c::ListingProgress {
                workspaces_done: page.progress.workspaces_done,
                workspaces_total: page.progress.workspaces_total,
                memberships_listed: page.progress.memberships_listed,
                memberships_total: page.progress.memberships_total,
            },
            session: page.session.map(session_out),
            stats: c::PageStats {
                requests: page.requests,
                duplicates_dropped: page.duplicates_dropped,
            },
        })
    }

    fn compute_status(
        users: Vec<t::User>,
        policy: c::Policy,
    ) -> Result<c::StatusReport, t::ConnectorError> {
        let users: Vec<model::User> = users.into_iter().map(user_in).collect();
        let policy = status::Policy {
            as_of: policy.as_of,
            inactive_after_days: policy.inactive_after_days,
            purchased_seats: policy.purchased_seats,
            listing_complete: policy.listing_complete,
        };
        Ok(report_out(status::compute(&users, &policy)))
    }
}

fn group_ref_in(r: t::GroupRef) -> model::GroupRef {
    model::GroupRef {
        workspace: r.workspace,
        slug: r.slug,
    }
}

fn permission_out(p: model::GroupPermission) -> t::GroupPermission {
    match p {
        model::GroupPermission::Read => t::GroupPermission::Read,
        model::GroupPermission::Write => t::GroupPermission::Write,
        model::GroupPermission::Admin => t::GroupPermission::Admin,
    }
}

fn permission_in(p: t::GroupPermission) -> model::GroupPermission {
    match p {
        t::GroupPermission::Read => model::GroupPermission::Read,
        t::GroupPermission::Write => model::GroupPermission::Write,
        t::GroupPermission::Admin => model::GroupPermission::Admin,
    }
}

fn member_out(m: model::GroupMember) -> t::GroupMember {
    t::GroupMember {
        id: m.id,
        account_id: m.account_id,
        nickname: m.nickname,
        display_name: m.display_name,
    }
}

fn group_out(g: model::Group) -> t::Group {
    t::Group {
        ref_: t::GroupRef {
            workspace: g.group_ref.workspace,
            slug: g.group_ref.slug,
        },
        name: g.name,
        permission: g.permission.map(permission_out),
        auto_add: g.auto_add,
        email_forwarding_disabled: g.email_forwarding_disabled,
        members: g.members.into_iter().map(member_out).collect(),
    }
}

/// Runs `f` with a groups client for the config and session.
fn with_groups<T>(
    cfg: t::Config,
    session: t::Session,
    f: impl FnOnce(&Groups<'_>) -> crate::error::Result<T>,
) -> Result<T, t::ConnectorError> {
    let endpoints = Endpoints::new(&config(cfg)).map_err(error)?;
    let session = session_in(session);
    f(&Groups::new(&HostHttp, endpoints, &session)).map_err(error)
}

impl g::Guest for Component {
    fn list_groups(
        cfg: t::Config,
        session: t::Session,
        workspace: String,
    ) -> Result<Vec<t::Group>, t::ConnectorError> {
        with_groups(cfg, session, |gr| gr.list(&workspace))
            .map(|v| v.into_iter().map(group_out).collect())
    }

    fn find_groups(
        cfg: t::Config,
        session: t::Session,
        refs: Vec<t::GroupRef>,
    ) -> Result<Vec<t::Group>, t::ConnectorError> {
        let refs: Vec<model::GroupRef> = refs.into_iter().map(group_ref_in).collect();
        with_groups(cfg, session, |gr| gr.find(&refs))
            .map(|v| v.into_iter().map(group_out).collect())
    }

    fn create_group(
        cfg: t::Config,
        session: t::Session,
        workspace: String,
        name: String,
    ) -> Result<t::Group, t::ConnectorError> {
        with_groups(cfg, session, |gr| gr.create(&workspace, &name)).map(group_out)
    }

    fn update_group(
        cfg: t::Config,
        session: t::Session,
        group: t::GroupRef,
        update: t::GroupUpdate,
    ) -> Result<t::Group, t::ConnectorError> {
        let update = model::GroupUpdate {
            name: update.name,
            permission: update.permission.map(permission_in),
            auto_add: update.auto_add,
        };
        with_groups(cfg, session, |gr| gr.update(&group_ref_in(group), &update)).map(group_out)
    }

    fn delete_group(
        cfg: t::Config,
        session: t::Session,
        group: t::GroupRef,
    ) -> Result<(), t::ConnectorError> {
        with_groups(cfg, session, |gr| gr.delete(&group_ref_in(group)))
    }

    fn list_members(
        cfg: t::Config,
        session: t::Session,
        group: t::GroupRef,
    ) -> Result<Vec<t::GroupMember>, t::ConnectorError> {
        with_groups(cfg, session, |gr| gr.members(&group_ref_in(group)))
            .map(|v| v.into_iter().map(member_out).collect())
    }

    fn add_member(
        cfg: t::Config,
        session: t::Session,
        group: t::GroupRef,
        member: String,
    ) -> Result<(), t::ConnectorError> {
        with_groups(cfg, session, |gr| {
            gr.add_member(&group_ref_in(group), &member)
        })
    }

    fn remove_member(
        cfg: t::Config,
        session: t::Session,
        group: t::GroupRef,
        member: String,
    ) -> Result<(), t::ConnectorError> {
        with_groups(cfg, session, |gr| {
            gr.remove_member(&group_ref_in(group), &member)
        })
    }
}
