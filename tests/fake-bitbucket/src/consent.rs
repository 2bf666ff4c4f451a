//! The consent page of the authorization-code flow, as a native app meets
//! it (RFC 8252): `GET /site/oauth2/authorize` "logs in" the account that
//! owns the first workspace, consents at once, and redirects the browser
//! back to the app's loopback `redirect_uri` with a one-time code and the
//! app's `state`. The code remembers the redirect URI and the PKCE
//! challenge, which the token endpoint checks ([`redeem`]).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State as Extract};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use crate::auth::authorize as check_token;
use crate::config::READ_SCOPES;
use crate::state::{CodeGrant, State};

/// How long a code stays redeemable, in seconds of the fake's clock.
pub const CODE_LIFETIME: i64 = 600;

/// A page the browser shows instead of a redirect: the request is too
/// broken to trust its `redirect_uri` (RFC 6749 4.1.2.1).
fn refusal(text: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/plain")],
        text.to_string(),
    )
        .into_response()
}

/// Whether `uri` is a loopback `http` redirect (any port, RFC 8252 7.3).
fn loopback(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
    })
}

/// `GET /site/oauth2/authorize`.
pub async fn authorize(
    Extract(state): Extract<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str);
    let Some(client) = state
        .accounts
        .clients
        .iter()
        .find(|c| Some(c.id.as_str()) == get("client_id"))
    else {
        return refusal("Invalid client_id: no such OAuth consumer.");
    };
    let redirect = match (get("redirect_uri"), &client.callback) {
        (Some(r), Some(registered)) if r != registered => {
            return refusal("redirect_uri does not match the consumer's callback URL.");
        }
        (Some(r), _) if loopback(r) => r.to_string(),
        (None, Some(registered)) => registered.clone(),
        _ => return refusal("The consumer has no callback URL for this redirect_uri."),
    };
    let back = |pairs: &[(&str, &str)]| {
        let mut url = url::Url::parse(&redirect).expect("checked above");
        url.query_pairs_mut().extend_pairs(pairs);
        if let Some(s) = get("state") {
            url.query_pairs_mut().append_pair("state", s);
        }
        (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
    };
    if get("response_type") != Some("code") {
        return back(&[("error", "unsupported_response_type")]);
    }
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, _) => None,
        (Some(c), Some("S256")) if c.len() >= 43 => Some(c.to_string()),
        _ => return back(&[("error", "invalid_request")]),
    };
    let mut m = state.lock();
    if m.deny_consent {
        drop(m);
        return back(&[("error", "access_denied")]);
    }
    m.issued += 1;
    let code = format!("fbb-code-{}-{:016x}", m.issued, fastrand::u64(..));
    let now = m.now();
    m.auth_codes.insert(
        code.clone(),
        CodeGrant {
            client: client.id.clone(),
            redirect_uri: get("redirect_uri").map(String::from),
            challenge,
            issued_at: now,
        },
    );
    drop(m);
    back(&[("code", &code)])
}

/// Checks an authorization code at the token endpoint: the client, its age,
/// the redirect URI of the request it came from, and the PKCE verifier
/// (RFC 7636 4.6). Spends it either way. The error is OAuth's.
pub fn redeem(
    state: &State,
    client: &str,
    code: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<(), (&'static str, &'static str)> {
    let mut m = state.lock();
    let now = m.now();
    let grant = match m.auth_codes.remove(code) {
        Some(g) if g.client == client => g,
        _ => return Err(("invalid_grant", "The code is invalid or has expired.")),
    };
    if now - grant.issued_at > CODE_LIFETIME {
        return Err(("invalid_grant", "The code is invalid or has expired."));
    }
    if grant.redirect_uri.is_some() && grant.redirect_uri.as_deref() != redirect_uri {
        return Err((
            "invalid_grant",
            "redirect_uri does not match the authorization request.",
        ));
    }
    if let Some(challenge) = &grant.challenge {
        let proof = verifier.map(|v| URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes())));
        if proof.as_deref() != Some(challenge.as_str()) {
            return Err(("invalid_grant", "The code_verifier does not match."));
        }
        m.pkce_verified += 1;
    }
    Ok(())
}

/// `GET /2.0/user`: the account the token acts for (the owner of the first
/// workspace, who "logged in" at the consent page).
pub async fn current_user(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    if let Err(r) = check_token(&state, &headers, READ_SCOPES[1]) {
        return r;
    }
    let owner = state
        .data
        .workspaces
        .first()
        .and_then(|w| w.members.first())
        .map(|m| m.user);
    match owner {
        Some(u) => axum::Json(state.data.user_json(u)).into_response(),
        None => crate::respond::error(StatusCode::NOT_FOUND, "No such user"),
    }
}
