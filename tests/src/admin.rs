//! Helpers for tests with the Atlassian Admin API beside the fake.

use std::sync::Arc;

use fake_bitbucket::{AdminConfig, FakeBitbucket, FakeConfig};
use saas_runtime::egress::Allowlist;
use saas_runtime::imports::Io;
use saas_runtime::latest::{Credential, CredentialField, Setting, SettingValue, SlotCredential};
use saas_runtime::settings::set_setting;

use crate::{Recorder, demo_credentials, io_with, limits, settings};

/// A fake whose every second workspace is admin-managed.
pub fn managed_fake(workspaces: usize, members: usize, admin: AdminConfig) -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces,
        members,
        managed_every: 2,
        admin,
        ..FakeConfig::default()
    })
    .expect("the fake starts")
}

/// The fake's settings with the Admin API's base.
pub fn admin_settings(fake: &FakeBitbucket) -> Vec<Setting> {
    let mut s = settings(fake);
    set_setting(
        &mut s,
        "admin-api-base-url",
        SettingValue::Url(fake.admin_base_url()),
    );
    s
}

/// The demo OAuth client and the fake organization's API key.
pub fn admin_credentials(fake: &FakeBitbucket) -> Vec<SlotCredential> {
    let (org, key) = fake.admin_key();
    let mut c = demo_credentials();
    c.push(SlotCredential {
        slot: "atlassian-admin".into(),
        credential: Credential::NamedFields(vec![
            CredentialField {
                name: "org-id".into(),
                value: org,
            },
            CredentialField {
                name: "api-key".into(),
                value: key,
            },
        ]),
    });
    c
}

/// I/O that reaches the fake Bitbucket and its Admin API.
pub fn admin_io(fake: &FakeBitbucket) -> (Io, Arc<Recorder>) {
    let urls =
        [fake.api_base_url(), fake.admin_base_url()].map(|u| url::Url::parse(&u).expect("a URL"));
    io_with(limits(), Allowlist::of_urls(urls.iter()).expect("loopback"))
}
