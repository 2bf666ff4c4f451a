//! The fake Bitbucket's side of the tests' setup: the settings that point
//! at it, its demo OAuth client, and an allowlist of its origin.

use fake_bitbucket::FakeBitbucket;
use saas_runtime::egress::Allowlist;
use saas_runtime::latest::{Credential, OauthClient, Setting, SettingValue, SlotCredential};
use saas_runtime::settings::set_setting;

/// The settings pointing at a fake.
pub fn settings(fake: &FakeBitbucket) -> Vec<Setting> {
    let mut config = Vec::new();
    set_setting(
        &mut config,
        "api-base-url",
        SettingValue::Url(fake.api_base_url()),
    );
    set_setting(
        &mut config,
        "token-url",
        SettingValue::Url(fake.token_url()),
    );
    config
}

/// The fake's demo OAuth client.
pub fn demo_credentials() -> Vec<SlotCredential> {
    slot(Credential::OauthClientCredentials(OauthClient {
        client_id: "demo-client".into(),
        client_secret: "demo-client-secret".into(),
    }))
}

/// `credential` for the `bitbucket` slot.
pub fn slot(credential: Credential) -> Vec<SlotCredential> {
    vec![SlotCredential {
        slot: "bitbucket".into(),
        credential,
    }]
}

/// The allowlist of the fake: its API origin only.
pub fn allowlist(fake: &FakeBitbucket) -> Allowlist {
    let url = url::Url::parse(&fake.api_base_url()).expect("the fake's URL");
    Allowlist::of_urls([&url]).expect("a loopback origin")
}
