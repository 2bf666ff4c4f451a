//! What a fake Bitbucket serves and how it misbehaves.

use std::time::Duration;

/// The data and behaviour of one fake server.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// Seed of the generated data: the same seed gives the same data.
    pub seed: u64,
    /// Number of workspaces.
    pub workspaces: usize,
    /// Members per workspace.
    pub members: usize,
    /// Fraction (0..=1) of memberships that go to users already in another
    /// workspace; 0 gives disjoint workspaces.
    pub sharing: f64,
    /// Unix time the generated dates are relative to ("now").
    pub now: i64,
    /// Days that passed since the seed's data: 0 for the data itself, more
    /// for the same fleet later (dates aged, some members active since,
    /// some gone and as many new), so that two syncs differ as two months do.
    pub aged_days: u32,
    /// Access token lifetime in seconds.
    pub token_lifetime: i64,
    /// Whether the member and permission listings report `size` and `page`.
    pub page_counts: bool,
    /// Whether the retired `GET /2.0/workspaces` answers 410 (the default)
    /// or still lists workspaces.
    pub legacy_workspaces_gone: bool,
    /// Whether `GET /2.0/user/workspaces` is missing (404), as before 2026.
    pub user_workspaces_missing: bool,
    /// Every this-many-th workspace (the last of each run of this many) is
    /// administered in admin.atlassian.com: no dates in `/permissions`, 1.0
    /// group writes refused. 0 for none.
    pub managed_every: u64,
    /// Whether a refresh-token grant retires the refresh token it used.
    pub rotate_refresh_tokens: bool,
    /// Whether app passwords are refused (removed on 2026-07-28).
    pub app_passwords_removed: bool,
    /// Whether some display names are hostile to CSV and spreadsheets
    /// ([`crate::seed::AWKWARD_NAMES`]).
    pub awkward_names: bool,
    /// The accounts and secrets the server accepts.
    pub accounts: Accounts,
    /// The Atlassian Admin API served beside it.
    pub admin: AdminConfig,
    /// Misbehaviour.
    pub faults: Faults,
}

/// The Atlassian organization the fake Admin API serves.
#[derive(Debug, Clone)]
pub struct AdminConfig {
    /// The organization id.
    pub org_id: String,
    /// The accepted organization API key.
    pub api_key: String,
    /// The one directory's id.
    pub directory_id: String,
    /// The largest page the users search serves (it clamps `limit`).
    pub max_limit: usize,
    /// Every Nth directory user is left out of search answers (as an
    /// incomplete index would), so that only the per-user call finds them.
    pub search_omits_every: Option<u32>,
    /// Misbehaviour.
    pub faults: AdminFaults,
}

/// Misbehaviour of the Admin API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminFaults {
    /// Every Nth Admin request answers 429 `ADMIN-429-1`.
    pub rate_limit_every: Option<u32>,
    /// `Retry-After` seconds sent with those 429s, if any.
    pub retry_after: Option<u32>,
    /// The users search's `links.next` repeats the cursor it was given.
    pub cursor_loop: bool,
    /// A scoped key lacking scopes: 403 in the gateway's shape.
    pub forbidden: bool,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            org_id: "0e4c2a51-7f3b-4d7e-9a61-2b8f5c3d9e10".into(),
            api_key: "demo-org-api-key".into(),
            directory_id: "6d1f0c9a-3b2e-4f57-8c1d-0a9e7b6c5d41".into(),
            max_limit: 100,
            search_omits_every: None,
            faults: AdminFaults::default(),
        }
    }
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            seed: 1,
            workspaces: 3,
            members: 25,
            sharing: 0.3,
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
            aged_days: 0,
            token_lifetime: 7200,
            page_counts: true,
            legacy_workspaces_gone: true,
            user_workspaces_missing: false,
            managed_every: 5,
            rotate_refresh_tokens: true,
            app_passwords_removed: true,
            awkward_names: false,
            accounts: Accounts::default(),
            admin: AdminConfig::default(),
            faults: Faults::default(),
        }
    }
}

/// An OAuth consumer the server knows.
#[derive(Debug, Clone)]
pub struct Client {
    /// Key.
    pub id: String,
    /// Secret.
    pub secret: String,
    /// Scopes its tokens carry.
    pub scopes: Vec<String>,
    /// The registered callback URL: a consent request must name exactly
    /// this one, or none. Without one, any loopback `redirect_uri` works.
    pub callback: Option<String>,
}

