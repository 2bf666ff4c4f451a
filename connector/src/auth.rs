//! Turning credentials into sessions: the OAuth 2.0 grants, Basic and Bearer
//! modes, one cheap check call per mode, and refresh.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::endpoints::Endpoints;
use crate::session::{AuthMode, Credentials, OAuthClient, Session, TokenType};
use crate::{Error, Result};
use crate::{upstream, wire};
use saas_connector_sdk::Timestamp;
use saas_connector_sdk::http::{HttpClient, Method, Request};
use saas_connector_sdk::log::Logger;

/// The warning logged for app passwords.
pub const APP_PASSWORD_WARNING: &str = "app passwords are a legacy credential: Bitbucket stopped \
     creating them on 2025-09-09 and they stop working on 2026-06-09; use an API token or OAuth";

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
    })
}

/// Makes the session from credentials, without checking it.
fn session_for(
    http: &dyn HttpClient,
    endpoints: &Endpoints,
    credentials: &Credentials,
    log: &dyn Logger,
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
        } => grant(
            http,
            endpoints,
            client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
            AuthMode::OAuthRefreshToken,
            now,
        ),
        Credentials::OAuthAuthorizationCode {
            client,
            code,
            redirect_uri,
        } => {
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
            ];
            if let Some(uri) = redirect_uri {
                form.push(("redirect_uri", uri));
            }
            grant(
                http,
                endpoints,
                client,
                &form,
                AuthMode::OAuthAuthorizationCode,
                now,
            )
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
        Credentials::AppPassword { username, password } => {
            log.warn(APP_PASSWORD_WARNING);
            Ok(plain(
                AuthMode::AppPassword,
                TokenType::Basic,
                basic(username, password),
            ))
        }
    }
}

/// Checks a session with one cheap authenticated call.
fn check(http: &dyn HttpClient, endpoints: &Endpoints, session: &Session) -> Result<()> {
    let url = endpoints.api("/2.0/user/workspaces?pagelen=1");
    let response = http
        .send(Request::get(url, &session.authorization()))
        .map_err(|e| upstream::transport_error(e, "credential check"))?;
    if response.is_success() {
        // The body must at least be a page: a 200 with garbage is no proof.
        wire::page(&response, "credential check")?;
        Ok(())
    } else {
        Err(upstream::api_error(&response, "credential check"))
    }
}

/// Authenticates: builds the session and checks it with one request.
pub fn authenticate(
    http: &dyn HttpClient,
    endpoints: &Endpoints,
    credentials: &Credentials,
    log: &dyn Logger,
    now: Timestamp,
) -> Result<Session> {
    let session = session_for(http, endpoints, credentials, log, now)?;
    check(http, endpoints, &session)?;
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
    // A refresh answer may omit the refresh token: keep the old one.
    if fresh.refresh_token.is_none() {
        fresh.refresh_token = session.refresh_token.clone();
    }
    Ok(fresh)
}
