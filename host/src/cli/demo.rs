//! `demo`: a real sync against the fake Bitbucket, started in-process.

use anyhow::Context;
use fake_bitbucket::{FakeBitbucket, FakeConfig};
use saas_host::bindings::{Credentials, OauthClient};

use super::settings::{CredentialSettings, FileSettings};
use super::sync_cmd::{self, SyncArgs};
use super::{Exit, Failure};

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
    let settings = FileSettings {
        api_base_url: Some(fake.api_base_url()),
        token_url: Some(fake.token_url()),
        page_size: None,
        max_requests_per_step: None,
        requests_per_hour: None,
        credentials: CredentialSettings::default(),
    };
    let credentials = Credentials::OauthClientCredentials(OauthClient {
        client_id: "demo-client".into(),
        client_secret: "demo-client-secret".into(),
    });
    let synced = sync_cmd::run_with(&args.sync, settings, credentials)?;
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
