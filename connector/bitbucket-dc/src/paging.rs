//! Bitbucket's `start`/`limit` paging, checked. The server clamps `limit`
//! silently (read back from each page), gives `nextPageStart` only when a
//! page follows, and is trusted no further than that: a `nextPageStart`
//! that does not advance, a page that answers another `start`, an empty page
//! that is not the last, or an `isLastPage` that never comes end the
//! listing with a `pagination` error instead of a loop.

use serde_json::Value;

use crate::config::Config;
use crate::wire::{self, Page};
use crate::{Error, Result, upstream};
use saas_connector_sdk::http::{HttpClient, Request};

/// The most items one paged resource may hold before the listing stops: a
/// guard against a server whose `isLastPage` never comes.
pub const MAX_ITEMS: u32 = 5_000_000;

/// Where a paged walk goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The page was the last.
    Done,
    /// The next page's `start`.
    At(u32),
}

/// Checks a page answered for `start` and says where to go next.
pub fn next<T>(page: &Page<T>, start: u32, what: &str) -> Result<Next> {
    if let Some(answered) = page.start
        && answered != start
    {
        return Err(Error::Pagination(format!(
            "{what}: asked for start={start}, the page answered start={answered}"
        )));
    }
    match page.is_last_page {
        Some(true) => Ok(Next::Done),
        None => Err(Error::MalformedResponse(format!(
            "{what}: the page at start={start} does not say whether it is the last (isLastPage)"
        ))),
        Some(false) => {
            let Some(next) = page.next_page_start else {
                return Err(Error::Pagination(format!(
                    "{what}: the page at start={start} is not the last but gives no nextPageStart"
                )));
            };
            if next <= start {
                return Err(Error::Pagination(format!(
                    "{what}: nextPageStart={next} does not advance past start={start}"
                )));
            }
            if page.values.is_empty() {
                return Err(Error::Pagination(format!(
                    "{what}: the page at start={start} is empty but not the last"
                )));
            }
            if next > MAX_ITEMS {
                return Err(Error::Pagination(format!(
                    "{what}: more than {MAX_ITEMS} items and still no last page"
                )));
            }
            Ok(Next::At(next))
        }
    }
}

/// One page of a paged resource: `limit` asked, the page, where next, and
/// the limit the server actually applied.
pub struct Fetched<T> {
    /// The items.
    pub values: Vec<T>,
    /// Where to go next.
    pub next: Next,
    /// The server's own limit, when it clamped the one asked for.
    pub clamped_to: Option<u32>,
}

/// A paged resource: its path and query.
pub type Resource<'a> = (&'a str, &'a [(&'a str, &'a str)]);

/// Fetches the page at `start` of `path` (with `query`), `limit` items,
/// each read by `item`.
#[allow(clippy::too_many_arguments)]
pub fn fetch<T>(
    http: &dyn HttpClient,
    config: &Config,
    authorization: &str,
    resource: Resource<'_>,
    start: u32,
    limit: u32,
    what: &str,
    item: impl Fn(&Value) -> Option<T>,
) -> Result<Fetched<T>> {
    let raw = fetch_json(http, config, authorization, resource, (start, limit), what)?;
    Ok(Fetched {
        values: wire::items(&raw.values, what, item)?,
        next: raw.next,
        clamped_to: raw.clamped_to,
    })
}

/// [`fetch`] with the items left as JSON: the part that is the same for
/// every item type.
fn fetch_json(
    http: &dyn HttpClient,
    config: &Config,
    authorization: &str,
    (path, query): Resource<'_>,
    (start, limit): (u32, u32),
    what: &str,
) -> Result<Fetched<Value>> {
    let (start_text, limit_text) = (start.to_string(), limit.to_string());
    let mut query = query.to_vec();
    query.extend([
        ("start", start_text.as_str()),
        ("limit", limit_text.as_str()),
    ]);
    let request = Request::get(config.api(path, &query), authorization);
    let response = upstream::send(http, request, what)?;
    let page: Page<Value> = wire::page(wire::json(&response, what)?, what)?;
    let next = next(&page, start, what)?;
    Ok(Fetched {
        clamped_to: page.limit.filter(|&l| l > 0 && l < limit),
        next,
        values: page.values,
    })
}

/// Every page of `path`, read in one go (for the small lists a group or a
/// seat release needs).
pub fn all<T>(
    http: &dyn HttpClient,
    config: &Config,
    authorization: &str,
    resource: Resource<'_>,
    what: &str,
    item: impl Fn(&Value) -> Option<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let page = fetch(
            http,
            config,
            authorization,
            resource,
            start,
            config.page_size,
            what,
            &item,
        )?;
        out.extend(page.values);
        match page.next {
            Next::Done => return Ok(out),
            Next::At(n) => start = n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(start: u32, n: usize, last: Option<bool>, next: Option<u32>) -> Page<u32> {
        Page {
            values: (0..n as u32).collect(),
            limit: Some(n as u32),
            is_last_page: last,
            start: Some(start),
            next_page_start: next,
        }
    }

    #[test]
    fn follows_next_page_start_not_start_plus_size() {
        assert_eq!(
            next(&page(0, 2, Some(false), Some(5)), 0, "x").unwrap(),
            Next::At(5)
        );
        assert_eq!(
            next(&page(5, 2, Some(true), None), 5, "x").unwrap(),
            Next::Done
        );
    }

    #[test]
    fn broken_paging_is_a_typed_error() {
        let cases = [
            page(0, 2, Some(false), None),
            page(4, 2, Some(false), Some(4)),
            page(4, 2, Some(false), Some(2)),
            page(0, 0, Some(false), Some(1)),
            page(3, 2, Some(true), None),
            page(0, 2, Some(false), Some(MAX_ITEMS + 1)),
        ];
        for (i, p) in cases.iter().enumerate() {
            let start = if i == 1 || i == 2 { 4 } else { 0 };
            assert!(
                matches!(next(p, start, "x"), Err(Error::Pagination(_))),
                "case {i}"
            );
        }
        assert!(matches!(
            next(&page(0, 2, None, None), 0, "x"),
            Err(Error::MalformedResponse(_))
        ));
    }
}
