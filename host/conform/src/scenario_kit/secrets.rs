//! Secrets: never in a cursor, a log line or an error, in any encoding.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

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

/// The forms a secret may leak in that can be searched for directly.
fn encodings(secret: &str) -> Vec<(&'static str, String)> {
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    vec![
        ("plain", secret.to_string()),
        ("hex", hex),
        (
            "percent-encoded",
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
        ),
        ("reversed", secret.chars().rev().collect()),
    ]
}

/// The bytes under every run of base64 (standard or URL-safe) in `text`,
/// decoded whole: a secret inside a larger encoded value (a sealed cursor)
/// shows only once decoded.
fn base64_decoded(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || "+/_-=".contains(c);
    let mut out = Vec::new();
    for run in text.split(|c: char| !is_b64(c)).filter(|r| r.len() >= 8) {
        let trimmed = run.trim_end_matches('=');
        // A run cut mid-quantum decodes once its tail is dropped.
        for cut in 0..4.min(trimmed.len()) {
            let part = &trimmed[..trimmed.len() - cut];
            if let Ok(bytes) = STANDARD_NO_PAD.decode(part) {
                out.push(("base64", bytes));
                break;
            }
            if let Ok(bytes) = URL_SAFE_NO_PAD.decode(part) {
                out.push(("base64url", bytes));
                break;
            }
        }
    }
    out
}

/// Where in `texts` a secret shows, in which encoding.
fn leak(b: &Bench<'_>, texts: &[String]) -> Option<String> {
    let shown = |t: &String| t.chars().take(60).collect::<String>();
    for secret in secrets(b) {
        for (encoding, form) in encodings(&secret) {
            if let Some(t) = texts.iter().find(|t| t.contains(&form)) {
                return Some(format!("a secret, {encoding}, in {:?}", shown(t)));
            }
        }
        for t in texts {
            for (encoding, bytes) in base64_decoded(t) {
                let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
                if found {
                    return Some(format!("a secret, {encoding}, in {:?}", shown(t)));
                }
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
        "{} cursors hold no secret in any of six encodings",
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
        "{} log lines hold no secret in any of six encodings",
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
        "{} errors hold no secret in any of six encodings",
        texts.len()
    ))
}
