//! Outgoing HTTP on behalf of a connector: the destination policy and the
//! transport behind [`EgressHooks`] (an embedder's to replace), and the
//! host's own rules around them: `http`/`https` only, no user or password in
//! URLs, no redirects, a body cap, a timeout per attempt (a guest's own
//! timeout is capped by it), retries with backoff and jitter, a cap on
//! requests in flight per host, an optional hourly rate limit, and answers
//! fetched ahead when a connector says what it will ask for next. Knows
//! nothing of wasm.

mod faults;
mod hooks;
mod in_flight;
mod limits;
mod network;
mod prefetch;
mod transport;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;

pub use faults::{Exchange, Fault, FaultLayer, Match, Rewrite, Rule, fingerprint, path_matches};
pub use hooks::{
    AllowedHost, Allowlist, DEFAULT_FORBIDDEN_HEADERS, DenyAll, EgressHooks, is_loopback,
};
pub use limits::{EgressLimits, RetryPolicy};
pub use network::{Network, ProxyChoice};
pub use prefetch::PrefetchLimits;
pub use transport::Transport;

use in_flight::{InFlight, Place, Priority};
use limits::Bucket;
use prefetch::{Answer, Prefetched, prefetchable};

/// A request as the egress sends it.
type Request = http::Request<Vec<u8>>;

/// A request's own timeout, as an extension of the `http::Request`; the
/// limits' `request_timeout` applies when absent and caps it when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(pub Duration);

/// Why no response came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    /// Refused by policy.
    #[error("denied: {0}")]
    Denied(String),
    /// Timed out.
    #[error("timed out")]
    Timeout,
    /// Connect, TLS or protocol failure.
    #[error("transport: {0}")]
    Transport(String),
    /// Body over the cap.
    #[error("response larger than {0} bytes")]
    TooLarge(u64),
    /// Malformed request.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

/// A snapshot of an egress's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct EgressCounts {
    /// Attempts sent (retries included).
    pub requests: u64,
    /// Retries.
    pub retries: u64,
    /// Requests denied by policy.
    pub denied: u64,
    /// Requests answered from what was fetched ahead (`prefetch`), without
    /// waiting for a round trip of their own.
    pub answered_ahead: u64,
}

#[derive(Debug, Default)]
struct Stats {
    requests: AtomicU64,
    retries: AtomicU64,
    denied: AtomicU64,
    answered_ahead: AtomicU64,
}

/// The HTTP client connectors reach the world through.
pub struct Egress {
    hooks: Arc<dyn EgressHooks>,
    transport: Transport,
    limits: EgressLimits,
    /// Hourly budgets, one per upstream host: an upstream's limit is its
    /// own (Bitbucket's API and the Atlassian Admin API count apart).
    buckets: Option<Mutex<std::collections::HashMap<String, Bucket>>>,
    in_flight: InFlight,
    prefetched: Prefetched,
    stats: Stats,
}

impl std::fmt::Debug for Egress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Egress")
            .field("limits", &self.limits)
            .field("counts", &self.counts())
            .finish_non_exhaustive()
    }
}

