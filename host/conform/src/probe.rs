//! The host probe's other half: the probe server the probe component talks
//! to (an echo that answers out of order, a redirect, a body over any
//! reasonable cap, a slow answer, and a place to post findings), and a run
//! of the probe in a host built by the caller, reported like the kit's
//! checks. `saas-host conform-host` runs it in the reference host; another
//! host serves it (`--serve`) and runs the probe as a connector.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use saas_runtime::egress::Egress;
use saas_runtime::imports::{Events, Io, Level};
use saas_runtime::latest::{Setting, SettingValue};
use saas_runtime::redact::Redactor;
use saas_runtime::{Connector, Runtime};

use crate::serve::Served;
use crate::{CheckResult, ConformReport, Verdict};

#[derive(Default)]
struct Seen {
    landing: AtomicU64,
    findings: Mutex<Option<serde_json::Value>>,
}

/// A running probe server; stops when dropped.
pub struct ProbeServer {
    seen: Arc<Seen>,
    served: Served,
}

#[derive(Deserialize)]
struct Params {
    n: Option<u64>,
    #[serde(rename = "delay-ms")]
    delay_ms: Option<u64>,
    bytes: Option<usize>,
}

async fn echo(Query(p): Query<Params>) -> String {
    tokio::time::sleep(Duration::from_millis(p.delay_ms.unwrap_or(0).min(10_000))).await;
    p.n.unwrap_or(0).to_string()
}

async fn redirect() -> Response {
    (StatusCode::FOUND, [(header::LOCATION, "/landing")]).into_response()
}

async fn landing(State(seen): State<Arc<Seen>>) -> &'static str {
    seen.landing.fetch_add(1, Ordering::SeqCst);
    "a host followed the redirect"
}

/// Zeros to send `/big` from: a body of any size without holding it.
static ZEROS: [u8; 64 * 1024] = [b'0'; 64 * 1024];

/// A body of `bytes` zeros (at most 128 MiB), streamed in 64 KiB chunks,
/// with its length announced.
async fn big(Query(p): Query<Params>) -> Response {
    let total = p.bytes.unwrap_or(0).min(128 << 20);
    let chunks = (0..total).step_by(ZEROS.len()).map(move |at| {
        let n = (total - at).min(ZEROS.len());
        Ok::<_, std::convert::Infallible>(Bytes::from_static(&ZEROS[..n]))
    });
    (
        [(header::CONTENT_LENGTH, total.to_string())],
        axum::body::Body::from_stream(futures_util::stream::iter(chunks)),
    )
        .into_response()
}

