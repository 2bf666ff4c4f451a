//! Outgoing HTTP on behalf of a connector: deny by default, no redirects,
//! size caps, timeouts, retries with backoff and jitter, bounded
//! concurrency and an optional hourly rate limit. Knows nothing of wasm.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use url::Url;

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// HEAD
    Head,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether repeating the request is harmless (RFC 9110 §9.2.2).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Option<Vec<u8>>,
    /// Overall timeout; the policy's default when none.
    pub timeout: Option<Duration>,
}

/// A response.
#[derive(Debug, Clone)]
pub struct IncomingResponse {
    /// Status.
    pub status: u16,
    /// Headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

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

/// One allowed origin: a host, and a port (the scheme's default when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    /// Host name or IP, lower case.
    pub host: String,
    /// Port; none means the scheme's default port.
    pub port: Option<u16>,
}

impl AllowedHost {
    /// The origin of a URL (its host and explicit port).
    pub fn of_url(url: &str) -> Option<Self> {
        let url = Url::parse(url).ok()?;
        Some(AllowedHost {
            host: url.host_str()?.to_ascii_lowercase(),
            port: url.port(),
        })
    }

    /// A plain host name, default port.
    pub fn host(host: &str) -> Self {
        AllowedHost {
            host: host.to_ascii_lowercase(),
            port: None,
        }
    }

    fn allows(&self, url: &Url) -> bool {
        url.host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(&self.host))
            && url.port() == self.port
    }
}

/// Retries of 429 and 5xx answers.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff; doubles each retry, with full jitter.
    pub base_delay: Duration,
    /// Longest single wait (also caps `Retry-After`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// What may leave and how.
#[derive(Debug, Clone)]
pub struct EgressPolicy {
    /// Origins requests may go to; everything else is denied.
    pub allowed: Vec<AllowedHost>,
    /// Largest response body accepted.
    pub max_response_bytes: u64,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Default overall timeout of one attempt.
    pub request_timeout: Duration,
    /// Retries.
    pub retry: RetryPolicy,
    /// Requests in flight at once in a batch.
    pub concurrency: usize,
    /// Requests per hour, when limited.
    pub requests_per_hour: Option<u32>,
    /// Whether plain `http` is allowed (loopback test servers).
    pub allow_http: bool,
}

impl Default for EgressPolicy {
    fn default() -> Self {
        EgressPolicy {
            allowed: Vec::new(),
            max_response_bytes: 16 * 1024 * 1024,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            concurrency: 16,
            requests_per_hour: None,
            allow_http: false,
        }
    }
}

/// Counters of one egress.
#[derive(Debug, Default)]
pub struct EgressStats {
    /// Attempts sent (retries included).
    pub requests: AtomicU64,
    /// Retries.
    pub retries: AtomicU64,
    /// Requests denied by policy.
    pub denied: AtomicU64,
}

/// A snapshot of [`EgressStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct EgressCounts {
    /// Attempts sent.
    pub requests: u64,
    /// Retries.
    pub retries: u64,
    /// Denied.
    pub denied: u64,
}

/// A token bucket for the hourly budget.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    capacity: f64,
    per_second: f64,
    last: Instant,
}

impl Bucket {
    fn new(per_hour: u32) -> Self {
        let capacity = (f64::from(per_hour) / 10.0).max(1.0);
        Bucket {
            tokens: capacity,
            capacity,
            per_second: f64::from(per_hour) / 3600.0,
            last: Instant::now(),
        }
    }

    /// Takes a token; returns how long to wait first.
    fn take(&mut self) -> Duration {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.per_second)
            .min(self.capacity);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.per_second)
        }
    }
}

/// The HTTP client connectors reach the world through.
#[derive(Debug)]
pub struct Egress {
    agent: ureq::Agent,
    policy: EgressPolicy,
    bucket: Option<Mutex<Bucket>>,
    stats: EgressStats,
}

