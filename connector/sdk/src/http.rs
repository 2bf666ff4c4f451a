//! HTTP for connectors: the contract's request and response types with
//! builders, and [`HttpClient`], which the host's import implements inside
//! wasm ([`HostHttp`]) and a real client implements natively
//! ([`NativeHttp`], feature `native`).

pub use crate::__bindings::saas::connector::http::{HttpError, Method, Request, Response};

/// A method's name as HTTP spells it (`GET`), for messages and clients.
pub fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}

impl Request {
    /// A request with no headers and no body.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
            timeout_ms: None,
        }
    }

    /// A GET that accepts JSON, with an `Authorization` header.
    pub fn get(url: impl Into<String>, authorization: &str) -> Self {
        Request::new(Method::Get, url)
            .header("Authorization", authorization)
            .header("Accept", "application/json")
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a body with its content type.
    pub fn body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers
            .push(("Content-Type".into(), content_type.into()));
        self.body = Some(body);
        self
    }

    /// Sets the request's overall timeout.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.timeout_ms = Some(ms);
        self
    }
}

impl Response {
    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Sends requests. Implementations decide how concurrent `send_all` is.
pub trait HttpClient {
    /// Sends one request.
    fn send(&self, request: Request) -> Result<Response, HttpError>;

    /// Sends many; results in request order. The default sends one by one.
    /// A caller that must not trust the answer's length uses [`send_batch`].
    fn send_all(&self, requests: Vec<Request>) -> Vec<Result<Response, HttpError>> {
        requests.into_iter().map(|r| self.send(r)).collect()
    }

    /// Says that these requests will be sent soon, so that the network can
    /// work while the connector parses (the contract's `prefetch`). A hint
    /// only: the requests must still be sent, and a client may ignore it
    /// (the default does). Name only requests sure to follow: each one
    /// counts against the upstream's budget.
    fn prefetch(&self, requests: Vec<Request>) {
        drop(requests);
    }
}

/// Sends a batch through `client` and answers exactly one result per
/// request, in order, whatever the client answered: a host that answers a
/// batch short gets the missing results as transport errors, and extra ones
/// are dropped, so no caller can drop a page unawares or index past the end.
pub fn send_batch(
    client: &dyn HttpClient,
    requests: Vec<Request>,
) -> Vec<Result<Response, HttpError>> {
    let sent = requests.len();
    let mut results = client.send_all(requests);
    let answered = results.len();
    if answered != sent {
        results.truncate(sent);
        results.resize_with(sent, || {
            Err(HttpError::Transport(format!(
                "the host answered {answered} results for a batch of {sent} requests"
            )))
        });
    }
    results
}

/// The host's `http` import: the component's only way out.
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Default, Clone, Copy)]
pub struct HostHttp;

#[cfg(target_arch = "wasm32")]
impl HttpClient for HostHttp {
    fn send(&self, request: Request) -> Result<Response, HttpError> {
        crate::__bindings::saas::connector::http::send(&request)
    }

    fn send_all(&self, requests: Vec<Request>) -> Vec<Result<Response, HttpError>> {
        crate::__bindings::saas::connector::http::send_all(&requests)
    }

    fn prefetch(&self, requests: Vec<Request>) {
        if !requests.is_empty() {
            crate::__bindings::saas::connector::http::prefetch(&requests);
        }
    }
}

/// A plain blocking client over real HTTP for native tests and benchmarks:
/// no redirects, no retries and no allowlist (those are the host's job); a
/// batch goes out [`NativeHttp::AT_ONCE`] requests at a time, as the
/// reference host sends it.
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub struct NativeHttp {
    agent: ureq::Agent,
}

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
impl Default for NativeHttp {
    fn default() -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_idle_connections_per_host(Self::AT_ONCE)
            .build()
            .into();
        NativeHttp { agent }
    }
}

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
impl NativeHttp {
    /// Requests of a batch in flight at once.
    pub const AT_ONCE: usize = 16;
}

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
impl HttpClient for NativeHttp {
    fn send(&self, r: Request) -> Result<Response, HttpError> {
        let mut b = ureq::http::Request::builder()
            .method(method_name(r.method))
            .uri(&r.url);
        for (n, v) in &r.headers {
            b = b.header(n, v);
        }
        let req = b
            .body(r.body.unwrap_or_default())
            .map_err(|e| HttpError::InvalidRequest(e.to_string()))?;
        let mut resp = self.agent.run(req).map_err(|e| match e {
            ureq::Error::Timeout(_) => HttpError::Timeout,
            e => HttpError::Transport(e.to_string()),
        })?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = resp
            .body_mut()
            .read_to_vec()
            .map_err(|e| HttpError::Transport(e.to_string()))?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    fn send_all(&self, requests: Vec<Request>) -> Vec<Result<Response, HttpError>> {
        use std::sync::Mutex;
        let queue = Mutex::new(requests.into_iter().enumerate());
        let results: Vec<Mutex<Option<Result<Response, HttpError>>>> =
            (0..queue.lock().map_or(0, |q| q.len()))
                .map(|_| Mutex::new(None))
                .collect();
        std::thread::scope(|scope| {
            for _ in 0..Self::AT_ONCE.min(results.len()) {
                scope.spawn(|| {
                    while let Some((i, request)) = queue.lock().ok().and_then(|mut q| q.next()) {
                        let result = self.send(request);
                        if let Ok(mut slot) = results[i].lock() {
                            *slot = Some(result);
                        }
                    }
                });
            }
        });
        results
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| Err(HttpError::Transport("request was not sent".into())))
            })
            .collect()
    }
}

/// The client a connector's [`crate::Connector`] functions use: the host's
/// import inside wasm; natively, with the `native` feature, a real HTTP
/// client (so a connector runs whole in native tests), and without it a
/// client that refuses every request.
#[cfg(target_arch = "wasm32")]
pub fn client() -> HostHttp {
    HostHttp
}

/// See the wasm version.
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub fn client() -> NativeHttp {
    NativeHttp::default()
}

/// See the wasm version.
#[cfg(not(any(feature = "native", target_arch = "wasm32")))]
pub fn client() -> NoHost {
    NoHost
}

/// Outside wasm and without the `native` feature there is no way out.
#[cfg(not(any(feature = "native", target_arch = "wasm32")))]
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHost;

#[cfg(not(any(feature = "native", target_arch = "wasm32")))]
impl HttpClient for NoHost {
    fn send(&self, _: Request) -> Result<Response, HttpError> {
        Err(HttpError::Denied(
            "no host outside wasm: enable the SDK's `native` feature".into(),
        ))
    }
}
