//! `fake-bitbucket-dc`: serves the fake Data Center on loopback until
//! interrupted, with its quirks and faults chosen by flags.

use std::time::Duration;

use clap::Parser;
use fake_bitbucket_dc::{ADMIN, ADMIN_TOKEN, DcConfig, DcFaults, FakeDc, VIEWER};

/// A Bitbucket Data Center stand-in on loopback.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 7990)]
    port: u16,
    /// Users to generate (besides `admin` and `viewer`).
    #[arg(long, default_value_t = 60)]
    users: usize,
    /// The server's page maximum (`page.max.*`): larger limits are clamped.
    #[arg(long, default_value_t = 1000)]
    page_max: u32,
    /// Serve permission-filtered lists whole whatever the limit (no BSERV-11884).
    #[arg(long)]
    no_bserv_11884: bool,
    /// A context path, such as `/bitbucket`.
    #[arg(long, default_value = "")]
    context_path: String,
    /// Seats bought (default: the licensed users plus ten).
    #[arg(long)]
    seats: Option<u32>,
    /// An unlimited licence.
    #[arg(long)]
    unlimited: bool,
    /// No licence installed.
    #[arg(long)]
    no_licence: bool,
    /// Added to the licence's own count of users.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    licence_skew: i32,
    /// Every Nth request answers 429.
    #[arg(long)]
    rate_limit_every: Option<u32>,
    /// The `Retry-After` of a 429, in seconds.
    #[arg(long)]
    retry_after: Option<u32>,
    /// Every Nth request answers 503.
    #[arg(long)]
    server_error_every: Option<u32>,
    /// `/admin/users` answers a `nextPageStart` equal to its `start`.
    #[arg(long)]
    stuck_next: bool,
    /// `/admin/users` never says it is the last page.
    #[arg(long)]
    never_last: bool,
    /// `/admin/users` gives no `nextPageStart` on a page that is not the last.
    #[arg(long)]
    missing_next: bool,
    /// Each `/admin/users` page repeats the previous page's last user.
    #[arg(long)]
    duplicate_users: bool,
    /// `/admin/users` answers an HTML page.
    #[arg(long)]
    html_users: bool,
    /// Delay before every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

fn main() -> std::io::Result<()> {
    let a = Args::parse();
    let config = DcConfig {
        users: a.users,
        page_max: a.page_max.max(1),
        drop_over_half: !a.no_bserv_11884,
        context_path: a.context_path,
        seats: a.seats,
        unlimited: a.unlimited,
        no_licence: a.no_licence,
        licence_skew: a.licence_skew,
        faults: DcFaults {
            rate_limit_every: a.rate_limit_every,
            retry_after: a.retry_after,
            server_error_every: a.server_error_every.map(|n| (n, 503)),
            stuck_next: a.stuck_next,
            never_last: a.never_last,
            missing_next: a.missing_next,
            duplicate_users: a.duplicate_users,
            html_users: a.html_users,
            latency: Duration::from_millis(a.latency_ms),
            ..DcFaults::default()
        },
        ..DcConfig::default()
    };
    let fake = FakeDc::start_on(config, a.port)?;
    println!("Bitbucket Data Center at {}", fake.base_url());
    println!(
        "basic {} / {} (ADMIN), {} / {} (licensed only); bearer {ADMIN_TOKEN}",
        ADMIN.0, ADMIN.1, VIEWER.0, VIEWER.1
    );
    fake.wait();
    Ok(())
}
