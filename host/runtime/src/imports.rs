//! The host side of the latest contract's imports: `http` through
//! [`Egress`], `log` through an [`Events`] sink, with secrets redacted; and
//! the per-call store state (WASI with an empty context, limits, host time).
//! Older versions' imports convert to these (see [`crate::wit`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::egress::{Egress, EgressError, Timeout};
use crate::redact::Redactor;
use crate::wit::latest::saas::connector::{http, log};

/// A log line's level.
pub use log::Level;

/// Where a connector's log lines and progress go.
pub trait Events: Send + Sync {
    /// A log line, already redacted.
    fn log(&self, level: Level, message: &str);
    /// A progress report.
    fn progress(&self, done: u64, total: Option<u64>, what: &str);
}

/// Sends log lines to `tracing` (target `connector`) and drops progress.
#[derive(Debug, Default, Clone, Copy)]
pub struct TracingEvents;

impl Events for TracingEvents {
    fn log(&self, level: Level, message: &str) {
        match level {
            Level::Trace => tracing::trace!(target: "connector", "{message}"),
            Level::Debug => tracing::debug!(target: "connector", "{message}"),
            Level::Info => tracing::info!(target: "connector", "{message}"),
            Level::Warn => tracing::warn!(target: "connector", "{message}"),
            Level::Error => tracing::error!(target: "connector", "{message}"),
        }
    }
    fn progress(&self, _: u64, _: Option<u64>, _: &str) {}
}

/// What a connector call may use of the outside world.
#[derive(Clone)]
pub struct Io {
    /// HTTP egress.
    pub egress: Arc<Egress>,
    /// Secrets to mask.
    pub redactor: Arc<Redactor>,
    /// Log and progress sink.
    pub events: Arc<dyn Events>,
    /// Where renewed credentials go ([`crate::credentials`]).
    pub credentials: Arc<dyn crate::credentials::CredentialStore>,
}

impl Io {
    /// I/O through `egress`, logging to `tracing`, with a fresh redactor.
    pub fn new(egress: Egress) -> Self {
        Io {
            egress: Arc::new(egress),
            redactor: Arc::new(Redactor::new()),
            events: Arc::new(TracingEvents),
            credentials: Arc::new(crate::credentials::NotStored),
        }
    }

    /// An `Io` that denies every request and logs to `tracing`.
    pub fn deny_all() -> Self {
        Io::new(Egress::deny_all())
    }
}

/// Memory cap, remembering whether the guest hit it.
pub struct Limits {
    /// Most linear memory bytes.
    pub memory: usize,
    /// Whether a grow was refused.
    pub hit: bool,
}

impl ResourceLimiter for Limits {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let ok = desired <= self.memory;
        self.hit |= !ok;
        Ok(ok)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// The data of one call's store.
pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    /// Memory cap.
    pub limits: Limits,
    io: Io,
    /// Time spent in host calls (not counted against the CPU budget).
    pub host_time: Duration,
    /// When the call's wall-clock limit runs out.
    pub deadline: Instant,
    /// Whether the call was stopped for its wall-clock limit.
    pub out_of_time: bool,
}

impl CallState {
    /// A state with an empty WASI context: no files, env, args or sockets;
    /// the call may last until `deadline`.
    pub fn new(io: Io, memory: usize, deadline: Instant) -> Self {
        CallState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            limits: Limits { memory, hit: false },
            io,
            host_time: Duration::ZERO,
            deadline,
            out_of_time: false,
        }
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

fn method(m: http::Method) -> ::http::Method {
    match m {
        http::Method::Get => ::http::Method::GET,
        http::Method::Head => ::http::Method::HEAD,
        http::Method::Post => ::http::Method::POST,
        http::Method::Put => ::http::Method::PUT,
        http::Method::Patch => ::http::Method::PATCH,
        http::Method::Delete => ::http::Method::DELETE,
    }
}

/// The guest's request as an `http` request, its timeout at most the time
/// left to the call: a bad URL or header is an `invalid-request`, a request
/// after the call's deadline is denied.
fn outgoing(r: http::Request, deadline: Instant) -> Result<::http::Request<Vec<u8>>, EgressError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(EgressError::Denied(
            "the call's wall-clock limit is used up".into(),
        ));
    }
    let mut builder = ::http::Request::builder()
        .method(method(r.method))
        .uri(r.url.as_str());
    for (name, value) in &r.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let asked = r.timeout_ms.map(|ms| Duration::from_millis(u64::from(ms)));
    builder = builder.extension(Timeout(asked.map_or(left, |t| t.min(left))));
    builder
        .body(r.body.unwrap_or_default())
        .map_err(|e| EgressError::InvalidRequest(e.to_string()))
}

