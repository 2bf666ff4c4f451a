//! `demo --connector bitbucket-dc`: a real sync of the bundled Data Center
//! connector against the fake Data Center, started in-process.

use super::settings::FileSettings;
use super::sync_cmd::{self, SyncArgs};
use super::{Exit, Failure};
use anyhow::Context;
use fake_bitbucket_dc::{ADMIN, DcConfig, FakeDc};
use saas_host_files::config_file::FileSettings as ConfigFile;
use saas_runtime::names::WitSpelled;
use saas_runtime::sync::CheckpointAt;

/// Whether `--connector` asks for the Data Center demo.
pub fn wanted(args: &SyncArgs) -> bool {
    args.connector
        .connector
        .as_deref()
        .is_some_and(|c| c.as_os_str() == "bitbucket-dc")
}

/// Runs the Data Center demo with `users` generated users.
pub fn run(args: &SyncArgs, users: usize) -> Result<Exit, Failure> {
    let fake = FakeDc::start(DcConfig {
        users,
        ..DcConfig::default()
    })
    .context("starting the fake Bitbucket Data Center")
    .map_err(Failure::other)?;
    eprintln!(
        "demo: a fake Bitbucket Data Center with {} users at {} (basic, as the administrator \
         {}): groups and direct grants give the licence, some users are deactivated, in a \
         read-only LDAP directory or never logged in",
        users + 2,
        fake.base_url(),
        ADMIN.0
    );
    let credentials = std::collections::BTreeMap::from([(
        "bitbucket-dc".to_string(),
        std::collections::BTreeMap::from([
            ("username".to_string(), ADMIN.0.to_string()),
            ("password".to_string(), ADMIN.1.to_string()),
        ]),
    )]);
    let settings = FileSettings {
        contents: ConfigFile {
            settings: vec![("base-url".into(), toml::Value::String(fake.base_url()))],
            credentials,
            ..ConfigFile::default()
        },
        ..FileSettings::default()
    };
    let synced = sync_cmd::run_with(args, settings, CheckpointAt::Nowhere)?;
    let exit = sync_cmd::print(&synced, args, Some("demo/bitbucket-dc"))?;
    let truth = fake.truth(args.inactive_days);
    let agree = synced
        .report
        .users
        .iter()
        .filter(|s| {
            truth
                .users
                .get(&s.user_id)
                .is_some_and(|t| t.activity == s.activity.wit())
        })
        .count();
    let seats = synced.report.seats.used as usize;
    let matches = agree == truth.users.len()
        && synced.listing.users.len() == truth.users.len()
        && seats == truth.licensed;
    eprintln!(
        "the fake's truth: {} users, {} holding a seat of {}: {}",
        truth.users.len(),
        truth.licensed,
        truth.seats.map_or("unlimited".into(), |n| n.to_string()),
        if matches {
            "the sync matches".to_string()
        } else {
            format!("MISMATCH ({agree} verdicts agree, {seats} seats counted)")
        }
    );
    Ok(exit)
}
