//! The built-in transport: ureq over rustls, no redirects, the response
//! body capped, a timeout per attempt, the network's roots and proxy. It
//! takes and gives `http` crate types, so nothing is converted on the way
//! to the wire.

use std::time::Duration;

use super::{EgressError, EgressLimits, Timeout};

/// Sends one attempt; what [`super::EgressHooks::send`] calls by default.
#[derive(Debug)]
pub struct Transport {
    agent: ureq::Agent,
    max_response_bytes: u64,
    request_timeout: Duration,
}

impl Transport {
    /// A transport with these limits' timeouts, cap and connection pool,
    /// trusting `tls`'s roots and going through `proxy` (none: direct).
    pub fn new(
        limits: &EgressLimits,
        tls: ureq::tls::TlsConfig,
        proxy: Option<ureq::Proxy>,
    ) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .proxy(proxy)
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(limits.connect_timeout))
            .timeout_global(Some(limits.request_timeout))
            .max_idle_connections_per_host(limits.concurrency.max(1))
            .user_agent(concat!("saas-host/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Transport {
            agent,
            max_response_bytes: limits.max_response_bytes,
            request_timeout: limits.request_timeout,
        }
    }

    /// Sends `request` (its [`Timeout`] extension, else the limits' timeout)
    /// and reads the whole body, at most the cap.
    pub fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, EgressError> {
        let timeout = request
            .extensions()
            .get::<Timeout>()
            .map_or(self.request_timeout, |t| t.0);
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(Some(timeout))
            .build();
        let response = self.agent.run(request).map_err(map_error)?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(self.max_response_bytes)
            .read_to_vec()
            .map_err(map_error)?;
        Ok(http::Response::from_parts(parts, bytes))
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
