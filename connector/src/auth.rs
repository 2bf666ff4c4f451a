//! Turning credentials into sessions: the OAuth 2.0 grants, Basic and Bearer
//! modes, one cheap check call per mode, and refresh.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::admin::{Admin, AdminKey};
use crate::endpoints::{Config, Endpoints, segment};
use crate::session::{AuthMode, Credentials, OAuthClient, Session, TokenType};
use crate::{Error, Result};
use crate::{upstream, wire};
use saas_connector_sdk::Timestamp;
use saas_connector_sdk::http::{HttpClient, HttpError, Method, Request, Response, send_batch};
use saas_connector_sdk::log::Logger;

/// Why an app password is refused without a request.
pub const APP_PASSWORD_REMOVED: &str = "app passwords were removed from Bitbucket Cloud on \
     2026-07-28 (creation stopped on 2025-09-09): create an Atlassian API token with Bitbucket \
     scopes (id.atlassian.com > Security > API tokens) and give it with your account's email as \
     the username, or use an OAuth consumer";

/// Why an access-token session needs `include-workspaces`.
pub const ACCESS_TOKEN_NEEDS_WORKSPACE: &str = "this access token may not list workspaces (a \
     workspace access token cannot): name its workspace in the setting include-workspaces";

/// What an access-token session cannot see.
pub const ACCESS_TOKEN_LIMITS: &str = "a workspace access token cannot read /permissions: the \
     listing comes from /members, without roles or last-access dates (users stay unknown unless \
     the atlassian-admin slot gives the Admin API's dates)";

fn basic(user: &str, secret: &str) -> String {
    STANDARD.encode(format!("{user}:{secret}"))
}

/// Runs one OAuth grant against the token endpoint.
fn grant(
    http: &dyn HttpClient,
    endpoints: &Endpoints,
    client: &OAuthClient,
    form: &[(&str, &str)],
    mode: AuthMode,
    now: Timestamp,
) -> Result<Session> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let request = Request::new(Method::Post, endpoints.token_url.clone())
        .header(
            "Authorization",
            &format!("Basic {}", basic(&client.client_id, &client.client_secret)),
        )
        .header("Accept", "application/json")
        .body("application/x-www-form-urlencoded", body.into_bytes());
    let response = http
        .send(request)
        .map_err(|e| upstream::transport_error(e, "token endpoint"))?;
    if !response.is_success() {
        return Err(upstream::token_error(&response));
    }
    let grant = wire::token_grant(&response)?;
    Ok(Session {
        mode,
        token_type: TokenType::Bearer,
        access_token: grant.access_token,
        expires_at: grant.expires_in.map(|s| now + s),
        refresh_token: grant.refresh_token,
        client: Some(client.clone()),
        scopes: grant.scopes,
        admin: None,
        renewed: false,
        principal: None,
    })
}

