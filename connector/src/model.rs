//! Plain Rust forms of the contract's data. The component adapter converts
//! between these and the generated bindings; nothing else sees the bindings.

use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;

/// Where requests go; see the WIT `config` record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// REST API base URL override.
    pub api_base_url: Option<String>,
    /// OAuth token URL override.
    pub token_url: Option<String>,
    /// Items per page (1 to 100).
    pub page_size: Option<u32>,
    /// Only these workspace slugs, when not empty.
    pub include_workspaces: Vec<String>,
    /// Never these workspace slugs.
    pub exclude_workspaces: Vec<String>,
    /// Request budget of one listing step.
    pub max_requests_per_step: Option<u32>,
}

/// An OAuth consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Every mode, in contract order.
    pub const ALL: [AuthMode; 6] = [
        AuthMode::OAuthClientCredentials,
        AuthMode::OAuthRefreshToken,
        AuthMode::OAuthAuthorizationCode,
        AuthMode::ApiToken,
        AuthMode::AccessToken,
        AuthMode::AppPassword,
    ];

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    /// `Bearer`.
    Bearer,
    /// `Basic` (already base64 encoded).
    Basic,
}

/// An authenticated session.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

impl Session {
    /// The full `Authorization` header value.
    pub fn authorization(&self) -> String {
        match self.token_type {
            TokenType::Bearer => format!("Bearer {}", self.access_token),
            TokenType::Basic => format!("Basic {}", self.access_token),
        }
    }

    /// Every secret this session holds, for redaction.
    pub fn secrets(&self) -> Vec<&str> {
        let mut out = vec![self.access_token.as_str()];
        out.extend(self.refresh_token.as_deref());
        out.extend(self.client.as_ref().map(|c| c.client_secret.as_str()));
        out
    }
}

/// A workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// uuid with braces.
    pub id: String,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: Option<String>,
    /// Private flag.
    pub is_private: Option<bool>,
    /// Creation time.
    pub created_on: Option<Timestamp>,
    /// Update time.
    pub updated_on: Option<Timestamp>,
}

/// A member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Administrator.
    Owner,
    /// Collaborator.
    Collaborator,
    /// Member.
    Member,
}

/// Which listing a membership came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipSource {
    /// `/permissions`.
    Permissions,
    /// `/members`.
    Members,
}

/// One seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// Workspace slug.
    pub workspace: String,
    /// Workspace id.
    pub workspace_id: String,
    /// Role.
    pub role: Option<Role>,
    /// Join time.
    pub added_on: Option<Timestamp>,
    /// Last access.
    pub last_accessed: Option<Timestamp>,
    /// Source listing.
    pub source: MembershipSource,
}

/// A user with memberships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// uuid with braces.
    pub id: String,
    /// Atlassian account id.
    pub account_id: Option<String>,
    /// Nickname.
    pub nickname: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Legacy username.
    pub username: Option<String>,
    /// Legacy website.
    pub website: Option<String>,
    /// Account status.
    pub account_status: Option<String>,
    /// 2FA flag.
    pub has_2fa_enabled: Option<bool>,
    /// Account creation.
    pub created_on: Option<Timestamp>,
    /// Seats.
    pub memberships: Vec<Membership>,
}

/// Listing progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListingProgress {
    /// Workspaces finished.
    pub workspaces_done: u32,
    /// Workspaces in all, after discovery.
    pub workspaces_total: Option<u32>,
    /// Memberships listed.
    pub memberships_listed: u64,
    /// Memberships in all, when counts are known.
    pub memberships_total: Option<u64>,
}

/// One listing step's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPage {
    /// Users found.
    pub users: Vec<User>,
    /// Workspaces described.
    pub workspaces: Vec<Workspace>,
    /// Cursor to continue; none when done.
    pub next_cursor: Option<String>,
    /// Progress.
    pub progress: ListingProgress,
    /// Refreshed session, if any.
    pub session: Option<Session>,
    /// Requests made.
    pub requests: u32,
    /// Duplicates dropped.
    pub duplicates_dropped: u32,
}

/// A group permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupPermission {
    /// read
    Read,
    /// write
    Write,
    /// admin
    Admin,
}

/// A group member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    /// uuid with braces.
    pub id: Option<String>,
    /// Account id.
    pub account_id: Option<String>,
    /// Nickname.
    pub nickname: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
}

/// Names a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// Workspace slug.
    pub workspace: String,
    /// Group slug.
    pub slug: String,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Which group.
    pub group_ref: GroupRef,
    /// Name.
    pub name: String,
    /// Permission.
    pub permission: Option<GroupPermission>,
    /// Auto-add flag.
    pub auto_add: bool,
    /// Email forwarding disabled flag.
    pub email_forwarding_disabled: bool,
    /// Members.
    pub members: Vec<GroupMember>,
}

/// A change to a group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupUpdate {
    /// New name.
    pub name: Option<String>,
    /// New permission.
    pub permission: Option<GroupPermission>,
    /// New auto-add flag.
    pub auto_add: Option<bool>,
}
