//! Bitbucket's answer shapes: error bodies, JSON bodies, paginated envelopes.

use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::{BodyFault, NextFault};
use crate::docs::PageDoc;

/// A 2.0 error: `{"type":"error","error":{"message":...}}`.
pub fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"type": "error", "error": {"message": message}})),
    )
        .into_response()
}

/// A JSON answer with status 200.
pub fn ok(value: Value) -> Response {
    axum::Json(value).into_response()
}

/// The base URL a client used to reach us, from the `Host` header.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// `pagelen` and `page` from a query, Bitbucket's way: pagelen defaults to
/// 10 and is capped at 100; page starts at 1.
pub fn page_params(uri: &Uri) -> Result<(usize, usize), Response> {
    let mut pagelen = 10;
    let mut page = 1;
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        let n = || v.parse::<usize>().ok().filter(|&n| n >= 1);
        match &*k {
            "pagelen" => {
                pagelen = n()
                    .ok_or_else(|| error(StatusCode::BAD_REQUEST, "Invalid pagelen"))?
                    .min(100)
            }
            "page" => page = n().ok_or_else(|| error(StatusCode::BAD_REQUEST, "Invalid page"))?,
            _ => {}
        }
    }
    Ok((pagelen, page))
}

/// How to page one listing.
pub struct Paging {
    /// Base URL for `next` links.
    pub base: String,
    /// Path of the listing.
    pub path: String,
    /// Whether to report `size` and `page`.
    pub counts: bool,
    /// `next` misbehaviour (member listings only).
    pub next_fault: NextFault,
    /// Repeat the previous page's last item first.
    pub duplicates: bool,
    /// Body corruption (member listings only).
    pub body: BodyFault,
}

/// Renders page `page` of `total` items, `item(i)` being item `i`.
pub fn paginate<T: Serialize>(
    paging: Paging,
    (pagelen, page): (usize, usize),
    total: usize,
    item: impl Fn(usize) -> T,
) -> Response {
    let start = (page - 1).saturating_mul(pagelen);
    let end = start.saturating_add(pagelen).min(total);
    let mut values: Vec<T> = (start.min(end)..end).map(&item).collect();
    if paging.duplicates && page > 1 && start > 0 && start <= total {
        values.insert(0, item(start - 1));
    }
    let last_page = total.div_ceil(pagelen).max(1);
    let link = |p: usize| format!("{}{}?pagelen={pagelen}&page={p}", paging.base, paging.path);
    let next = match &paging.next_fault {
        NextFault::Repeat if page == 2 => Some(link(1)),
        NextFault::Foreign(base) if page == 1 && last_page > 1 => {
            Some(format!("{base}{}?pagelen={pagelen}&page=2", paging.path))
        }
        NextFault::MissingEarly if page == 1 => None,
        NextFault::PresentOnLast if page == last_page => Some(link(page + 1)),
        _ => (page < last_page).then(|| link(page + 1)),
    };
    let envelope = PageDoc {
        pagelen,
        values,
        size: paging.counts.then_some(total),
        page: paging.counts.then_some(page),
        next,
        previous: (page > 1).then(|| link(page - 1)),
    };
    corrupt(&envelope, paging.body)
}

fn corrupt(envelope: &impl Serialize, fault: BodyFault) -> Response {
    let bytes = |s: Vec<u8>, ct: &'static str| ([(header::CONTENT_TYPE, ct)], s).into_response();
    match fault {
        BodyFault::None => axum::Json(envelope).into_response(),
        BodyFault::MalformedJson => {
            let text = serde_json::to_string(envelope).expect("a page serializes");
            bytes(text.as_bytes()[..text.len() / 2].to_vec(), "application/json")
        }
        BodyFault::Html => bytes(
            b"<!DOCTYPE html><html><head><title>Bitbucket</title></head><body>Something went wrong</body></html>".to_vec(),
            "text/html",
        ),
        BodyFault::Empty => bytes(Vec::new(), "application/json"),
        BodyFault::WrongTypes => ok(json!({"size": "many", "pagelen": "ten", "values": {"oops": true}})),
        BodyFault::NotUtf8 => bytes(vec![b'{', 0xff, 0xfe, b'}'], "application/json"),
    }
}