/// Makes the session from credentials, without checking it.
fn session_for(
    http: &dyn HttpClient,
    endpoints: &Endpoints,
    credentials: &Credentials,
    now: Timestamp,
) -> Result<Session> {
    let plain = |mode, token_type, access_token| Session {
        mode,
        token_type,
        access_token,
        expires_at: None,
        refresh_token: None,
        client: None,
        scopes: Vec::new(),
        admin: None,
        renewed: false,
        principal: None,
    };
    match credentials {
        Credentials::OAuthClientCredentials(client) => grant(
            http,
            endpoints,
            client,
            &[("grant_type", "client_credentials")],
            AuthMode::OAuthClientCredentials,
            now,
        ),
        Credentials::OAuthRefreshToken {
            client,
            refresh_token,
        } => {
            let mut session = grant(
                http,
                endpoints,
                client,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token),
                ],
                AuthMode::OAuthRefreshToken,
                now,
            )?;
            session.renewed = session.refresh_token.as_ref() != Some(refresh_token);
            if session.refresh_token.is_none() {
                session.refresh_token = Some(refresh_token.clone());
            }
            Ok(session)
        }
        Credentials::OAuthAuthorizationCode {
            client,
            code,
            redirect_uri,
            code_verifier,
        } => {
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
            ];
            if let Some(uri) = redirect_uri {
                form.push(("redirect_uri", uri));
            }
            if let Some(verifier) = code_verifier {
                form.push(("code_verifier", verifier));
            }
            // The code is spent: the refresh token replaces it.
            grant(
                http,
                endpoints,
                client,
                &form,
                AuthMode::OAuthAuthorizationCode,
                now,
            )
            .map(|s| Session {
                renewed: s.refresh_token.is_some(),
                ..s
            })
        }
        Credentials::ApiToken { email, token } => {
            if !email.contains('@') {
                return Err(Error::InvalidConfig(
                    "an API token is sent with the account's email address, and this is not one"
                        .into(),
                ));
            }
            Ok(plain(
                AuthMode::ApiToken,
                TokenType::Basic,
                basic(email, token),
            ))
        }
        Credentials::AccessToken(token) => Ok(plain(
            AuthMode::AccessToken,
            TokenType::Bearer,
            token.clone(),
        )),
        Credentials::AppPassword { .. } => {
            Err(Error::InvalidCredentials(APP_PASSWORD_REMOVED.into()))
        }
    }
}

/// The path that lists the caller's workspaces: discovery pages through it
/// and the credential check reads its first entry, so both fail alike.
/// (`/2.0/workspaces`, its predecessor, answers 410 since 2026: not used.)
pub const WORKSPACE_LISTING: &str = "/2.0/user/workspaces";

/// How errors of the workspace listing name it.
pub const WORKSPACE_LISTING_CALL: &str = "GET /2.0/user/workspaces";

/// Whether a session needs a check call: an OAuth grant has just proved the
/// client and its grant at the token endpoint, and the listing's first
/// request proves the token's access (and fails alike), so only tokens the
/// operator hands over as they are (API and access tokens) are checked.
fn needs_check(mode: AuthMode) -> bool {
    matches!(mode, AuthMode::ApiToken | AuthMode::AccessToken)
}

/// How [`check`] names its call.
fn check_call(session: &Session, config: &Config) -> &'static str {
    match (session.mode, config.include_workspaces.first()) {
        (AuthMode::AccessToken, Some(_)) => "credential check",
        _ => WORKSPACE_LISTING_CALL,
    }
}

/// The one cheap authenticated call that checks a session. An access token
/// may not list the caller's workspaces, so with `include-workspaces` it
/// reads its own workspace instead.
fn check_request(endpoints: &Endpoints, config: &Config, session: &Session) -> Request {
    let url = match (session.mode, config.include_workspaces.first()) {
        (AuthMode::AccessToken, Some(slug)) => {
            endpoints.api(&format!("/2.0/workspaces/{}", segment(slug)))
        }
        _ => endpoints.api(&format!("{WORKSPACE_LISTING}?pagelen=1")),
    };
    Request::get(url, &session.authorization())
}

/// The verdict on the answer to [`check_request`].
fn check(
    answer: std::result::Result<Response, HttpError>,
    config: &Config,
    session: &Session,
) -> Result<()> {
    let what = check_call(session, config);
    let response = answer.map_err(|e| upstream::transport_error(e, what))?;
    if response.is_success() {
        // The body must at least be JSON of the expected shape: a 200 with
        // garbage is no proof.
        match session.mode {
            AuthMode::AccessToken => wire::json(&response, what).map(drop),
            _ => wire::page(&response, what).map(drop),
        }
    } else if session.mode == AuthMode::AccessToken && response.status == 403 {
        Err(Error::InvalidConfig(ACCESS_TOKEN_NEEDS_WORKSPACE.into()))
    } else {
        Err(upstream::api_error(&response, what))
    }
}

