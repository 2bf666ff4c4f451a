//! A fault layer for the egress: hooks that wrap an embedder's hooks, keep
//! their destination policy (a denial stays a real denial: the layer sees
//! only requests that passed it), send through them, and then answer some
//! attempts with an injected fault instead of, or on top of, the upstream's
//! answer. Every attempt is written down as an [`Exchange`], so a caller can
//! count requests at the boundary and name the request behind a failure.
//!
//! Nothing here knows a vendor: a [`Rule`] matches a method, a path and a
//! header, and a [`Fault`] is an HTTP status, a transport failure or a
//! rewrite of the body. The conformance kit drives it.

use std::sync::{Arc, Mutex};

use http::HeaderName;
use url::Url;

use super::EgressError;
use super::hooks::EgressHooks;
use super::transport::Transport;

/// Rewrites a response in place (a body, a header, a status).
pub type Rewrite = Arc<dyn Fn(&mut http::Response<Vec<u8>>) + Send + Sync>;

/// What is injected in place of, or on top of, the upstream's answer.
#[derive(Clone)]
pub enum Fault {
    /// An answer with this status, an optional `Retry-After` in seconds, and
    /// this body; the request never reaches the upstream.
    Status {
        /// The HTTP status.
        status: u16,
        /// `Retry-After`, in seconds, when sent.
        retry_after: Option<u64>,
        /// The body.
        body: Vec<u8>,
    },
    /// The attempt times out (at once: the kit does not wait the timeout).
    Timeout,
    /// The connection is reset.
    Reset,
    /// The body is over the host's cap of this many bytes.
    TooLarge(u64),
    /// The host refuses to send it, for this reason (as its destination
    /// policy would: a policy that changed while a listing ran).
    Denied(String),
    /// The upstream answers, and then the answer is rewritten.
    Rewrite(Rewrite),
}

impl std::fmt::Debug for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Status {
                status,
                retry_after,
                ..
            } => write!(f, "Status({status}, retry-after {retry_after:?})"),
            Fault::Timeout => f.write_str("Timeout"),
            Fault::Reset => f.write_str("Reset"),
            Fault::TooLarge(cap) => write!(f, "TooLarge({cap})"),
            Fault::Denied(reason) => write!(f, "Denied({reason})"),
            Fault::Rewrite(_) => f.write_str("Rewrite"),
        }
    }
}

/// Which attempts a rule applies to.
#[derive(Debug, Clone, Default)]
pub struct Match {
    /// The method, when only one is meant.
    pub method: Option<http::Method>,
    /// The URL's path must match this template: segments in braces match
    /// any one segment (`/api/{team}/members`). Any path when absent.
    pub path: Option<String>,
    /// A query pair the URL must carry (`page`, `2`).
    pub query: Option<(String, String)>,
    /// A header the request must carry with exactly this value.
    pub header: Option<(HeaderName, String)>,
}

impl Match {
    /// Whether `request` is one of the attempts meant.
    pub fn matches(&self, request: &http::Request<Vec<u8>>) -> bool {
        let Ok(url) = Url::parse(&request.uri().to_string()) else {
            return false;
        };
        self.method.as_ref().is_none_or(|m| m == request.method())
            && self
                .path
                .as_deref()
                .is_none_or(|t| path_matches(t, url.path()))
            && self
                .query
                .as_ref()
                .is_none_or(|(k, v)| url.query_pairs().any(|(qk, qv)| qk == *k && qv == *v))
            && self.header.as_ref().is_none_or(|(name, value)| {
                request
                    .headers()
                    .get(name)
                    .is_some_and(|h| h.as_bytes() == value.as_bytes())
            })
    }
}

/// Whether `path` fits `template`, where `{name}` matches one segment.
pub fn path_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

/// A fault for the attempts a [`Match`] picks: after `skip` of them, the
/// next `times` get `fault`.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Which attempts.
    pub matches: Match,
    /// Matching attempts let through untouched first.
    pub skip: u32,
    /// Matching attempts faulted after those; `u32::MAX` for all of them.
    pub times: u32,
    /// What they get.
    pub fault: Fault,
}

impl Rule {
    /// `fault` for every attempt `matches` picks.
    pub fn always(matches: Match, fault: Fault) -> Self {
        Rule {
            matches,
            skip: 0,
            times: u32::MAX,
            fault,
        }
    }
}

/// One attempt as the boundary saw it. The request's credentials are kept
/// only as a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// SHA-256 (hex) of the `Authorization` header, when there was one.
    pub authorization: Option<String>,
    /// The status answered, or none when no response came.
    pub status: Option<u16>,
    /// The error instead of a response.
    pub error: Option<String>,
    /// Whether a rule faulted this attempt.
    pub faulted: bool,
}

