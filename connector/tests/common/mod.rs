//! A native HTTP client over loopback for the connector's logic, so the
//! same code the component runs is tested against the fake Bitbucket.

use std::sync::Mutex;

use bitbucket_connector::http::{HttpClient, HttpError, Logger, Method, Request, Response};

/// A plain ureq client: no retries, no allowlist (the host's job).
pub struct Native {
    agent: ureq::Agent,
}

impl Native {
    pub fn new() -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Native { agent }
    }
}

impl HttpClient for Native {
    fn send(&self, r: Request) -> Result<Response, HttpError> {
        let method = match r.method {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        };
        let mut b = ureq::http::Request::builder().method(method).uri(&r.url);
        for (n, v) in &r.headers {
            b = b.header(n, v);
        }
        let req = b
            .body(r.body.unwrap_or_default())
            .map_err(|e| HttpError::InvalidRequest(e.to_string()))?;
        let mut resp = self
            .agent
            .run(req)
            .map_err(|e| HttpError::Transport(e.to_string()))?;
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
}

/// Remembers log lines.
#[derive(Default)]
pub struct Lines(pub Mutex<Vec<String>>);

impl Logger for Lines {
    fn warn(&self, m: &str) {
        self.0.lock().unwrap().push(m.to_string());
    }
    fn debug(&self, m: &str) {
        self.0.lock().unwrap().push(m.to_string());
    }
    fn progress(&self, _: u64, _: Option<u64>, _: &str) {}
}
