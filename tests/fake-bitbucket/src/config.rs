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
    /// Access token lifetime in seconds.
    pub token_lifetime: i64,
    /// Whether the member and permission listings report `size` and `page`.
    pub page_counts: bool,
    /// Whether the retired `GET /2.0/workspaces` answers 410 (the default)
    /// or still lists workspaces.
    pub legacy_workspaces_gone: bool,
    /// Whether `GET /2.0/user/workspaces` is missing (404), as before 2026.
    pub user_workspaces_missing: bool,
    /// The accounts and secrets the server accepts.
    pub accounts: Accounts,
    /// Misbehaviour.
    pub faults: Faults,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            seed: 1,
            workspaces: 3,
            members: 25,
            sharing: 0.3,
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
            token_lifetime: 7200,
            page_counts: true,
            legacy_workspaces_gone: true,
            user_workspaces_missing: false,
            accounts: Accounts::default(),
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
                    scopes: full,
                },
                Client {
                    id: "repo-only-client".into(),
                    secret: "repo-only-secret".into(),
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
    /// `Retry-After` seconds sent with a 429, if any.
    pub retry_after: Option<u32>,
    /// Every Nth API request answers this 5xx status.
    pub server_error_every: Option<(u32, u16)>,
    /// After this many authenticated API requests, every access token issued
    /// so far expires (once).
    pub expire_tokens_after: Option<u32>,
    /// `next` link misbehaviour.
    pub next: NextFault,
    /// Each member page starts with the last entry of the previous page.
    pub duplicate_members: bool,
    /// Permissions endpoint behaviour.
    pub permissions: PermissionsMode,
    /// Body corruption of member and permission pages.
    pub body: BodyFault,
}