/// The account that consented, as `display name (nickname)`, from
/// `GET /2.0/user`: one request, made only after an authorization-code
/// exchange (a person connecting), never on a sync. A failure only costs
/// the host its "connected as".
fn consenting_account(
    http: &dyn HttpClient,
    endpoints: &Endpoints,
    session: &Session,
    log: &dyn Logger,
) -> Option<String> {
    const CALL: &str = "GET /2.0/user";
    let response = http
        .send(Request::get(
            endpoints.api("/2.0/user"),
            &session.authorization(),
        ))
        .ok()?;
    let account = wire::parse::<wire::Account>(&response, CALL)
        .ok()
        .filter(|_| response.is_success());
    let Some(account) = account else {
        log.warn("GET /2.0/user failed: the consenting account is not known");
        return None;
    };
    let user = account.user(CALL).ok()?;
    match (user.display_name, user.username) {
        (Some(name), Some(nick)) if name != nick => Some(format!("{name} ({nick})")),
        (name, nick) => name.or(nick),
    }
}

/// Authenticates: builds the session (an OAuth grant is one request), then
/// in one batch checks a token that no grant proved and the organization
/// API key, when given.
pub fn authenticate(
    http: &dyn HttpClient,
    endpoints: &Endpoints,
    config: &Config,
    credentials: &Credentials,
    admin: Option<AdminKey>,
    log: &dyn Logger,
    now: Timestamp,
) -> Result<Session> {
    let mut session = session_for(http, endpoints, credentials, now)?;
    let admin_api = admin
        .as_ref()
        .map(|key| Admin::new(config.admin_api_base_url.as_deref(), key))
        .transpose()?;
    let checked = needs_check(session.mode);
    let requests = checked
        .then(|| check_request(endpoints, config, &session))
        .into_iter()
        .chain(admin_api.as_ref().map(Admin::check))
        .collect();
    let mut answers = send_batch(http, requests).into_iter();
    if checked {
        let answer = answers.next().expect("one answer per request");
        check(answer, config, &session)?;
    }
    if let (Some(api), Some(answer)) = (&admin_api, answers.next()) {
        api.checked(answer)?;
    }
    if session.mode == AuthMode::OAuthAuthorizationCode {
        session.principal = consenting_account(http, endpoints, &session, log);
    }
    if session.mode == AuthMode::AccessToken {
        log.warn(ACCESS_TOKEN_LIMITS);
    }
    session.admin = admin;
    Ok(session)
}

/// Gets a fresh access token: a refresh-token grant when the session has a
/// refresh token, a new client-credentials grant for that mode.
pub fn refresh(
    http: &dyn HttpClient,
    endpoints: &Endpoints,
    session: &Session,
    now: Timestamp,
) -> Result<Session> {
    let Some(client) = &session.client else {
        return Err(Error::InvalidCredentials(
            "the access token expired and this kind of session cannot be refreshed".into(),
        ));
    };
    let mut fresh = match (&session.refresh_token, session.mode) {
        (Some(token), _) => grant(
            http,
            endpoints,
            client,
            &[("grant_type", "refresh_token"), ("refresh_token", token)],
            session.mode,
            now,
        )?,
        (None, AuthMode::OAuthClientCredentials) => grant(
            http,
            endpoints,
            client,
            &[("grant_type", "client_credentials")],
            session.mode,
            now,
        )?,
        (None, _) => {
            return Err(Error::InvalidCredentials(
                "the access token expired and no refresh token was issued".into(),
            ));
        }
    };
    // A refresh answer may omit the refresh token: keep the old one. A new
    // one replaces the operator's credential (the old one dies after use).
    match &fresh.refresh_token {
        None => fresh.refresh_token = session.refresh_token.clone(),
        Some(token) => {
            fresh.renewed = session.mode != AuthMode::OAuthClientCredentials
                && session.refresh_token.as_ref() != Some(token);
        }
    }
    fresh.admin = session.admin.clone();
    Ok(fresh)
}