fn retry_after(response: &IncomingResponse) -> Option<Duration> {
    let value = response
        .headers
        .iter()
        .find(|(n, _)| n == "retry-after")?
        .1
        .trim()
        .to_string();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

impl Egress {
    /// A client with this policy.
    pub fn new(policy: EgressPolicy) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(policy.connect_timeout))
            .timeout_global(Some(policy.request_timeout))
            .max_idle_connections_per_host(policy.concurrency.max(1))
            .user_agent(concat!("saas-host/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let bucket = policy
            .requests_per_hour
            .filter(|&r| r > 0)
            .map(|r| Mutex::new(Bucket::new(r)));
        Egress {
            agent,
            policy,
            bucket,
            stats: EgressStats::default(),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &EgressPolicy {
        &self.policy
    }

    /// Counters so far.
    pub fn counts(&self) -> EgressCounts {
        EgressCounts {
            requests: self.stats.requests.load(Ordering::Relaxed),
            retries: self.stats.retries.load(Ordering::Relaxed),
            denied: self.stats.denied.load(Ordering::Relaxed),
        }
    }

    /// Checks a URL against the policy.
    pub fn check(&self, url: &str) -> Result<Url, EgressError> {
        let parsed =
            Url::parse(url).map_err(|e| EgressError::InvalidRequest(format!("bad URL: {e}")))?;
        let deny = |why: String| {
            self.stats.denied.fetch_add(1, Ordering::Relaxed);
            Err(EgressError::Denied(why))
        };
        match parsed.scheme() {
            "https" => {}
            "http" if self.policy.allow_http => {}
            s => return deny(format!("scheme {s:?} is not allowed")),
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return deny("URLs with credentials are not allowed".into());
        }
        if !self.policy.allowed.iter().any(|a| a.allows(&parsed)) {
            let host = parsed.host_str().unwrap_or("?");
            return deny(match parsed.port() {
                Some(p) => format!("host {host}:{p} is not in the allowlist"),
                None => format!("host {host} is not in the allowlist"),
            });
        }
        Ok(parsed)
    }

    fn attempt(&self, request: &OutgoingRequest) -> Result<IncomingResponse, EgressError> {
        if let Some(bucket) = &self.bucket {
            let wait = bucket.lock().unwrap_or_else(|p| p.into_inner()).take();
            std::thread::sleep(wait);
        }
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let built = builder
            .body(request.body.clone().unwrap_or_default())
            .map_err(|e| EgressError::InvalidRequest(e.to_string()))?;
        let built = self
            .agent
            .configure_request(built)
            .timeout_global(Some(request.timeout.unwrap_or(self.policy.request_timeout)))
            .build();
        let mut response = self.agent.run(built).map_err(map_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.policy.max_response_bytes)
            .read_to_vec()
            .map_err(map_error)?;
        Ok(IncomingResponse {
            status,
            headers,
            body,
        })
    }

    /// Sends one request, retrying 429 (any method) and 5xx (idempotent
    /// methods) with exponential backoff and full jitter.
    pub fn send(&self, request: &OutgoingRequest) -> Result<IncomingResponse, EgressError> {
        self.check(&request.url)?;
        let retry = &self.policy.retry;
        let mut attempt = 0;
        loop {
            let result = self.attempt(request);
            let retryable = match &result {
                Ok(r) if r.status == 429 => true,
                Ok(r) if matches!(r.status, 500 | 502 | 503 | 504) => {
                    request.method.is_idempotent()
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

    /// Sends requests concurrently (at most `concurrency` at once); results
    /// come back in request order.
    pub fn send_all(
        &self,
        requests: &[OutgoingRequest],
    ) -> Vec<Result<IncomingResponse, EgressError>> {
        let workers = self.policy.concurrency.clamp(1, requests.len().max(1));
        if workers == 1 {
            return requests.iter().map(|r| self.send(r)).collect();
        }
        let next = AtomicUsize::new(0);
        let results: Vec<Mutex<Option<Result<IncomingResponse, EgressError>>>> =
            requests.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(request) = requests.get(i) else {
                            break;
                        };
                        let result = self.send(request);
                        *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                    }
                });
            }
        });
        results
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(|p| p.into_inner())
                    .unwrap_or_else(|| Err(EgressError::Transport("request was not sent".into())))
            })
            .collect()
    }
}

fn map_error(e: ureq::Error) -> EgressError {
    match e {
        ureq::Error::Timeout(_) => EgressError::Timeout,
        ureq::Error::BodyExceedsLimit(n) => EgressError::TooLarge(n),
        ureq::Error::BadUri(m) => EgressError::InvalidRequest(m),
        ureq::Error::Http(e) => EgressError::InvalidRequest(e.to_string()),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => EgressError::Timeout,
        other => EgressError::Transport(other.to_string()),
    }
}
