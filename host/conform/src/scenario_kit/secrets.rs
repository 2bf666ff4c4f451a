//! Secrets: never in a cursor, a log line or an error, in any encoding.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use saas_runtime::egress::Fault;

use super::{Bench, Miss, Outcome, Subject};
use crate::kit::{self, Listed};

/// Every secret the connector has seen: the credentials' values and the
/// tokens the upstream handed out.
fn secrets(b: &Bench<'_>) -> Vec<String> {
    let mut out: Vec<String> = b
        .scenario
        .file
        .credentials
        .valid
        .values()
        .flat_map(|f| {
            f.iter()
                .filter(|(k, _)| *k != "kind")
                .map(|(_, v)| v.clone())
        })
        .collect();
    out.extend(b.replay.issued());
    out.retain(|s| s.len() >= 6);
    out
}

/// The encodings a secret may leak in.
fn encodings(secret: &str) -> Vec<(&'static str, String)> {
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    vec![
        ("plain", secret.to_string()),
        ("base64", STANDARD.encode(secret)),
        ("base64url", URL_SAFE_NO_PAD.encode(secret)),
        ("hex", hex),
        (
            "percent-encoded",
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
        ),
        ("reversed", secret.chars().rev().collect()),
    ]
}

/// Where in `texts` a secret shows, in which encoding.
fn leak(b: &Bench<'_>, texts: &[String]) -> Option<String> {
    for secret in secrets(b) {
        for (encoding, form) in encodings(&secret) {
            // A base64 form shifts with its offset: look for its middle.
            let needle = if encoding.starts_with("base64") && form.len() > 8 {
                &form[2..form.len() - 4]
            } else {
                &form[..]
            };
            if let Some(t) = texts.iter().find(|t| t.contains(needle)) {
                let shown: String = t.chars().take(60).collect();
                return Some(format!("a secret, {encoding}, in {shown:?}"));
            }
        }
    }
    None
}

/// No cursor holds a secret.
pub fn cursors(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let (config, session) = b.control()?;
    let mut cursors = Vec::new();
    let _ = kit::list_observed(s.c, &b.io, &config, &session, None, &mut |step| {
        cursors.extend(step.page.next_cursor.clone());
    });
    if let Some(l) = leak(&b, &cursors) {
        return Err(Miss::Fail(format!("cursor: {l}")));
    }
    Ok(format!(
        "{} cursors hold no secret in six encodings",
        cursors.len()
    ))
}

/// No log line holds a secret, through a listing and a refused sign-in.
/// The host's redaction is off here: the connector must not send them.
pub fn logs(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let (config, session) = b.control()?;
    let _ = s.c.authenticate(&b.io, &config, &b.invalid);
    let _ = b.list(&config, &session);
    let lines = b
        .recorder
        .lines
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if let Some(l) = leak(&b, &lines) {
        return Err(Miss::Fail(format!("log: {l}")));
    }
    Ok(format!(
        "{} log lines hold no secret in six encodings",
        lines.len()
    ))
}

/// No error holds a secret: a refused sign-in, a 400 and a 500.
pub fn errors(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let (config, session) = b.control()?;
    let mut texts = Vec::new();
    if let Ok(Err(e)) = s.c.authenticate(&b.io, &config, &b.invalid) {
        texts.push(e.describe());
    }
    for status in [400, 500] {
        b.faults.reset();
        b.fault_page(
            0,
            u32::MAX,
            Fault::Status {
                status,
                retry_after: None,
                body: br#"{"error": "the upstream refused the request"}"#.to_vec(),
            },
        );
        if let Listed::Failed(e) = b.list(&config, &session) {
            texts.push(e.describe());
        }
    }
    if let Some(l) = leak(&b, &texts) {
        return Err(Miss::Fail(format!("error: {l}")));
    }
    Ok(format!(
        "{} errors hold no secret in six encodings",
        texts.len()
    ))
}
