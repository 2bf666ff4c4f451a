//! Signing in: the credential as the slot gave it, the session kept
//! between calls, and `authenticate`'s check of both the credential and the
//! global permission it carries.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::config::Config;
use crate::upstream::{self, NEEDS_ADMIN};
use crate::{Error, Result};
use saas_connector_sdk::http::{HttpClient, Request};
use saas_connector_sdk::log::Logger;
use saas_connector_sdk::{Credential, Session as ContractSession};

/// The session: the `Authorization` value and what the credential may do.
/// Its `Debug` never shows the header.
#[derive(Clone)]
pub struct Session {
    authorization: String,
    /// Whether the credential carries ADMIN: the licence, the global
    /// permissions and every group change need it.
    pub admin: bool,
    /// Who the credential acts for, when known.
    pub principal: Option<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("admin", &self.admin)
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// The header value to send.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// `forbidden` with the reason when the session lacks ADMIN.
    pub fn require_admin(&self, what: &str) -> Result<()> {
        if self.admin {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("{what}: {NEEDS_ADMIN}")))
        }
    }

    /// Reads the contract's session back.
    pub fn from_contract(session: &ContractSession) -> Result<Self> {
        let v: Option<Value> = serde_json::from_str(&session.state).ok();
        let read = |v: &Value| {
            Some(Session {
                authorization: crate::wire::text(v, "authorization")?,
                admin: crate::wire::flag(v, "admin")?,
                principal: crate::wire::text(v, "principal"),
            })
        };
        v.as_ref().and_then(read).ok_or_else(|| {
            Error::InvalidConfig("the session was not made by this connector".into())
        })
    }

    /// The contract's session: the state, and the encoded header among the
    /// secrets (the password alone is masked by the host already; its
    /// base64 form would not be).
    pub fn to_contract(&self) -> ContractSession {
        ContractSession {
            state: json!({
                "authorization": self.authorization,
                "admin": self.admin,
                "principal": self.principal,
            })
            .to_string(),
            secrets: vec![self.authorization.clone()],
            expires_at: None,
            scopes: Vec::new(),
            principal: self.principal.clone(),
            renewed: Vec::new(),
        }
    }
}

/// The header of a credential: Basic of a username and password, or
/// Bearer of an HTTP access token.
fn authorization(credential: &Credential) -> Result<(String, Option<String>)> {
    match credential {
        Credential::Basic(b) if b.username.is_empty() || b.password.is_empty() => Err(
            Error::InvalidConfig("basic credentials need a username and a password".into()),
        ),
        Credential::Basic(b) => Ok((
            format!(
                "Basic {}",
                STANDARD.encode(format!("{}:{}", b.username, b.password))
            ),
            Some(b.username.clone()),
        )),
        Credential::BearerToken(t) if t.trim().is_empty() => {
            Err(Error::InvalidConfig("the bearer token is empty".into()))
        }
        Credential::BearerToken(t) => Ok((format!("Bearer {}", t.trim()), None)),
        other => Err(Error::InvalidConfig(format!(
            "Bitbucket Data Center takes basic (an administrator's username and password) or \
             a bearer HTTP access token, not {:?}",
            other.kind()
        ))),
    }
}

/// Checks the credential with `/admin/license` (ADMIN). A 401 there is
/// asked again of `/users` (any signed-in user), which tells bad
/// credentials from a valid user without ADMIN; such a session still lists
/// users and their last logins, and says what it cannot see.
pub fn authenticate(
    http: &dyn HttpClient,
    config: &Config,
    credential: &Credential,
    log: &dyn Logger,
) -> Result<Session> {
    let (authorization, principal) = authorization(credential)?;
    let get = |path: &str, query: &[(&str, &str)]| {
        http.send(Request::get(config.api(path, query), &authorization))
            .map_err(|e| upstream::transport(e, "signing in"))
    };
    let licence = get("/admin/license", &[])?;
    let named = |r: &saas_connector_sdk::http::Response| {
        principal
            .clone()
            .or_else(|| r.header("x-ausername").map(String::from))
    };
    if licence.is_success() || licence.status == 404 {
        return Ok(Session {
            principal: named(&licence),
            authorization,
            admin: true,
        });
    }
    if licence.status != 401 {
        return Err(upstream::api_error(&licence, "signing in"));
    }
    let users = get("/users", &[("limit", "1")])?;
    if !users.is_success() {
        return Err(match upstream::api_error(&users, "signing in") {
            // A 401 of an endpoint open to every signed-in user is never
            // "not permitted".
            Error::Forbidden(m) => Error::InvalidCredentials(m),
            e => e,
        });
    }
    log.warn(&format!(
        "signed in without ADMIN: users and last logins are listed, but not the licence's seats \
         nor why each user holds one, and groups cannot be changed; {NEEDS_ADMIN}"
    ));
    Ok(Session {
        principal: named(&users),
        authorization,
        admin: false,
    })
}
