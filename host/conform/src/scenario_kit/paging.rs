//! The upstream's paging breaking its own rules: a next that repeats, a
//! cycle, a next missing while a total says more, next links that leave
//! the API's origin. Each gives `pagination`, and nothing leaves. Pages
//! lose their counts (total, page number, page length) for these checks,
//! so that a connector that pages by numbers when it can must follow the
//! links here.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;
use url::Url;

use saas_runtime::egress::Fault;

use super::auth::expect_kind;
use super::bench::Control;
use super::{Bench, Miss, Outcome, Subject};
use crate::kit::{self, Listed};
use crate::scenario::{Paging, PagingStyle, cursor_of, set_at, with_param};

fn paging(b: &Bench<'_>) -> Paging {
    b.listing_route()
        .paging
        .expect("a validated listing route pages")
}

/// A link to the first page, in the scenario's style.
fn first_page(p: &Paging, control: &Control) -> Option<Value> {
    Some(match p.style {
        PagingStyle::PageNumber => Value::from(p.first_page()),
        PagingStyle::StartLimit => Value::from(0),
        PagingStyle::Cursor => Value::from(cursor_of(0)),
        // The very URL the first page was fetched by: a repeat, not a
        // new name for the same page.
        PagingStyle::NextUrl => Value::from(control.pages.first()?.as_str()),
    })
}

/// Removes the value at a JSON pointer.
fn remove_at(page: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", ""));
    if let Some(Value::Object(m)) = page.pointer_mut(parent) {
        m.remove(key);
    }
}

/// Strips the counts from every page of the aimed-at listing (unless
/// `keep_counts`), and on the `nth` (from 0) applies `change` to the page,
/// its next link at `next-at`.
fn rewrite_pages(
    p: &Paging,
    nth: u32,
    keep_counts: bool,
    change: impl Fn(&mut Value, &str) + Send + Sync + 'static,
) -> Fault {
    let seen = AtomicU32::new(0);
    let next_at = p.next_at.clone().unwrap_or_default();
    let counts: Vec<String> = [&p.page_at, &p.size_at, &p.total_at]
        .into_iter()
        .flatten()
        .filter(|_| !keep_counts)
        .cloned()
        .collect();
    Fault::Rewrite(Arc::new(move |r| {
        let Ok(mut page) = serde_json::from_slice::<Value>(r.body()) else {
            return;
        };
        counts.iter().for_each(|c| remove_at(&mut page, c));
        if seen.fetch_add(1, Ordering::SeqCst) == nth {
            change(&mut page, &next_at);
        }
        *r.body_mut() = page.to_string().into_bytes();
    }))
}

/// The next link of page `nth` set to `next` (removed when none).
/// The page's last-page flag, when it has one, agrees.
fn set_next(p: &Paging, nth: u32, next: Option<Value>) -> Fault {
    let last_at = p.last_at.clone();
    rewrite_pages(p, nth, false, move |page, at| {
        match &next {
            Some(v) => set_at(page, at, v.clone()),
            None => remove_at(page, at),
        }
        if let Some(last) = &last_at {
            set_at(page, last, Value::from(next.is_none()));
        }
    })
}

/// The listing under a next link rewritten on page `nth` gives
/// `pagination`: the connector refused the link, it did not follow it.
fn refused(b: &Bench<'_>, control: &Control, fault: Fault, what: &str) -> Outcome {
    b.fault_page(0, u32::MAX, fault);
    match b.list(&control.config, &control.session) {
        Listed::Failed(e) if e.kind() == "denied-by-host" => Err(Miss::Fail(format!(
            "{what}: the connector followed it, and was denied by the host ({})",
            e.describe()
        ))),
        Listed::Failed(e) => {
            expect_kind(&e, "pagination").map_err(|w| format!("{what}: {w}"))?;
            Ok(format!(
                "{what}: pagination, after {} requests",
                b.requests().len()
            ))
        }
        other => Err(Miss::Fail(format!(
            "{what}: the listing {}",
            kit::describe(&other)
        ))),
    }
}

/// Page 1's next names page 1 again.
pub fn repeat(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let control = b.control_pages()?;
    if control.pages.len() < 2 {
        return Err(Miss::Skip("the scenario's listing has one page".into()));
    }
    let p = paging(&b);
    let link = first_page(&p, &control);
    refused(
        &b,
        &control,
        set_next(&p, 0, link),
        "page 1 links to itself",
    )
}

/// Page 3's next names page 1: a cycle of three.
pub fn cycle(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let control = b.control_pages()?;
    if control.pages.len() < 3 {
        return Err(Miss::Skip(
            "the scenario's listing has fewer than 3 pages".into(),
        ));
    }
    let p = paging(&b);
    let link = first_page(&p, &control);
    refused(
        &b,
        &control,
        set_next(&p, 2, link),
        "page 3 links to page 1",
    )
}

/// Page 1 has no next while the total says more items follow: the listing
/// either ends with `pagination` or, paging by the counts, is still the
/// truth; it never ends short as if complete.
pub fn missing_next(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    if paging(&b).total_at.is_none() {
        return Err(Miss::Skip("the scenario's pages carry no total".into()));
    }
    let control = b.control_pages()?;
    if control.pages.len() < 2 {
        return Err(Miss::Skip("the scenario's listing has one page".into()));
    }
    let p = paging(&b);
    b.fault_page(0, u32::MAX, rewrite_pages(&p, 0, true, remove_at));
    match b.list(&control.config, &control.session) {
        Listed::Failed(e) => {
            expect_kind(&e, "pagination")?;
            Ok("no next while the total says more: pagination".into())
        }
        Listed::Done { listing, .. } => {
            super::truth::compare(&listing.users, b.truth()).map_err(|w| {
                Miss::Fail(format!(
                    "no next while the total says more: ended short: {w}"
                ))
            })?;
            Ok("no next while the total says more: the listing paged by the counts, exact".into())
        }
        other => Err(Miss::Fail(format!(
            "no next while the total says more: the listing {}",
            kit::describe(&other)
        ))),
    }
}

