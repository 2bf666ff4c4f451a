//! Faults the connector must ride out or name: transient answers the host
//! retries, rate limits that outlast the retries, broken bodies, items of
//! the wrong type, duplicates.

use std::sync::Arc;

use serde_json::Value;

use saas_runtime::egress::Fault;

use super::auth::expect_kind;
use super::bench::Control;
use super::{Bench, Miss, Outcome, Subject, truth};
use crate::kit::{self, Listed};

/// The attempt to fault: the second page when there is one.
pub fn middle(control: &Control) -> u32 {
    u32::from(control.pages.len() > 1)
}

/// Runs the listing under `fault` on the chosen page (`times` attempts)
/// after the control.
pub fn listed_under<'a>(
    s: &'a Subject<'_>,
    times: u32,
    fault: Fault,
) -> Result<(Bench<'a>, Listed), Miss> {
    let b = s.bench()?;
    let control = b.control_pages()?;
    b.fault_page(middle(&control), times, fault);
    let listed = b.list(&control.config, &control.session);
    Ok((b, listed))
}

/// The first faulted attempt, in words, for evidence.
pub fn first_faulted(b: &Bench<'_>) -> String {
    b.requests()
        .iter()
        .find(|x| x.faulted)
        .map_or("no faulted request".into(), |x| x.describe())
}

/// The listing ends with the contract error `kind`.
pub fn ends_with(s: &Subject<'_>, times: u32, fault: Fault, kind: &str) -> Outcome {
    let (b, listed) = listed_under(s, times, fault)?;
    let evidence = first_faulted(&b);
    match listed {
        Listed::Failed(e) => {
            expect_kind(&e, kind).map_err(|w| format!("after {evidence}: {w}"))?;
            Ok(format!("{evidence}: {}", e.kind()))
        }
        other => Err(Miss::Fail(format!(
            "after {evidence}, the listing {} instead of {kind}",
            kit::describe(&other)
        ))),
    }
}

/// The listing still equals the truth.
pub fn rides_out(s: &Subject<'_>, times: u32, fault: Fault) -> Outcome {
    let (b, listed) = listed_under(s, times, fault)?;
    let faulted: Vec<String> = b
        .requests()
        .iter()
        .filter(|x| x.faulted)
        .map(|x| x.describe())
        .collect();
    match listed {
        Listed::Done { listing, .. } => {
            truth::compare(&listing.users, b.truth())
                .map_err(|w| Miss::Fail(format!("after {}: {w}", faulted.join(", "))))?;
            Ok(format!("after {}: the truth", faulted.join(", ")))
        }
        other => Err(Miss::Fail(format!(
            "after {}, the listing {}",
            faulted.join(", "),
            kit::describe(&other)
        ))),
    }
}

fn status(status: u16, retry_after: Option<u64>) -> Fault {
    Fault::Status {
        status,
        retry_after,
        body: br#"{"error": "injected by the conformance kit"}"#.to_vec(),
    }
}

/// A 502 once, retried by the host: the listing is exact.
pub fn transient_5xx(s: &Subject<'_>) -> Outcome {
    rides_out(s, 1, status(502, None))
}

/// A 429 with `Retry-After: 0` once, retried by the host: exact.
pub fn transient_429(s: &Subject<'_>) -> Outcome {
    rides_out(s, 1, status(429, Some(0)))
}

/// 429s with `Retry-After: 7` past the host's retries: `rate-limited`
/// carrying the hint of 7 s.
pub fn retry_after_hint(s: &Subject<'_>) -> Outcome {
    let (_, listed) = listed_under(s, u32::MAX, status(429, Some(7)))?;
    match listed {
        Listed::Failed(saas_runtime::latest::ConnectorError::RateLimited(r))
            if r.retry_after == Some(7) =>
        {
            Ok("a 429 storm with Retry-After: 7 gave rate-limited, retry after 7 s".into())
        }
        Listed::Failed(e) => Err(Miss::Fail(format!(
            "a 429 storm with Retry-After: 7 gave {}",
            e.describe()
        ))),
        other => Err(Miss::Fail(format!("the listing {}", kit::describe(&other)))),
    }
}

