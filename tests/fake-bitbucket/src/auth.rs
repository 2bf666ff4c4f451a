//! Credentials: the OAuth token endpoint and the `Authorization` check of
//! every API call, with Bitbucket's error shapes.

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::config::READ_SCOPES;
use crate::respond::error;
use crate::state::{AuthKind, Issued, RefreshGrant, State};

/// Scopes of credentials that are not OAuth tokens (API tokens, app
/// passwords, access tokens): everything.
const ALL: [&str; 3] = [
    "read:workspace:bitbucket",
    "read:user:bitbucket",
    "admin:workspace:bitbucket",
];

/// The scope writes need.
pub const ADMIN_SCOPE: &str = "admin:workspace:bitbucket";

/// How long a refresh token lives unused: three months (Bitbucket's rule).
pub const REFRESH_TOKEN_IDLE_LIFETIME: i64 = 90 * 86_400;

/// The kind of an `Authorization` header.
pub fn auth_kind(headers: &HeaderMap) -> AuthKind {
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
    {
        None => AuthKind::None,
        Some(v) if v.starts_with("Bearer ") => AuthKind::Bearer,
        Some(v) if v.starts_with("Basic ") => AuthKind::Basic,
        Some(_) => AuthKind::Other,
    }
}

fn basic_pair(value: &str) -> Option<(String, String)> {
    let decoded = STANDARD.decode(value.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, secret) = text.split_once(':')?;
    Some((user.to_string(), secret.to_string()))
}

fn plain_401() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "text/plain")],
        "Unauthorized",
    )
        .into_response()
}

/// Checks an API call's credentials and that they carry `scope`.
pub fn authorize(state: &State, headers: &HeaderMap, scope: &str) -> Result<(), Response> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    let scopes: Vec<String> = match value {
        None => {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "This API is only accessible with the following authentication types: session, password, apppassword, api_token, repository_access_token, workspace_access_token, project_access_token, jwt",
            ));
        }
        Some(v) if v.starts_with("Bearer ") => {
            let token = &v["Bearer ".len()..];
            if state.accounts.access_tokens.iter().any(|t| t == token) {
                ALL.iter().map(|s| s.to_string()).collect()
            } else {
                let mut m = state.lock();
                m.authed_requests += 1;
                let once = m
                    .faults
                    .expire_tokens_after
                    .is_some_and(|n| m.authed_requests > n)
                    && !m.expired_once;
                let every = m
                    .faults
                    .expire_tokens_every
                    .is_some_and(|n| m.authed_requests.is_multiple_of(n.max(1)));
                if once || every {
                    m.expired_once |= once;
                    for t in m.tokens.values_mut() {
                        t.expires_at = 0;
                    }
                }
                let now = m.now();
                match m.tokens.get(token) {
                    Some(t) if t.expires_at <= now => {
                        return Err(error(
                            StatusCode::UNAUTHORIZED,
                            "Access token expired. Use your refresh token to obtain a new access token.",
                        ));
                    }
                    Some(t) => t.scopes.clone(),
                    None => return Err(error(StatusCode::UNAUTHORIZED, "Access token is invalid")),
                }
            }
        }
        Some(v) if v.starts_with("Basic ") => {
            let Some((user, secret)) = basic_pair(&v["Basic ".len()..]) else {
                return Err(plain_401());
            };
            let accounts = &state.accounts;
            let app_password = accounts
                .app_passwords
                .iter()
                .any(|(u, p)| *u == user && *p == secret);
            if app_password && state.app_passwords_removed {
                return Err(error(
                    StatusCode::UNAUTHORIZED,
                    "App passwords are no longer supported. Use an API token instead.",
                ));
            }
            let ok = app_password
                || accounts
                    .api_tokens
                    .iter()
                    .any(|(e, t)| *e == user && *t == secret);
            if !ok {
                return Err(plain_401());
            }
            ALL.iter().map(|s| s.to_string()).collect()
        }
        Some(_) => return Err(plain_401()),
    };
    let legacy = |s: &str| matches!(s, "account" | "team" | "team:write");
    let allowed = scopes.iter().any(|s| s == scope)
        || (READ_SCOPES.contains(&scope)
            && scopes
                .iter()
                .any(|s| READ_SCOPES.contains(&s.as_str()) || legacy(s)));
    if allowed {
        Ok(())
    } else {
        Err((
            StatusCode::FORBIDDEN,
            axum::Json(json!({"type": "error", "error": {
                "message": "Your credentials lack one or more required privilege scopes.",
                "detail": {"granted": scopes, "required": [scope]},
            }})),
        )
            .into_response())
    }
}

fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": code, "error_description": description})),
    )
        .into_response()
}

/// `POST /site/oauth2/access_token`.
pub async fn token(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(basic_pair);
    let (id, secret) = match from_header
        .or_else(|| Some((field("client_id")?, field("client_secret")?)))
    {
        Some(pair) => pair,
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Client credentials missing; this request needs to be authenticated with a client id and secret.",
            );
        }
    };
    let Some(client) = state
        .accounts
        .clients
        .iter()
        .find(|c| c.id == id && c.secret == secret)
    else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid OAuth client credentials",
        );
    };
    let mut m = state.lock();
    match field("grant_type").as_deref() {
        Some("client_credentials") => {}
        Some("refresh_token") => {
            let token = field("refresh_token").unwrap_or_default();
            let now = m.now();
            match m.refresh_tokens.get(&token) {
                Some(g) if g.client == client.id => {
                    if now - g.issued_at > REFRESH_TOKEN_IDLE_LIFETIME {
                        m.refresh_tokens.remove(&token);
                        return oauth_error(
                            StatusCode::BAD_REQUEST,
                            "invalid_grant",
                            "The refresh token has expired: authorize the application again.",
                        );
                    }
                }
                _ => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Invalid refresh_token",
                    );
                }
            }
            if state.rotate_refresh_tokens {
                m.refresh_tokens.remove(&token);
            }
        }
        Some("authorization_code") => {
            drop(m);
            let code = field("code").unwrap_or_default();
            let (redirect, verifier) = (field("redirect_uri"), field("code_verifier"));
            if let Err((code, why)) = crate::consent::redeem(
                &state,
                &client.id,
                &code,
                redirect.as_deref(),
                verifier.as_deref(),
            ) {
                return oauth_error(StatusCode::BAD_REQUEST, code, why);
            }
            m = state.lock();
        }
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("Unsupported grant type: {other}"),
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing grant_type",
            );
        }
    }
    m.issued += 1;
    let n = m.issued;
    let born_expired = n > 1 && m.born_expired_issued < m.faults.born_expired;
    m.born_expired_issued += u32::from(born_expired);
    let now = m.now();
    let access = format!("fbb-access-{n}-{:016x}", fastrand::u64(..));
    let refresh = format!("fbb-refresh-{n}-{:016x}", fastrand::u64(..));
    m.tokens.insert(
        access.clone(),
        Issued {
            client: client.id.clone(),
            expires_at: if born_expired {
                0
            } else {
                now + state.token_lifetime
            },
            scopes: client.scopes.clone(),
        },
    );
    m.refresh_tokens.insert(
        refresh.clone(),
        RefreshGrant {
            client: client.id.clone(),
            issued_at: now,
        },
    );
    axum::Json(json!({
        "access_token": access,
        "scopes": client.scopes.join(" "),
        "expires_in": state.token_lifetime,
        "refresh_token": refresh,
        "token_type": "bearer",
        "state": field("grant_type"),
    }))
    .into_response()
}
