//! `demo`: a real sync against the fake Bitbucket, started in-process.

use super::settings::FileSettings;
use super::sync_cmd::{self, SyncArgs};
use super::{Exit, Failure};
use anyhow::Context;
use fake_bitbucket::{FakeBitbucket, FakeConfig};
use saas_host_files::config_file::FileSettings as ConfigFile;
use saas_runtime::names::WitSpelled;
use saas_runtime::sync::CheckpointAt;

/// Options of `demo`: Bitbucket Cloud by default, the fake Data Center
/// with `--connector bitbucket-dc`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Workspaces in the fake.
    #[arg(long, default_value_t = 4)]
    pub workspaces: usize,
    /// Members per workspace.
    #[arg(long, default_value_t = 120)]
    pub members: usize,
    /// Users in the fake Data Center (`--connector bitbucket-dc`).
    #[arg(long, default_value_t = 240)]
    pub users: usize,
    /// The same fleet this many days later: dates aged, some people active
    /// since, some gone and as many new; two demo syncs then show what
    /// `saas-host diff` finds.
    #[arg(long, value_name = "DAYS", default_value_t = 0)]
    pub days_later: u32,
    /// Leave the Atlassian organization's API key out, to see what an
    /// operator without one sees for admin-managed workspaces.
    #[arg(long)]
    pub without_admin_key: bool,
    /// Sync options.
    #[command(flatten)]
    pub sync: SyncArgs,
}

/// `demo`.
pub fn run(args: &DemoArgs) -> Result<Exit, Failure> {
    if super::demo_dc::wanted(&args.sync) {
        return super::demo_dc::run(&args.sync, args.users);
    }
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: args.workspaces,
        members: args.members,
        // Every second workspace is administered in admin.atlassian.com.
        managed_every: 2,
        aged_days: args.days_later,
        ..FakeConfig::default()
    })
    .context("starting the fake Bitbucket")
    .map_err(Failure::other)?;
    eprintln!(
        "demo: a fake Bitbucket with {} workspaces x {} members at {} (OAuth client \
         credentials); every second workspace is administered in admin.atlassian.com, {}",
        args.workspaces,
        args.members,
        fake.api_base_url(),
        if args.without_admin_key {
            "and no organization API key is given"
        } else {
            "with the Atlassian Admin API's dates through an organization API key"
        }
    );
    let url = |u: String| toml::Value::String(u);
    let owned = |fields: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let mut credentials = std::collections::BTreeMap::from([(
        "bitbucket".to_string(),
        owned(&[
            ("client-id", "demo-client"),
            ("client-secret", "demo-client-secret"),
        ]),
    )]);
    let (org, key) = fake.admin_key();
    if !args.without_admin_key {
        credentials.insert(
            "atlassian-admin".into(),
            owned(&[("org-id", &org), ("api-key", &key)]),
        );
    }
    let settings = FileSettings {
        contents: ConfigFile {
            settings: vec![
                ("api-base-url".into(), url(fake.api_base_url())),
                ("token-url".into(), url(fake.token_url())),
                ("admin-api-base-url".into(), url(fake.admin_base_url())),
            ],
            credentials,
            ..ConfigFile::default()
        },
        ..FileSettings::default()
    };
    let synced = sync_cmd::run_with(&args.sync, settings, CheckpointAt::Nowhere)?;
    let exit = sync_cmd::print(&synced, &args.sync, Some("demo/bitbucket"))?;
    let truth = fake.truth();
    let expected = fake.expected(args.sync.inactive_days, !args.without_admin_key);
    let verdicts = synced
        .report
        .users
        .iter()
        .filter(|s| {
            expected
                .get(&s.user_id)
                .is_some_and(|e| e.activity == s.activity.wit())
        })
        .count();
    let matches = truth.unique_users == synced.listing.users.len()
        && truth.memberships == synced.report.reconciliation.membership_sum as usize
        && verdicts == expected.len();
    eprintln!(
        "the fake's truth: {} users, {} memberships, {} verdicts: {}",
        truth.unique_users,
        truth.memberships,
        expected.len(),
        if matches {
            "the sync matches".to_string()
        } else {
            format!("MISMATCH ({verdicts} verdicts agree)")
        }
    );
    if !args.without_admin_key {
        eprintln!("run `saas-host demo --without-admin-key` to see the same fleet without the key");
    }
    Ok(exit)
}