impl Exchange {
    /// `GET /path?query → 429`, for evidence. No header is shown.
    pub fn describe(&self) -> String {
        let target = Url::parse(&self.url).map_or(self.url.clone(), |u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        });
        let outcome = match (&self.status, &self.error) {
            (Some(s), _) => s.to_string(),
            (None, Some(e)) => e.clone(),
            (None, None) => "?".into(),
        };
        let faulted = if self.faulted { " (injected)" } else { "" };
        format!("{} {target} → {outcome}{faulted}", self.method)
    }
}

/// SHA-256 (hex) of a credential-bearing value, to compare without keeping it.
pub fn fingerprint(value: &[u8]) -> String {
    saas_host_files::sha256_hex(value)
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    seen: Vec<Exchange>,
}

/// Hooks that inject faults behind `inner`'s destination policy and record
/// every attempt. Cheap to clone: clones share rules and records.
#[derive(Clone)]
pub struct FaultLayer<H> {
    inner: Arc<H>,
    state: Arc<Mutex<State>>,
}

impl<H: EgressHooks> FaultLayer<H> {
    /// No faults yet; `inner` decides destinations and sends.
    pub fn new(inner: H) -> Self {
        FaultLayer {
            inner: Arc::new(inner),
            state: Arc::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a rule; rules are tried in the order added, the first that
    /// picks an attempt applies.
    pub fn inject(&self, rule: Rule) {
        self.state().rules.push(rule);
    }

    /// Removes every rule and every record.
    pub fn reset(&self) {
        let mut state = self.state();
        state.rules.clear();
        state.seen.clear();
    }

    /// The attempts recorded so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state().seen.clone()
    }

    /// The fault for `request`, spending one of its rule's turns.
    fn fault_for(&self, request: &http::Request<Vec<u8>>) -> Option<Fault> {
        let mut state = self.state();
        let rule = state
            .rules
            .iter_mut()
            .find(|r| r.matches.matches(request) && (r.skip > 0 || r.times > 0))?;
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        rule.times = rule.times.saturating_sub(u32::from(rule.times != u32::MAX));
        Some(rule.fault.clone())
    }
}

fn injected(fault: &Fault) -> Result<http::Response<Vec<u8>>, EgressError> {
    match fault {
        Fault::Status {
            status,
            retry_after,
            body,
        } => {
            let mut builder = http::Response::builder().status(*status);
            if let Some(secs) = retry_after {
                builder = builder.header(http::header::RETRY_AFTER, secs.to_string());
            }
            builder
                .body(body.clone())
                .map_err(|e| EgressError::InvalidRequest(e.to_string()))
        }
        Fault::Timeout => Err(EgressError::Timeout),
        Fault::Reset => Err(EgressError::Transport("connection reset by peer".into())),
        Fault::TooLarge(cap) => Err(EgressError::TooLarge(*cap)),
        Fault::Denied(reason) => Err(EgressError::Denied(reason.clone())),
        Fault::Rewrite(_) => unreachable!("a rewrite needs the upstream's answer"),
    }
}

impl<H: EgressHooks> EgressHooks for FaultLayer<H> {
    fn check_destination(&self, url: &Url) -> Result<(), String> {
        self.inner.check_destination(url)
    }

    fn is_forbidden_header(&self, name: &HeaderName) -> bool {
        self.inner.is_forbidden_header(name)
    }

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        transport: &Transport,
    ) -> Result<http::Response<Vec<u8>>, EgressError> {
        let mut exchange = Exchange {
            method: request.method().to_string(),
            url: request.uri().to_string(),
            authorization: request
                .headers()
                .get(http::header::AUTHORIZATION)
                .map(|v| fingerprint(v.as_bytes())),
            status: None,
            error: None,
            faulted: false,
        };
        let fault = self.fault_for(&request);
        exchange.faulted = fault.is_some();
        let result = match fault {
            Some(Fault::Rewrite(rewrite)) => self.inner.send(request, transport).map(|mut r| {
                rewrite(&mut r);
                r
            }),
            Some(other) => injected(&other),
            None => self.inner.send(request, transport),
        };
        match &result {
            Ok(r) => exchange.status = Some(r.status().as_u16()),
            Err(e) => exchange.error = Some(e.to_string()),
        }
        self.state().seen.push(exchange);
        result
    }
}

#[cfg(test)]
#[path = "faults_tests.rs"]
mod tests;
