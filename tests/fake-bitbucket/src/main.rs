//! `fake-bitbucket`: serves the fake on a port until interrupted.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use fake_bitbucket::{
    AdminConfig, AdminFaults, BodyFault, FakeBitbucket, FakeConfig, Faults, NextFault,
    PermissionsMode,
};

/// A Bitbucket Cloud stand-in on loopback.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 7990)]
    port: u16,
    /// Workspaces to generate.
    #[arg(long, default_value_t = 3)]
    workspaces: usize,
    /// Members per workspace.
    #[arg(long, default_value_t = 25)]
    members: usize,
    /// Fraction of memberships shared with other workspaces.
    #[arg(long, default_value_t = 0.3)]
    sharing: f64,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Delay before every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Every Nth API request answers 429.
    #[arg(long)]
    rate_limit_every: Option<u32>,
    /// Every Nth API request answers 503.
    #[arg(long)]
    server_error_every: Option<u32>,
    /// Access tokens expire after this many authenticated requests (once).
    #[arg(long)]
    expire_tokens_after: Option<u32>,
    /// Access token lifetime in seconds.
    #[arg(long, default_value_t = 7200)]
    token_lifetime: i64,
    /// Omit `size` and `page` from member listings.
    #[arg(long)]
    no_page_counts: bool,
    /// Permissions endpoint behaviour.
    #[arg(long, value_enum, default_value_t = Perm::Serve)]
    permissions: Perm,
    /// Corrupt member pages.
    #[arg(long, value_enum, default_value_t = Body::None)]
    body_fault: Body,
    /// Break `next` links.
    #[arg(long, value_enum, default_value_t = Next::None)]
    next_fault: Next,
    /// Repeat each page's last member at the start of the next page.
    #[arg(long)]
    duplicate_members: bool,
    /// Every Nth workspace is administered in admin.atlassian.com (0: none).
    #[arg(long, default_value_t = 5)]
    managed_every: u64,
    /// Refresh tokens stay valid after use (no rotation).
    #[arg(long)]
    no_rotation: bool,
    /// App passwords still work (as before 2026-07-28).
    #[arg(long)]
    allow_app_passwords: bool,
    /// The Admin API's users search serves at most this many per page.
    #[arg(long, default_value_t = 100)]
    admin_max_limit: usize,
    /// The users search leaves out every Nth directory user.
    #[arg(long)]
    admin_search_omits_every: Option<u32>,
    /// Every Nth Admin API request answers 429.
    #[arg(long)]
    admin_rate_limit_every: Option<u32>,
    /// The users search's next cursor repeats itself.
    #[arg(long)]
    admin_cursor_loop: bool,
    /// The org API key lacks scopes: 403 in the gateway's shape.
    #[arg(long)]
    admin_forbidden: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Perm {
    Serve,
    Forbidden,
    Error,
    Hang,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Body {
    None,
    Malformed,
    Html,
    Empty,
    WrongTypes,
    NotUtf8,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Next {
    None,
    Repeat,
    Foreign,
    MissingEarly,
    PresentOnLast,
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let faults = Faults {
        latency: Duration::from_millis(a.latency_ms),
        rate_limit_every: a.rate_limit_every,
        server_error_every: a.server_error_every.map(|n| (n, 503)),
        expire_tokens_after: a.expire_tokens_after,
        duplicate_members: a.duplicate_members,
        permissions: match a.permissions {
            Perm::Serve => PermissionsMode::Serve,
            Perm::Forbidden => PermissionsMode::Forbidden,
            Perm::Error => PermissionsMode::ServerError,
            Perm::Hang => PermissionsMode::Hang(Duration::from_secs(120)),
        },
        body: match a.body_fault {
            Body::None => BodyFault::None,
            Body::Malformed => BodyFault::MalformedJson,
            Body::Html => BodyFault::Html,
            Body::Empty => BodyFault::Empty,
            Body::WrongTypes => BodyFault::WrongTypes,
            Body::NotUtf8 => BodyFault::NotUtf8,
        },
        next: match a.next_fault {
            Next::None => NextFault::None,
            Next::Repeat => NextFault::Repeat,
            Next::Foreign => NextFault::Foreign("http://127.0.0.2:9".into()),
            Next::MissingEarly => NextFault::MissingEarly,
            Next::PresentOnLast => NextFault::PresentOnLast,
        },
        ..Faults::default()
    };
    let config = FakeConfig {
        seed: a.seed,
        workspaces: a.workspaces,
        members: a.members,
        sharing: a.sharing,
        token_lifetime: a.token_lifetime,
        page_counts: !a.no_page_counts,
        managed_every: a.managed_every,
        rotate_refresh_tokens: !a.no_rotation,
        app_passwords_removed: !a.allow_app_passwords,
        admin: AdminConfig {
            max_limit: a.admin_max_limit.max(1),
            search_omits_every: a.admin_search_omits_every,
            faults: AdminFaults {
                rate_limit_every: a.admin_rate_limit_every,
                cursor_loop: a.admin_cursor_loop,
                forbidden: a.admin_forbidden,
                ..AdminFaults::default()
            },
            ..AdminConfig::default()
        },
        faults,
        ..FakeConfig::default()
    };
    let fake = FakeBitbucket::start_on(config, SocketAddr::from(([127, 0, 0, 1], a.port)))?;
    let truth = fake.truth();
    println!("fake Bitbucket at {}", fake.api_base_url());
    println!("token endpoint   {}", fake.token_url());
    let (org, key) = fake.admin_key();
    println!(
        "Admin API at     {} (org {org}, key {key})",
        fake.admin_base_url()
    );
    println!(
        "{} workspaces, {} memberships, {} unique users",
        truth.per_workspace.len(),
        truth.memberships,
        truth.unique_users
    );
    println!(
        "credentials: OAuth demo-client / demo-client-secret; API token admin@example.com / demo-api-token"
    );
    fake.wait();
    Ok(())
}
