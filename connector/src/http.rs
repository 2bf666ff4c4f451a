//! The small HTTP trait the Bitbucket logic runs on: the host's import inside
//! wasm, any client natively (tests, benchmarks).

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Option<Vec<u8>>,
}

impl Request {
    /// A GET with an `Authorization` header.
    pub fn get(url: impl Into<String>, authorization: &str) -> Self {
        Request {
            method: Method::Get,
            url: url.into(),
            headers: vec![
                ("Authorization".into(), authorization.into()),
                ("Accept".into(), "application/json".into()),
            ],
            body: None,
        }
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
}

/// One response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status.
    pub status: u16,
    /// Headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
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

/// Why no response came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// Refused by the host's policy.
    Denied(String),
    /// Timed out.
    Timeout,
    /// Transport failure.
    Transport(String),
    /// Body over the host's cap.
    TooLarge(u64),
    /// Malformed request.
    InvalidRequest(String),
}

/// Sends requests. Implementations decide concurrency for `send_all`.
pub trait HttpClient {
    /// Sends one request.
    fn send(&self, request: Request) -> Result<Response, HttpError>;

    /// Sends many; results in request order. The default sends one by one.
    fn send_all(&self, requests: Vec<Request>) -> Vec<Result<Response, HttpError>> {
        requests.into_iter().map(|r| self.send(r)).collect()
    }
}

/// Where log lines and progress go.
pub trait Logger {
    /// Warns.
    fn warn(&self, message: &str);
    /// Debug detail.
    fn debug(&self, message: &str);
    /// Progress.
    fn progress(&self, done: u64, total: Option<u64>, what: &str);
}

/// A logger that drops everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLog;

impl Logger for NoLog {
    fn warn(&self, _: &str) {}
    fn debug(&self, _: &str) {}
    fn progress(&self, _: u64, _: Option<u64>, _: &str) {}
}
