//! Helpers for the Data Center tests: the shipped component, the fake
//! Data Center, settings, credentials and signed-in I/O.

use std::sync::{Arc, OnceLock};

use fake_bitbucket_dc::{DcConfig, FakeDc};
use saas_runtime::egress::Allowlist;
use saas_runtime::imports::Io;
use saas_runtime::latest::{BasicAuth, Credential, Setting, SettingValue, SlotCredential};
use saas_runtime::{Config, Connector, Session};

use crate::{Recorder, io_with, limits, runtime};

/// The shipped Data Center component of this checkout.
pub const BITBUCKET_DC: &[u8] = include_bytes!(env!("BITBUCKET_DC_CONNECTOR_WASM"));

/// The Data Center component, loaded once.
pub fn dc() -> &'static Connector {
    static CONNECTOR: OnceLock<Connector> = OnceLock::new();
    CONNECTOR.get_or_init(|| runtime().load(BITBUCKET_DC).expect("the component loads"))
}

/// A fake Data Center.
pub fn dc_fake(config: DcConfig) -> FakeDc {
    FakeDc::start(config).expect("the fake starts")
}

/// The settings for `fake`, with `extra` whole-number settings.
pub fn dc_settings(fake: &FakeDc, extra: &[(&str, u32)]) -> Vec<Setting> {
    let mut settings = vec![Setting {
        name: "base-url".into(),
        value: SettingValue::Url(fake.base_url()),
    }];
    settings.extend(extra.iter().map(|(name, n)| Setting {
        name: (*name).into(),
        value: SettingValue::U32(*n),
    }));
    settings
}

/// A basic credential for the `bitbucket-dc` slot.
pub fn basic((username, password): (&str, &str)) -> Vec<SlotCredential> {
    vec![SlotCredential {
        slot: "bitbucket-dc".into(),
        credential: Credential::Basic(BasicAuth {
            username: username.into(),
            password: password.into(),
        }),
    }]
}

/// A bearer credential for the `bitbucket-dc` slot.
pub fn bearer(token: &str) -> Vec<SlotCredential> {
    vec![SlotCredential {
        slot: "bitbucket-dc".into(),
        credential: Credential::BearerToken(token.into()),
    }]
}

/// I/O that reaches the fake only, with quick retries and a recorder.
pub fn dc_io(fake: &FakeDc) -> (Io, Arc<Recorder>) {
    let url = url::Url::parse(&fake.base_url()).expect("the fake's URL");
    io_with(
        limits(),
        Allowlist::of_urls([&url]).expect("a loopback origin"),
    )
}

/// Everything a call needs, signed in with `credentials`.
pub struct SignedIn {
    /// I/O to the fake.
    pub io: Io,
    /// Its log lines.
    pub recorder: Arc<Recorder>,
    /// The config.
    pub config: Config,
    /// The session.
    pub session: Session,
}

/// Signs in to `fake` with `settings` and `credentials`.
pub fn sign_in(fake: &FakeDc, settings: &[Setting], credentials: &[SlotCredential]) -> SignedIn {
    let (io, recorder) = dc_io(fake);
    let config = dc().config(settings).expect("declared settings");
    saas_runtime::sync::register_credentials(&io, dc(), credentials);
    let session = dc()
        .authenticate(&io, &config, credentials)
        .expect("no trap")
        .expect("signed in");
    saas_runtime::listing::register_session(&io, &session);
    SignedIn {
        io,
        recorder,
        config,
        session,
    }
}

/// The default fake with the administrator signed in.
pub fn admin_signed_in(config: DcConfig, extra: &[(&str, u32)]) -> (FakeDc, SignedIn) {
    let fake = dc_fake(config);
    let s = sign_in(
        &fake,
        &dc_settings(&fake, extra),
        &basic(fake_bitbucket_dc::ADMIN),
    );
    (fake, s)
}
