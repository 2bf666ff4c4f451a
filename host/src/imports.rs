//! The host side of the contract's imports: `http` through [`Egress`],
//! `log` through an [`Events`] sink, with secrets redacted. Also the
//! per-call store state (WASI with an empty context, limits, host time).

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::saas::connector::{http, log};
use crate::egress::{Egress, EgressError, IncomingResponse, Method, OutgoingRequest};
use crate::redact::Redactor;

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
}

impl CallState {
    /// A state with an empty WASI context: no files, env, args or sockets.
    pub fn new(io: Io, memory: usize) -> Self {
        CallState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            limits: Limits { memory, hit: false },
            io,
            host_time: Duration::ZERO,
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

fn method(m: http::Method) -> Method {
    match m {
        http::Method::Get => Method::Get,
        http::Method::Head => Method::Head,
        http::Method::Post => Method::Post,
        http::Method::Put => Method::Put,
        http::Method::Patch => Method::Patch,
        http::Method::Delete => Method::Delete,
    }
}

fn outgoing(r: http::Request) -> OutgoingRequest {
    OutgoingRequest {
        method: method(r.method),
        url: r.url,
        headers: r.headers,
        body: r.body,
        timeout: r.timeout_ms.map(|ms| Duration::from_millis(u64::from(ms))),
    }
}

impl CallState {
    fn result(
        &self,
        r: Result<IncomingResponse, EgressError>,
    ) -> Result<http::Response, http::HttpError> {
        let redact = |s: String| self.io.redactor.redact(&s).into_owned();
        match r {
            Ok(r) => Ok(http::Response {
                status: r.status,
                headers: r.headers,
                body: r.body,
            }),
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
        let request = outgoing(request);
        tracing::debug!(target: "egress", "{} {}", request.method.as_str(), self.io.redactor.redact(&request.url));
        let result = self.io.egress.send(&request);
        self.host_time += start.elapsed();
        self.result(result)
    }

    fn send_all(
        &mut self,
        requests: Vec<http::Request>,
    ) -> Vec<Result<http::Response, http::HttpError>> {
        let start = Instant::now();
        let requests: Vec<OutgoingRequest> = requests.into_iter().map(outgoing).collect();
        tracing::debug!(target: "egress", "a batch of {} requests", requests.len());
        let results = self.io.egress.send_all(&requests);
        self.host_time += start.elapsed();
        results.into_iter().map(|r| self.result(r)).collect()
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

impl crate::bindings::saas::connector::types::Host for CallState {}
impl crate::bindings::saas::connector::access::Host for CallState {}