/// A link, in the scenario's style, to the page after the control's last
/// one: past the end of the listing.
fn past_end(p: &Paging, control: &Control) -> Option<Value> {
    let last = Url::parse(control.pages.last()?).ok()?;
    let at = p.request(&last).ok()?;
    let end = at.offset + at.limit;
    let number = p.first_page() + (end / at.limit) as u64;
    Some(match p.style {
        PagingStyle::NextUrl => {
            Value::from(with_param(&last, p.param(), &number.to_string()).as_str())
        }
        PagingStyle::PageNumber => Value::from(number),
        PagingStyle::StartLimit => Value::from(end),
        PagingStyle::Cursor => Value::from(cursor_of(end)),
    })
}

/// The last page still names a next one, past the end (which answers no
/// items and no next): the listing follows it, or stops by the counts,
/// and is the truth all the same.
pub fn next_on_last(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let control = b.control_pages()?;
    let p = paging(&b);
    let Some(link) = past_end(&p, &control) else {
        return Err(Miss::Skip("the control's last page has no position".into()));
    };
    let last = control.pages.len() as u32 - 1;
    b.fault_page(0, u32::MAX, set_next(&p, last, Some(link)));
    match b.list(&control.config, &control.session) {
        Listed::Done { listing, .. } => {
            super::truth::compare(&listing.users, b.truth())
                .map_err(|w| Miss::Fail(format!("a next link on the last page: {w}")))?;
            Ok(format!(
                "a next link on page {}, past the end: the truth",
                last + 1
            ))
        }
        other => Err(Miss::Fail(format!(
            "a next link on the last page, past the end: the listing {}",
            kit::describe(&other)
        ))),
    }
}

/// Page 1's next URL moved by `change`; skipped unless pages link by URL.
fn foreign(s: &Subject<'_>, what: &str, change: fn(&mut Url)) -> Outcome {
    let b = s.bench()?;
    if paging(&b).style != PagingStyle::NextUrl {
        return Err(Miss::Skip("the scenario's pages do not link by URL".into()));
    }
    let control = b.control_pages()?;
    if control.pages.len() < 2 {
        return Err(Miss::Skip("the scenario's listing has one page".into()));
    }
    let rewrite = rewrite_pages(&paging(&b), 0, false, move |page, at| {
        if let Some(Value::String(next)) = page.pointer_mut(at)
            && let Ok(mut url) = Url::parse(next)
        {
            change(&mut url);
            *next = url.to_string();
        }
    });
    refused(&b, &control, rewrite, what)
}

/// The next URL names another host.
pub fn foreign_host(s: &Subject<'_>) -> Outcome {
    foreign(s, "a next link to another host", |u| {
        let _ = u.set_host(Some("127.0.0.2"));
    })
}

/// The next URL names another port.
pub fn foreign_port(s: &Subject<'_>) -> Outcome {
    foreign(s, "a next link to another port", |u| {
        let port = u.port_or_known_default().unwrap_or(80);
        let _ = u.set_port(Some(port.wrapping_add(1).max(1)));
    })
}

/// The next URL names another scheme.
pub fn foreign_scheme(s: &Subject<'_>) -> Outcome {
    foreign(s, "a next link to another scheme", |u| {
        let other = if u.scheme() == "https" {
            "http"
        } else {
            "https"
        };
        let _ = u.set_scheme(other);
    })
}

/// The next URL carries a user and password.
pub fn foreign_userinfo(s: &Subject<'_>) -> Outcome {
    foreign(s, "a next link with a user and password", |u| {
        let _ = u.set_username("kit");
        let _ = u.set_password(Some("stolen"));
    })
}

/// A page with a next link and no counts: the connector asks for the next
/// page by the very URL given (a marker added to it must come back), not
/// by a URL of its own making.
pub fn next_only(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let p = paging(&b);
    if p.style != PagingStyle::NextUrl {
        return Err(Miss::Skip("the scenario's pages do not link by URL".into()));
    }
    let control = b.control_pages()?;
    if control.pages.len() < 2 {
        return Err(Miss::Skip("the scenario's listing has one page".into()));
    }
    b.fault_page(
        0,
        u32::MAX,
        rewrite_pages(&p, 0, false, |page, at| {
            if let Some(Value::String(next)) = page.pointer_mut(at)
                && let Ok(mut url) = Url::parse(next)
            {
                url.query_pairs_mut().append_pair("kit-marker", "1");
                *next = url.to_string();
            }
        }),
    );
    let listed = b.list(&control.config, &control.session);
    let aimed = b.listing_match();
    let second = b
        .requests()
        .into_iter()
        .filter(|x| {
            http::Request::get(x.url.as_str())
                .body(Vec::new())
                .is_ok_and(|r| aimed.matches(&r))
        })
        .nth(1);
    match (listed, second) {
        (Listed::Done { .. }, Some(x)) if x.url.contains("kit-marker=1") => Ok(format!(
            "page 2 was asked for by its link: {}",
            x.describe()
        )),
        (Listed::Done { .. }, Some(x)) => Err(Miss::Fail(format!(
            "page 2 was asked for by a URL of the connector's own: {}",
            x.describe()
        ))),
        (Listed::Done { .. }, None) => Err(Miss::Fail(
            "page 2 was never asked for after a page with a next link and no counts".into(),
        )),
        (other, _) => Err(Miss::Fail(format!(
            "with a marker in the next link, the listing {}",
            kit::describe(&other)
        ))),
    }
}
