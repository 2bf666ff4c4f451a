//! `fake-bitbucket`: serves the fake on a port until interrupted.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use fake_bitbucket::{BodyFault, FakeBitbucket, FakeConfig, Faults, NextFault, PermissionsMode};

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
        faults,
        ..FakeConfig::default()
    };
    let fake = FakeBitbucket::start_on(config, SocketAddr::from(([127, 0, 0, 1], a.port)))?;
    let truth = fake.truth();
    println!("fake Bitbucket at {}", fake.api_base_url());
    println!("token endpoint   {}", fake.token_url());
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
