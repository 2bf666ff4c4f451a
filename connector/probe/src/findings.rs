//! The probe's experiments, each a request (or a batch) whose answer tells
//! whether the host kept one rule of the contract. Plain Rust over
//! [`HttpClient`], so the experiments run natively against the probe
//! server too.

use saas_connector_sdk::http::{HttpClient, HttpError, Method, Request, Response};

/// The largest response body the probe expects a host to take whole.
pub const CAP_AT_MOST: u64 = 64 * 1024 * 1024;

/// One experiment's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule, in kebab-case.
    pub name: &'static str,
    /// Whether the host kept it.
    pub pass: bool,
    /// What the probe saw.
    pub evidence: String,
}

impl Finding {
    /// `probe <name> pass|fail: <evidence>`, the log line of a finding.
    pub fn line(&self) -> String {
        let verdict = if self.pass { "pass" } else { "fail" };
        format!("probe {} {verdict}: {}", self.name, self.evidence)
    }
}

/// The findings as a JSON array of `{name, pass, evidence}`.
pub fn to_json(found: &[Finding]) -> String {
    let items: Vec<serde_json::Value> = found
        .iter()
        .map(|f| serde_json::json!({"name": f.name, "pass": f.pass, "evidence": f.evidence}))
        .collect();
    serde_json::Value::from(items).to_string()
}

fn finding(name: &'static str, pass: bool, evidence: String) -> Finding {
    Finding {
        name,
        pass,
        evidence,
    }
}

fn shown(result: &Result<Response, HttpError>) -> String {
    match result {
        Ok(r) => format!("status {}", r.status),
        Err(e) => format!("{e:?}"),
    }
}

/// Runs every experiment against the probe server at `base`.
pub fn experiments(client: &dyn HttpClient, base: &str) -> Vec<Finding> {
    let get = |path: &str| Request::new(Method::Get, format!("{base}{path}"));
    let mut out = Vec::new();

    // The slowest first: a host that answers in arrival order fails.
    let batch: Vec<Request> = [(0, 400), (1, 200), (2, 0)]
        .map(|(n, ms)| get(&format!("/echo?n={n}&delay-ms={ms}")))
        .into();
    let answers = saas_connector_sdk::http::send_batch(client, batch);
    let bodies: Vec<String> = answers
        .iter()
        .map(|r| match r {
            Ok(r) => String::from_utf8_lossy(&r.body).into_owned(),
            Err(e) => format!("{e:?}"),
        })
        .collect();
    out.push(finding(
        "batch-order",
        bodies == ["0", "1", "2"],
        format!("a batch answered in order {bodies:?} (slowest sent first)"),
    ));

    let redirect = client.send(get("/redirect"));
    out.push(finding(
        "no-redirects",
        matches!(&redirect, Ok(r) if r.status == 302),
        format!("GET /redirect (302 to /landing) gave {}", shown(&redirect)),
    ));

    let outside = client.send(Request::new(Method::Get, "http://probe-outside.invalid/"));
    out.push(finding(
        "denied-outside",
        matches!(outside, Err(HttpError::Denied(_))),
        format!(
            "a destination outside the settings gave {}",
            shown(&outside)
        ),
    ));

    let userinfo = base.replacen("://", "://probe:secret@", 1);
    let with_user = client.send(Request::new(Method::Get, format!("{userinfo}/echo?n=9")));
    out.push(finding(
        "denied-userinfo",
        matches!(with_user, Err(HttpError::Denied(_))),
        format!("a URL with a user and password gave {}", shown(&with_user)),
    ));

    let header = client.send(get("/echo?n=8").header("host", "elsewhere.example"));
    out.push(finding(
        "denied-header",
        matches!(header, Err(HttpError::Denied(_))),
        format!("a request setting Host gave {}", shown(&header)),
    ));

    let big = client.send(get(&format!("/big?bytes={}", CAP_AT_MOST + 1)));
    out.push(finding(
        "body-cap",
        matches!(big, Err(HttpError::TooLarge(n)) if n <= CAP_AT_MOST),
        format!(
            "a body of {} bytes gave {} (a cap of at most {CAP_AT_MOST} expected)",
            CAP_AT_MOST + 1,
            shown(&big)
        ),
    ));

    let slow = client.send(get("/slow?delay-ms=5000").timeout_ms(300));
    out.push(finding(
        "guest-timeout",
        matches!(slow, Err(HttpError::Timeout)),
        format!("a 300 ms timeout on a 5 s answer gave {}", shown(&slow)),
    ));
    out
}
