//! What a run of the fake looks like: the size of its data, its server
//! settings (page maximum, context path, licence) and its faults.

use std::time::Duration;

/// Faults, switchable while the fake runs.
#[derive(Debug, Clone, Default)]
pub struct DcFaults {
    /// The first n API requests answer 429.
    pub rate_limit_first: Option<u32>,
    /// Every n-th API request answers 429.
    pub rate_limit_every: Option<u32>,
    /// The `Retry-After` of a 429, in seconds; none: no header.
    pub retry_after: Option<u32>,
    /// Every n-th API request answers this status.
    pub server_error_every: Option<(u32, u16)>,
    /// `/admin/users` answers a `nextPageStart` equal to its `start`.
    pub stuck_next: bool,
    /// `/admin/users` never says `isLastPage: true` (pages past the end
    /// come back empty).
    pub never_last: bool,
    /// `/admin/users` says "not the last page" without a `nextPageStart`.
    pub missing_next: bool,
    /// Each `/admin/users` page after the first repeats the previous
    /// page's last user.
    pub duplicate_users: bool,
    /// `/admin/users` answers 200 with an HTML page.
    pub html_users: bool,
    /// `/admin/users` answers a page whose first item has no id.
    pub broken_user: bool,
    /// Latency added to every request.
    pub latency: Duration,
}

/// The fake's configuration.
#[derive(Debug, Clone)]
pub struct DcConfig {
    /// Generated users (besides the `admin` and `viewer` accounts).
    pub users: usize,
    /// The server's `page.max.*`: larger limits are clamped to it.
    pub page_max: u32,
    /// Whether a permission-filtered `/users` above half the page maximum
    /// drops users, as BSERV-11884 reports of real servers.
    pub drop_over_half: bool,
    /// A context path, such as `/bitbucket` (empty: the root).
    pub context_path: String,
    /// Seats bought; none: the licensed users plus ten.
    pub seats: Option<u32>,
    /// An unlimited licence.
    pub unlimited: bool,
    /// No licence installed (`/admin/license` answers 404).
    pub no_licence: bool,
    /// Added to the licence's own count of users, so that it disagrees
    /// with the users that hold a seat.
    pub licence_skew: i32,
    /// Whether an HTTP access token may read `/admin/users` (the doc leaves
    /// it open; off, it answers "not permitted").
    pub tokens_read_admin_users: bool,
    /// Failed logins of a username before it is put behind a CAPTCHA.
    pub captcha_after: Option<u32>,
    /// Faults at the start.
    pub faults: DcFaults,
}

impl Default for DcConfig {
    fn default() -> Self {
        DcConfig {
            users: 60,
            page_max: 1000,
            drop_over_half: true,
            context_path: String::new(),
            seats: None,
            unlimited: false,
            no_licence: false,
            licence_skew: 0,
            tokens_read_admin_users: true,
            captcha_after: Some(5),
            faults: DcFaults::default(),
        }
    }
}

/// The administrator's username and password.
pub const ADMIN: (&str, &str) = ("admin", "admin-password");
/// A user without ADMIN (licensed only).
pub const VIEWER: (&str, &str) = ("viewer", "viewer-password");
/// The administrator's personal HTTP access token (which cannot carry ADMIN).
pub const ADMIN_TOKEN: &str = "dc-token-0f6c1a";