/// 429s without a hint past the host's retries: `rate-limited`.
pub fn rate_limit_storm(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, status(429, None), "rate-limited")
}

fn body(new: &'static [u8]) -> Fault {
    Fault::Rewrite(Arc::new(move |r| *r.body_mut() = new.to_vec()))
}

/// A 200 whose body stops halfway: `malformed-response`.
pub fn truncated(s: &Subject<'_>) -> Outcome {
    let cut = Fault::Rewrite(Arc::new(|r| {
        let half = r.body().len() / 2;
        r.body_mut().truncate(half);
    }));
    ends_with(s, u32::MAX, cut, "malformed-response")
}

/// A 200 with an HTML page: `malformed-response`.
pub fn html(s: &Subject<'_>) -> Outcome {
    let page = b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>";
    ends_with(s, u32::MAX, body(page), "malformed-response")
}

/// A 200 with no body: `malformed-response`.
pub fn empty(s: &Subject<'_>) -> Outcome {
    ends_with(s, u32::MAX, body(b""), "malformed-response")
}

/// A 200 whose body is not UTF-8: `malformed-response`.
pub fn non_utf8(s: &Subject<'_>) -> Outcome {
    ends_with(
        s,
        u32::MAX,
        body(b"\xff\xfe{\"\xc3\x28\": [\xa0\xa1]}"),
        "malformed-response",
    )
}

/// Rewrites the page's items with `f`, where the scenario says they are.
fn items(b: &Bench<'_>, f: impl Fn(&mut Value) + Send + Sync + 'static) -> Fault {
    let at = b
        .listing_route()
        .paging
        .as_ref()
        .map(|p| p.items_at.clone())
        .unwrap_or_default();
    Fault::Rewrite(Arc::new(move |r| {
        if let Ok(mut page) = serde_json::from_slice::<Value>(r.body())
            && let Some(items) = page.pointer_mut(&at)
        {
            f(items);
            *r.body_mut() = page.to_string().into_bytes();
        }
    }))
}

/// The items come as an object instead of a list: `malformed-response`.
pub fn type_swap(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let control = b.control_pages()?;
    b.fault_page(
        middle(&control),
        u32::MAX,
        items(&b, |v| *v = serde_json::json!({ "0": v.take() })),
    );
    match b.list(&control.config, &control.session) {
        Listed::Failed(e) => {
            expect_kind(&e, "malformed-response")?;
            Ok("items as an object: malformed-response".into())
        }
        other => Err(Miss::Fail(format!(
            "with the items as an object, the listing {}",
            kit::describe(&other)
        ))),
    }
}

/// A page repeats its first item at its end: the listing still equals the
/// truth (no membership twice).
pub fn duplicates(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let control = b.control_pages()?;
    b.fault_page(
        middle(&control),
        1,
        items(&b, |v| {
            if let Some(list) = v.as_array_mut()
                && let Some(first) = list.first().cloned()
            {
                list.push(first);
            }
        }),
    );
    match b.list(&control.config, &control.session) {
        Listed::Done { listing, .. } => {
            truth::compare(&listing.users, b.truth())?;
            Ok("a duplicated item: the truth, no membership twice".into())
        }
        other => Err(Miss::Fail(format!(
            "with a duplicated item, the listing {}",
            kit::describe(&other)
        ))),
    }
}

/// Each listing page in turn answers 503s past the host's retries: the
/// listing never ends as if that page had not been there (a failure inside
/// a batch is not a silently shorter listing).
pub fn batch_partial(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let control = b.control_pages()?;
    let pages = control.pages.len().min(8) as u32;
    for nth in 0..pages {
        b.faults.reset();
        b.fault_page(nth, u32::MAX, status(503, None));
        if let Listed::Done { listing, .. } = b.list(&control.config, &control.session) {
            let why = truth::compare(&listing.users, b.truth())
                .err()
                .unwrap_or_else(|| "the truth, without the page".into());
            return Err(Miss::Fail(format!(
                "with page {} failing, the listing ended as complete: {why}",
                nth + 1
            )));
        }
    }
    Ok(format!(
        "each of {pages} pages failing in turn stopped the listing with an error"
    ))
}
