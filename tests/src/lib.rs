//! Helpers for the end-to-end tests: the fake Bitbucket, the host runtime
//! with the bundled (freshly built) connectors and the test connectors (the
//! example, Cirrus), the shipped scenarios, and a recording event sink.

pub mod admin;
pub mod bitbucket_fake;
pub mod cirrus_defects;
pub mod datacenter;

use std::sync::{Arc, Mutex, OnceLock};

use fake_bitbucket::{FakeBitbucket, FakeConfig};
use saas_runtime::egress::{Allowlist, Egress, EgressLimits};
use saas_runtime::imports::{Events, Io, Level};
use saas_runtime::latest::Setting;
use saas_runtime::redact::Redactor;
use saas_runtime::{Config, Connector, Runtime, RuntimeOptions};

pub use bitbucket_fake::{allowlist, demo_credentials, settings, slot};
pub use saas_conform::kit::{limits, seen};

/// The shipped Bitbucket component of this checkout (what the command line bundles).
pub const BITBUCKET: &[u8] = include_bytes!(env!("BITBUCKET_CONNECTOR_WASM"));

/// The host probe of `saas-host conform-host`, as shipped.
pub const HOST_PROBE: &[u8] = include_bytes!(env!("HOST_PROBE_WASM"));

/// The Bitbucket component as released against contract 0.1.0, frozen.
pub const BITBUCKET_V0_1_0: &[u8] =
    include_bytes!("../fixtures/contract-0.1.0/bitbucket-connector.wasm");

/// Where the test connectors (the example and Cirrus) are.
pub const TEST_CONNECTORS_DIR: &str = env!("TEST_CONNECTORS_DIR");

/// The README's example connector (Nimbus Notes, an imaginary SaaS).
pub fn example() -> Vec<u8> {
    std::fs::read(format!("{TEST_CONNECTORS_DIR}/example-connector.wasm"))
        .expect("built by build.rs")
}

/// The Cirrus test connector (tests/cirrus), whose `defect` setting
/// builds in one defect at a time.
pub fn cirrus() -> Vec<u8> {
    std::fs::read(format!("{TEST_CONNECTORS_DIR}/cirrus-connector.wasm"))
        .expect("built by build.rs")
}

/// A scenario shipped in `tests/scenarios`.
pub fn scenario(name: &str) -> saas_conform::scenario::Scenario {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    saas_conform::scenario::Scenario::load(&dir).expect("a shipped scenario loads")
}

/// One runtime for the whole test binary. Its compile cache is one folder
/// shared by every test process: entries are keyed by the wasm's hash and
/// written by rename, so processes never see half an entry, and runs do not
/// leave a folder each behind.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let cache = std::env::temp_dir().join("saas-host-test-cache");
        Runtime::new(RuntimeOptions {
            cache_dir: Some(cache),
            ..RuntimeOptions::default()
        })
        .expect("a runtime")
    })
}

/// The bundled connector, loaded once.
pub fn connector() -> &'static Connector {
    static CONNECTOR: OnceLock<Connector> = OnceLock::new();
    CONNECTOR.get_or_init(|| {
        runtime()
            .load(BITBUCKET)
            .expect("the bundled connector loads")
    })
}

/// A fake with `workspaces` × `members`.
pub fn fake(workspaces: usize, members: usize) -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces,
        members,
        ..FakeConfig::default()
    })
    .expect("the fake starts")
}

/// Records every log line and progress event.
#[derive(Default)]
pub struct Recorder {
    /// Log lines, as the host passed them on (redacted).
    pub lines: Mutex<Vec<(Level, String)>>,
    /// Progress events.
    pub progress: Mutex<Vec<(u64, Option<u64>)>>,
}

impl Events for Recorder {
    fn log(&self, level: Level, message: &str) {
        self.lines
            .lock()
            .unwrap()
            .push((level, message.to_string()));
    }
    fn progress(&self, done: u64, total: Option<u64>, _: &str) {
        self.progress.lock().unwrap().push((done, total));
    }
}

/// The config of the bundled connector for these settings.
pub fn config(settings: &[Setting]) -> Config {
    connector()
        .config(settings)
        .expect("settings the connector declares")
}

/// I/O for calls against a fake, with a recorder.
pub fn io(fake: &FakeBitbucket) -> (Io, Arc<Recorder>) {
    io_with(limits(), allowlist(fake))
}

/// I/O with given limits and allowlist, with a recorder.
pub fn io_with(limits: EgressLimits, allowlist: Allowlist) -> (Io, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let io = Io {
        egress: Arc::new(Egress::new(limits, allowlist)),
        redactor: Arc::new(Redactor::new()),
        events: recorder.clone(),
        credentials: Arc::new(saas_runtime::credentials::NotStored),
    };
    (io, recorder)
}

/// A whole sync of the bundled component through `io` with `settings` and
/// the fake's OAuth consumer; a sync that cannot start fails the test.
pub fn sync_with(io: &Io, settings: Vec<Setting>) -> saas_runtime::sync::Listing {
    saas_runtime::sync::list_all(
        connector(),
        io,
        &saas_runtime::sync::SyncRequest::new(settings, demo_credentials()),
        &mut |_| {},
    )
    .expect("the sync starts")
}

pub use saas_conform::kit;

/// Now, in the contract's seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// An activity's kebab-case name, as the fakes' truths spell it.
pub fn activity(a: saas_runtime::latest::Activity) -> &'static str {
    use saas_runtime::latest::Activity as A;
    match a {
        A::Active => "active",
        A::Inactive => "inactive",
        A::NeverActive => "never-active",
        A::Unknown => "unknown",
    }
}