/// Accepted credentials. Defaults are the demo's published test secrets.
#[derive(Debug, Clone)]
pub struct Accounts {
    /// OAuth consumers.
    pub clients: Vec<Client>,
    /// Refresh tokens issued up front, with their client id.
    pub refresh_tokens: Vec<(String, String)>,
    /// Authorization codes (single use), with their client id.
    pub auth_codes: Vec<(String, String)>,
    /// API tokens: (email, token).
    pub api_tokens: Vec<(String, String)>,
    /// App passwords: (username, password).
    pub app_passwords: Vec<(String, String)>,
    /// Non-expiring workspace access tokens.
    pub access_tokens: Vec<String>,
}

/// Scopes that allow reading workspaces and members.
pub const READ_SCOPES: [&str; 2] = ["read:workspace:bitbucket", "read:user:bitbucket"];

impl Default for Accounts {
    fn default() -> Self {
        let full: Vec<String> = READ_SCOPES
            .iter()
            .chain(&["admin:workspace:bitbucket"])
            .map(|s| s.to_string())
            .collect();
        Accounts {
            clients: vec![
                Client {
                    id: "demo-client".into(),
                    secret: "demo-client-secret".into(),
                    callback: None,
                    scopes: full,
                },
                Client {
                    id: "repo-only-client".into(),
                    secret: "repo-only-secret".into(),
                    callback: None,
                    scopes: vec!["read:repository:bitbucket".into()],
                },
            ],
            refresh_tokens: vec![("demo-refresh-token".into(), "demo-client".into())],
            auth_codes: vec![("demo-auth-code".into(), "demo-client".into())],
            api_tokens: vec![("admin@example.com".into(), "demo-api-token".into())],
            app_passwords: vec![("demo-admin".into(), "demo-app-password".into())],
            access_tokens: vec!["demo-access-token".into()],
        }
    }
}

/// What a body fault does to member and permission pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyFault {
    /// Correct JSON.
    #[default]
    None,
    /// Truncated JSON.
    MalformedJson,
    /// An HTML error page with status 200.
    Html,
    /// An empty body with status 200.
    Empty,
    /// Valid JSON with the wrong types (`values` an object, `size` a string).
    WrongTypes,
    /// Bytes that are not UTF-8.
    NotUtf8,
}

/// How the permissions endpoint behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PermissionsMode {
    /// Normal.
    #[default]
    Serve,
    /// 403 for every workspace.
    Forbidden,
    /// 500 for every workspace.
    ServerError,
    /// Waits this long before answering 504 (a timeout for most clients).
    Hang(Duration),
    /// Serves page 1, then answers 503 for every later page: a listing
    /// that fails part-way through a workspace.
    FailAfterFirstPage,
}

/// How `next` links misbehave on member and permission listings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NextFault {
    /// Correct links.
    #[default]
    None,
    /// Page 2's `next` points back to page 1.
    Repeat,
    /// Page 1's `next` points to this other base URL.
    Foreign(String),
    /// `next` is missing from page 1 even though more pages exist.
    MissingEarly,
    /// The last page carries a `next` to an empty page.
    PresentOnLast,
}

/// Misbehaviour, switchable per run.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Delay before every answer.
    pub latency: Duration,
    /// Every Nth API request answers 429.
    pub rate_limit_every: Option<u32>,
    /// All API requests answer 429 during the first this-long after the fault is set.
    pub rate_limit_for: Option<Duration>,
    /// Every API request after the first this-many answers 429.
    pub rate_limit_after: Option<u32>,
    /// The first this-many API requests answer 429 (a storm that ends).
    pub rate_limit_first: Option<u32>,
    /// `Retry-After` seconds sent with a 429, if any.
    pub retry_after: Option<u32>,
    /// Every Nth API request answers this 5xx status.
    pub server_error_every: Option<(u32, u16)>,
    /// After this many authenticated API requests, every access token issued
    /// so far expires (once).
    pub expire_tokens_after: Option<u32>,
    /// After every this-many authenticated API requests, every access token
    /// issued so far expires (again and again: a long sync with short-lived
    /// tokens).
    pub expire_tokens_every: Option<u32>,
    /// Of the tokens issued after the first, this many are born expired
    /// (a clock skew): a refresh that does not help.
    pub born_expired: u32,
    /// `next` link misbehaviour.
    pub next: NextFault,
    /// Each member page starts with the last entry of the previous page.
    pub duplicate_members: bool,
    /// Permissions endpoint behaviour.
    pub permissions: PermissionsMode,
    /// Body corruption of member and permission pages.
    pub body: BodyFault,
}