fn retry_after(response: &http::Response<Vec<u8>>) -> Option<Duration> {
    let value = response.headers().get(http::header::RETRY_AFTER)?;
    value
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

impl Egress {
    /// An egress with these limits and hooks, the public roots, and the
    /// proxy of the environment (direct, with a warning, when the
    /// environment's proxy is unusable).
    pub fn new(limits: EgressLimits, hooks: impl EgressHooks + 'static) -> Self {
        let network = Network::default();
        let proxy = network.proxy().unwrap_or_else(|why| {
            tracing::warn!("{why}: going direct");
            None
        });
        Self::assemble(limits, network.tls(), proxy, hooks)
    }

    /// An egress with these limits, network and hooks; `Err` says why the
    /// proxy cannot be used.
    pub fn with_network(
        limits: EgressLimits,
        network: Network,
        hooks: impl EgressHooks + 'static,
    ) -> Result<Self, String> {
        let proxy = network.proxy()?;
        if let Some(p) = &proxy {
            tracing::debug!("egress through the proxy {}", network::describe(p));
        }
        Ok(Self::assemble(limits, network.tls(), proxy, hooks))
    }

    fn assemble(
        limits: EgressLimits,
        tls: ureq::tls::TlsConfig,
        proxy: Option<ureq::Proxy>,
        hooks: impl EgressHooks + 'static,
    ) -> Self {
        let buckets = limits
            .requests_per_hour
            .filter(|&r| r > 0)
            .map(|_| Mutex::new(std::collections::HashMap::new()));
        Egress {
            hooks: Arc::new(hooks),
            transport: Transport::new(&limits, tls, proxy),
            in_flight: InFlight::new(limits.in_flight()),
            prefetched: Prefetched::new(limits.prefetch.clone()),
            limits,
            buckets,
            stats: Stats::default(),
        }
    }

    /// An egress that denies every request.
    pub fn deny_all() -> Self {
        Egress::new(EgressLimits::default(), DenyAll)
    }

    /// The limits in force.
    pub fn limits(&self) -> &EgressLimits {
        &self.limits
    }

    /// Counters so far.
    pub fn counts(&self) -> EgressCounts {
        EgressCounts {
            requests: self.stats.requests.load(Ordering::Relaxed),
            retries: self.stats.retries.load(Ordering::Relaxed),
            denied: self.stats.denied.load(Ordering::Relaxed),
            answered_ahead: self.stats.answered_ahead.load(Ordering::Relaxed),
        }
    }

    fn deny<T>(&self, why: String) -> Result<T, EgressError> {
        self.stats.denied.fetch_add(1, Ordering::Relaxed);
        Err(EgressError::Denied(why))
    }

    /// Checks a request against the host's rules and the hooks: its scheme,
    /// its URL's user and password, its destination, its headers.
    pub fn check(&self, request: &http::Request<Vec<u8>>) -> Result<(), EgressError> {
        let uri = request.uri().to_string();
        let url =
            Url::parse(&uri).map_err(|e| EgressError::InvalidRequest(format!("bad URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return self.deny(format!("scheme {:?} is not allowed", url.scheme()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return self.deny("URLs with credentials are not allowed".into());
        }
        if let Err(why) = self.hooks.check_destination(&url) {
            return self.deny(why);
        }
        if let Some(name) = request
            .headers()
            .keys()
            .find(|n| self.hooks.is_forbidden_header(n))
        {
            return self.deny(format!("the header {name} is the host's to set"));
        }
        Ok(())
    }

    fn attempt(
        &self,
        request: &http::Request<Vec<u8>>,
        place: Place,
    ) -> Result<http::Response<Vec<u8>>, EgressError> {
        if let (Some(buckets), Some(per_hour)) = (&self.buckets, self.limits.requests_per_hour) {
            let host = request.uri().host().unwrap_or_default().to_string();
            let wait = buckets
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(host.clone())
                .or_insert_with(|| Bucket::new(per_hour))
                .take();
            if wait >= Duration::from_secs(1) {
                tracing::warn!(
                    "the hourly budget of {per_hour} requests to {host} is spent: waiting {} s \
                     before the next request",
                    wait.as_secs()
                );
            }
            std::thread::sleep(wait);
        }
        let _slot = self
            .in_flight
            .acquire(request.uri().host().unwrap_or_default(), place);
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = request.clone();
        let asked = request.extensions().get::<Timeout>().map(|t| t.0);
        let timeout = asked.map_or(self.limits.request_timeout, |t| {
            t.min(self.limits.request_timeout)
        });
        request.extensions_mut().insert(Timeout(timeout));
        self.hooks.send(request, &self.transport)
    }

    /// Sends one request, retrying 429 (any method) and 5xx (idempotent
    /// methods) with exponential backoff and full jitter; a request that was
    /// prefetched takes that answer instead (waiting while it is in flight).
    pub fn send(
        &self,
        request: &http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, EgressError> {
        if let Some(key) = prefetchable(request)
            && let Some(answer) = self.prefetched.take(&key)
        {
            self.stats.answered_ahead.fetch_add(1, Ordering::Relaxed);
            return answer;
        }
        self.fetch(request, self.in_flight.place(Priority::Waited))
    }

    /// Sends one request over the wire, with the retries of [`Self::send`],
    /// each attempt from `place` in the line for a slot.
    fn fetch(&self, request: &http::Request<Vec<u8>>, place: Place) -> Answer {
        self.check(request)?;
        let retry = &self.limits.retry;
        let mut attempt = 0;
        loop {
            let result = self.attempt(request, place);
            let retryable = match &result {
                Ok(r) if r.status() == http::StatusCode::TOO_MANY_REQUESTS => true,
                Ok(r) if matches!(r.status().as_u16(), 500 | 502 | 503 | 504) => {
                    request.method().is_idempotent()
                }
                _ => false,
            };
            if !retryable || attempt >= retry.max_retries {
                return result;
            }
            let backoff = retry
                .base_delay
                .saturating_mul(1 << attempt.min(16))
                .min(retry.max_delay);
            let jittered = backoff.mul_f64(fastrand::f64());
            let hinted = result
                .as_ref()
                .ok()
                .and_then(retry_after)
                .map(|d| d.min(retry.max_delay));
            std::thread::sleep(hinted.unwrap_or(jittered));
            attempt += 1;
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Sends requests concurrently (at most `concurrency` at once to each
    /// host); results come back in request order.
    pub fn send_all(
        &self,
        requests: &[http::Request<Vec<u8>>],
    ) -> Vec<Result<http::Response<Vec<u8>>, EgressError>> {
        self.each_at_once(requests, |r| self.send(r))
            .into_iter()
            .map(|result| {
                result.unwrap_or_else(|| Err(EgressError::Transport("request was not sent".into())))
            })
            .collect()
    }

    /// Runs `run` over `items` on up to `concurrency` threads; results in
    /// the items' order, `None` where a thread died before it ran.
    fn each_at_once<R: Sync, T: Send>(
        &self,
        items: &[R],
        run: impl Fn(&R) -> T + Sync,
    ) -> Vec<Option<T>> {
        let workers = self.limits.concurrency.clamp(1, items.len().max(1));
        if workers == 1 {
            return items.iter().map(|item| Some(run(item))).collect();
        }
        let next = AtomicUsize::new(0);
        let results: Vec<Mutex<Option<T>>> = items.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            break;
                        };
                        let result = run(item);
                        *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                    }
                });
            }
        });
        results
            .into_iter()
            .map(|slot| slot.into_inner().unwrap_or_else(|p| p.into_inner()))
            .collect()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod prefetch_tests;
#[cfg(test)]
mod test_server;