async fn findings(State(seen): State<Arc<Seen>>, body: Bytes) -> StatusCode {
    match serde_json::from_slice(&body) {
        Ok(v) => {
            *seen.findings.lock().unwrap_or_else(|p| p.into_inner()) = Some(v);
            StatusCode::NO_CONTENT
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

impl ProbeServer {
    /// Serves on `addr` (port 0: a free one).
    pub fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let seen = Arc::new(Seen::default());
        let state = seen.clone();
        let served = Served::start(addr, "probe-server", |_| {
            axum::Router::new()
                .route("/echo", get(echo))
                .route("/slow", get(echo))
                .route("/redirect", get(redirect))
                .route("/landing", get(landing))
                .route("/big", get(big))
                .route("/findings", post(findings))
                .with_state(state)
        })?;
        Ok(ProbeServer { seen, served })
    }

    /// `http://127.0.0.1:PORT`: the probe's `probe-url`.
    pub fn origin(&self) -> &str {
        self.served.origin()
    }

    /// The findings the probe posted, when it did.
    pub fn findings(&self) -> Option<serde_json::Value> {
        self.seen
            .findings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How often a host followed the redirect to `/landing`.
    pub fn landings(&self) -> u64 {
        self.seen.landing.load(Ordering::SeqCst)
    }
}

/// Counts what the host delivered of the probe's log and progress.
#[derive(Default)]
struct Delivered {
    lines: Mutex<Vec<String>>,
    progress: AtomicU64,
}

impl Events for Delivered {
    fn log(&self, _: Level, message: &str) {
        self.lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(message.to_string());
    }
    fn progress(&self, _: u64, _: Option<u64>, _: &str) {
        self.progress.fetch_add(1, Ordering::SeqCst);
    }
}

fn result(name: &'static str, pass: bool, evidence: String, took: Duration) -> CheckResult {
    CheckResult {
        name,
        verdict: if pass { Verdict::Pass } else { Verdict::Fail },
        evidence,
        millis: took.as_millis() as u64,
    }
}

/// The probe's rules, in the order it reports them; `name` of a finding
/// maps to one of these.
pub const RULES: [&str; 7] = [
    "batch-order",
    "no-redirects",
    "denied-outside",
    "denied-userinfo",
    "denied-header",
    "body-cap",
    "guest-timeout",
];

/// Runs the probe component `wasm` in a host whose egress `host` builds
/// for the probe server's origin, and reports each rule, the redirect as
/// the server saw it, and the delivery of log lines and progress.
pub fn run(
    runtime: &Runtime,
    wasm: &[u8],
    host: impl FnOnce(&url::Url) -> Arc<Egress>,
) -> Result<ConformReport, String> {
    let server = ProbeServer::start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .map_err(|e| format!("the probe server did not start: {e}"))?;
    let probe: Connector = runtime
        .load(wasm)
        .map_err(|e| format!("the probe does not load: {e}"))?;
    let origin = url::Url::parse(server.origin()).map_err(|e| e.to_string())?;
    let delivered = Arc::new(Delivered::default());
    let io = Io {
        egress: host(&origin),
        redactor: Arc::new(Redactor::new()),
        events: delivered.clone(),
        credentials: Arc::new(saas_runtime::credentials::NotStored),
    };
    let settings = vec![Setting {
        name: "probe-url".into(),
        value: SettingValue::Url(server.origin().into()),
    }];
    let config = probe.config(&settings).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let session = match probe.authenticate(&io, &config, &[]) {
        Ok(Ok(s)) => s,
        other => return Err(format!("the probe did not sign in: {other:?}")),
    };
    match probe.list_users(&io, &config, &session, None) {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(format!("the probe failed: {}", e.describe())),
        Err(e) => return Err(format!("the host stopped the probe: {e}")),
    }
    let took = start.elapsed();
    let found = server.findings().unwrap_or_default();
    let found = found.as_array().cloned().unwrap_or_default();
    let mut results: Vec<CheckResult> = RULES
        .iter()
        .map(|&rule| {
            let f = found.iter().find(|f| f["name"] == rule);
            let pass = f.is_some_and(|f| f["pass"] == true);
            let evidence = f
                .and_then(|f| f["evidence"].as_str())
                .map_or("the probe reported nothing".into(), String::from);
            result(rule, pass, evidence, took)
        })
        .collect();
    let landings = server.landings();
    results.push(result(
        "redirect-not-fetched",
        landings == 0,
        format!("the probe server saw {landings} requests at the redirect's target"),
        took,
    ));
    let lines = delivered
        .lines
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|l| l.starts_with("probe "))
        .count();
    results.push(result(
        "log-delivered",
        lines == found.len() && lines > 0,
        format!("{lines} of the probe's {} log lines delivered", found.len()),
        took,
    ));
    let progress = delivered.progress.load(Ordering::SeqCst) as usize;
    results.push(result(
        "progress-delivered",
        progress == found.len() && progress > 0,
        format!(
            "{progress} of the probe's {} progress reports delivered",
            found.len()
        ),
        took,
    ));
    Ok(ConformReport {
        sha256: saas_runtime::cache::sha256_hex(wasm),
        size: wasm.len(),
        results,
    })
}
