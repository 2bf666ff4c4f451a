//! Helpers for the end-to-end tests: the fake Bitbucket, the host runtime
//! with the bundled (freshly built) connector or a defective variant, and a
//! recording event sink.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use fake_bitbucket::{FakeBitbucket, FakeConfig};
use saas_host::bindings::{Config, Credentials, OauthClient};
use saas_host::egress::{AllowedHost, Egress, EgressPolicy, RetryPolicy};
use saas_host::imports::{Events, Io, Level};
use saas_host::redact::Redactor;
use saas_host::{Connector, Runtime, RuntimeOptions};

/// Where the defective connectors are.
pub const DEFECTS_DIR: &str = env!("DEFECT_CONNECTORS_DIR");

/// A defective connector's bytes (`name` without the `defect-` prefix).
pub fn defect(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DEFECTS_DIR}/defect-{name}.wasm")).expect("built by build.rs")
}

/// One runtime for the whole test binary (with a private compile cache).
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let cache =
            std::env::temp_dir().join(format!("saas-host-test-cache-{}", std::process::id()));
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
            .load(saas_host::BUNDLED_CONNECTOR)
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

/// The connector config pointing at a fake.
pub fn config(fake: &FakeBitbucket) -> Config {
    Config {
        api_base_url: Some(fake.api_base_url()),
        token_url: Some(fake.token_url()),
        ..Config::default()
    }
}

/// The demo OAuth client credentials.
pub fn demo_credentials() -> Credentials {
    Credentials::OauthClientCredentials(OauthClient {
        client_id: "demo-client".into(),
        client_secret: "demo-client-secret".into(),
    })
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

/// An egress policy allowing only the fake, with fast retries for tests.
pub fn policy(fake: &FakeBitbucket) -> EgressPolicy {
    EgressPolicy {
        allowed: vec![AllowedHost::of_url(&fake.api_base_url()).expect("a URL")],
        allow_http: true,
        retry: RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        },
        request_timeout: Duration::from_secs(10),
        ..EgressPolicy::default()
    }
}

/// I/O for calls against a fake, with a recorder.
pub fn io(fake: &FakeBitbucket) -> (Io, Arc<Recorder>) {
    io_with(policy(fake))
}

/// I/O with a given policy, with a recorder.
pub fn io_with(policy: EgressPolicy) -> (Io, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let io = Io {
        egress: Arc::new(Egress::new(policy)),
        redactor: Arc::new(Redactor::new()),
        events: recorder.clone(),
    };
    (io, recorder)
}
