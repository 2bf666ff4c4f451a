//! Bitbucket's credentials and session state. The contract's `session`
//! carries this state as JSON in `session.state`, opaque to the host, and
//! names its issued tokens in `session.secrets` for redaction.

use serde::{Deserialize, Serialize};

use saas_connector_sdk::{Credential, Result, Timestamp};

use crate::Error;
use crate::admin::AdminKey;

/// An OAuth consumer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthClient {
    /// Consumer key.
    pub client_id: String,
    /// Consumer secret.
    pub client_secret: String,
}

/// Credentials as the operator gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Client credentials grant.
    OAuthClientCredentials(OAuthClient),
    /// Refresh token grant.
    OAuthRefreshToken {
        /// The consumer.
        client: OAuthClient,
        /// The refresh token.
        refresh_token: String,
    },
    /// Authorization code exchange.
    OAuthAuthorizationCode {
        /// The consumer.
        client: OAuthClient,
        /// The code.
        code: String,
        /// The redirect URI of the authorization request.
        redirect_uri: Option<String>,
        /// The PKCE verifier, when the request carried a challenge.
        code_verifier: Option<String>,
    },
    /// API token with account email.
    ApiToken {
        /// Account email.
        email: String,
        /// API token.
        token: String,
    },
    /// A ready bearer token.
    AccessToken(String),
    /// Legacy app password.
    AppPassword {
        /// Bitbucket username.
        username: String,
        /// App password.
        password: String,
    },
}

/// The kinds of credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMode {
    /// Client credentials.
    OAuthClientCredentials,
    /// Refresh token.
    OAuthRefreshToken,
    /// Authorization code.
    OAuthAuthorizationCode,
    /// API token.
    ApiToken,
    /// Access token.
    AccessToken,
    /// App password.
    AppPassword,
}

impl AuthMode {
    /// Whether sessions of this mode come from the OAuth token endpoint.
    pub fn is_oauth(self) -> bool {
        matches!(
            self,
            AuthMode::OAuthClientCredentials
                | AuthMode::OAuthRefreshToken
                | AuthMode::OAuthAuthorizationCode
        )
    }
}

/// How the access token is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenType {
    /// `Bearer`.
    Bearer,
    /// `Basic` (already base64 encoded).
    Basic,
}

/// An authenticated session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Which credentials produced it.
    pub mode: AuthMode,
    /// Wire scheme.
    pub token_type: TokenType,
    /// The `Authorization` value after the scheme.
    pub access_token: String,
    /// Expiry, when known.
    pub expires_at: Option<Timestamp>,
    /// Refresh token, when issued.
    pub refresh_token: Option<String>,
    /// The OAuth consumer, kept to refresh.
    pub client: Option<OAuthClient>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The Atlassian organization's API key, when the `atlassian-admin`
    /// slot was filled.
    #[serde(default)]
    pub admin: Option<AdminKey>,
    /// Whether the token endpoint issued a refresh token that replaces the
    /// credential the operator gave (a rotated refresh token, or the first
    /// one after an authorization code): handed back to the host once.
    #[serde(skip)]
    pub renewed: bool,
    /// Who consented, read once after an authorization-code exchange (the
    /// interactive connect), for the host's "connected as".
    #[serde(skip)]
    pub principal: Option<String>,
}

impl Session {
    /// The full `Authorization` header value.
    pub fn authorization(&self) -> String {
        match self.token_type {
            TokenType::Bearer => format!("Bearer {}", self.access_token),
            TokenType::Basic => format!("Basic {}", self.access_token),
        }
    }
}

impl Credentials {
    /// Reads the contract's credential for the `bitbucket` slot. A `basic`
    /// credential whose user is an email address is an Atlassian API token;
    /// otherwise it is a legacy app password with the Bitbucket username.
    pub fn from_contract(credential: &Credential) -> Result<Self> {
        let client = |c: &saas_connector_sdk::OauthClient| OAuthClient {
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.clone(),
        };
        Ok(match credential {
            Credential::OauthClientCredentials(c) => Credentials::OAuthClientCredentials(client(c)),
            Credential::OauthRefreshToken(r) => Credentials::OAuthRefreshToken {
                client: client(&r.client),
                refresh_token: r.refresh_token.clone(),
            },
            Credential::OauthAuthorizationCode(c) => Credentials::OAuthAuthorizationCode {
                client: client(&c.client),
                code: c.code.clone(),
                redirect_uri: c.redirect_uri.clone(),
                code_verifier: c.code_verifier.clone(),
            },
            Credential::Basic(b) if b.username.contains('@') => Credentials::ApiToken {
                email: b.username.clone(),
                token: b.password.clone(),
            },
            Credential::Basic(b) => Credentials::AppPassword {
                username: b.username.clone(),
                password: b.password.clone(),
            },
            Credential::BearerToken(t) => Credentials::AccessToken(t.clone()),
            Credential::NamedFields(_) => {
                return Err(Error::InvalidConfig(
                    "the bitbucket slot takes OAuth, basic or bearer credentials, not named fields"
                        .into(),
                ));
            }
        })
    }
}

impl Session {
    /// The contract's session carrying this state.
    pub fn to_contract(&self) -> saas_connector_sdk::Session {
        let mut secrets = vec![self.access_token.clone()];
        secrets.extend(self.refresh_token.clone());
        secrets.extend(self.admin.as_ref().map(|a| a.api_key.clone()));
        saas_connector_sdk::Session {
            state: serde_json::to_string(self).expect("a session serialises"),
            secrets,
            expires_at: self.expires_at,
            scopes: self.scopes.clone(),
            principal: self.principal.clone(),
            renewed: self.renewed_field().into_iter().collect(),
        }
    }

    /// The refresh token that replaces the operator's, when the token
    /// endpoint rotated it (or issued the first one for a spent code).
    fn renewed_field(&self) -> Option<saas_connector_sdk::RenewedField> {
        let (true, Some(token)) = (self.renewed, &self.refresh_token) else {
            return None;
        };
        Some(saas_connector_sdk::RenewedField {
            slot: crate::SLOT.into(),
            field: "refresh-token".into(),
            value: token.clone(),
        })
    }

    /// The state inside a contract session this connector made.
    pub fn from_contract(session: &saas_connector_sdk::Session) -> Result<Self> {
        serde_json::from_str(&session.state).map_err(|_| {
            Error::InvalidCredentials(
                "the session was not made by this connector (or by another version of it); \
                 authenticate again"
                    .into(),
            )
        })
    }
}