impl CallState {
    fn result(
        &self,
        r: Result<::http::Response<Vec<u8>>, EgressError>,
    ) -> Result<http::Response, http::HttpError> {
        let redact = |s: String| self.io.redactor.redact(&s).into_owned();
        match r {
            Ok(r) => {
                let (parts, body) = r.into_parts();
                Ok(http::Response {
                    status: parts.status.as_u16(),
                    headers: parts
                        .headers
                        .iter()
                        .map(|(n, v)| {
                            (
                                n.to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                    body,
                })
            }
            Err(EgressError::Denied(m)) => Err(http::HttpError::Denied(redact(m))),
            Err(EgressError::Timeout) => Err(http::HttpError::Timeout),
            Err(EgressError::Transport(m)) => Err(http::HttpError::Transport(redact(m))),
            Err(EgressError::TooLarge(n)) => Err(http::HttpError::TooLarge(n)),
            Err(EgressError::InvalidRequest(m)) => Err(http::HttpError::InvalidRequest(redact(m))),
        }
    }
}

impl http::Host for CallState {
    fn send(&mut self, request: http::Request) -> Result<http::Response, http::HttpError> {
        let start = Instant::now();
        tracing::debug!(target: "egress", "{:?} {}", request.method, self.io.redactor.redact(&request.url));
        let result = outgoing(request, self.deadline).and_then(|r| self.io.egress.send(&r));
        self.host_time += start.elapsed();
        self.result(result)
    }

    fn send_all(
        &mut self,
        requests: Vec<http::Request>,
    ) -> Vec<Result<http::Response, http::HttpError>> {
        let start = Instant::now();
        tracing::debug!(target: "egress", "a batch of {} requests", requests.len());
        // Requests that do not even build answer alone; the rest go as one batch.
        // The refused ones keep their place as `Some(error)`.
        let mut valid = Vec::with_capacity(requests.len());
        let refused: Vec<Option<EgressError>> = requests
            .into_iter()
            .map(|r| match outgoing(r, self.deadline) {
                Ok(r) => {
                    valid.push(r);
                    None
                }
                Err(e) => Some(e),
            })
            .collect();
        let mut sent = self.io.egress.send_all(&valid).into_iter();
        let results: Vec<_> = refused
            .into_iter()
            .map(|refusal| match refusal {
                None => sent
                    .next()
                    .unwrap_or_else(|| Err(EgressError::Transport("request was not sent".into()))),
                Some(e) => Err(e),
            })
            .collect();
        self.host_time += start.elapsed();
        results.into_iter().map(|r| self.result(r)).collect()
    }

    fn prefetch(&mut self, requests: Vec<http::Request>) {
        tracing::debug!(target: "egress", "{} requests to fetch ahead", requests.len());
        let requests = requests
            .into_iter()
            .filter_map(|r| outgoing(r, self.deadline).ok())
            .collect();
        self.io.egress.prefetch(requests);
    }
}

impl log::Host for CallState {
    fn write(&mut self, level: Level, message: String) {
        self.io
            .events
            .log(level, &self.io.redactor.redact(&message));
    }

    fn report_progress(&mut self, p: log::Progress) {
        self.io
            .events
            .progress(p.done, p.total, &self.io.redactor.redact(&p.what));
    }
}

impl crate::wit::latest::saas::connector::types::Host for CallState {}
impl crate::wit::latest::saas::connector::access::Host for CallState {}
