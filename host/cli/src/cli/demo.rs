//! `demo`: a real sync against the fake Bitbucket, started in-process.

use super::settings::FileSettings;
use super::sync_cmd::{self, SyncArgs};
use super::{Exit, Failure};
use anyhow::Context;
use fake_bitbucket::{FakeBitbucket, FakeConfig};
use saas_runtime::sync::CheckpointAt;

/// Options of `demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Workspaces in the fake.
    #[arg(long, default_value_t = 4)]
    pub workspaces: usize,
    /// Members per workspace.
    #[arg(long, default_value_t = 120)]
    pub members: usize,
    /// Sync options.
    #[command(flatten)]
    pub sync: SyncArgs,
}

/// `demo`.
pub fn run(args: &DemoArgs) -> Result<Exit, Failure> {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: args.workspaces,
        members: args.members,
        ..FakeConfig::default()
    })
    .context("starting the fake Bitbucket")
    .map_err(Failure::other)?;
    eprintln!(
        "demo: a fake Bitbucket with {} workspaces x {} members at {} (OAuth client credentials)",
        args.workspaces,
        args.members,
        fake.api_base_url()
    );
    let url = |u: String| toml::Value::String(u);
    let fields = [
        ("client-id", "demo-client"),
        ("client-secret", "demo-client-secret"),
    ];
    let settings = FileSettings {
        settings: vec![
            ("api-base-url".into(), url(fake.api_base_url())),
            ("token-url".into(), url(fake.token_url())),
        ],
        credentials: [(
            "bitbucket".to_string(),
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )]
        .into(),
        ..FileSettings::default()
    };
    let synced = sync_cmd::run_with(&args.sync, settings, CheckpointAt::Nowhere)?;
    let exit = sync_cmd::print(&synced, args.sync.format)?;
    let truth = fake.truth();
    let matches = truth.unique_users == synced.listing.users.len()
        && truth.memberships == synced.report.reconciliation.membership_sum as usize;
    eprintln!(
        "the fake's truth: {} users, {} memberships: {}",
        truth.unique_users,
        truth.memberships,
        if matches {
            "the sync matches"
        } else {
            "MISMATCH"
        }
    );
    Ok(exit)
}
