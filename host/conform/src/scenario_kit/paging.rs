//! The upstream's paging breaking its own rules: a next that repeats, a
//! cycle, a next missing while a total says more, next links that leave
//! the API's origin. Each gives `pagination`, and nothing leaves.

use std::sync::Arc;

use serde_json::Value;
use url::Url;

use saas_runtime::egress::Fault;

use super::auth::expect_kind;
use super::bench::Control;
use super::{Bench, Miss, Outcome, Subject};
use crate::kit::{self, Listed};
use crate::scenario::{Paging, PagingStyle, cursor_of, set_at};

fn paging<'b>(b: &'b Bench<'_>) -> &'b Paging {
    b.listing_route()
        .paging
        .as_ref()
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

/// Sets (or, with none, removes) the next link of a page.
fn set_next(p: &Paging, next: Option<Value>) -> Fault {
    let at = p.next_at.clone().unwrap_or_default();
    Fault::Rewrite(Arc::new(move |r| {
        let Ok(mut page) = serde_json::from_slice::<Value>(r.body()) else {
            return;
        };
        match &next {
            Some(v) => set_at(&mut page, &at, v.clone()),
            None => {
                let (parent, key) = at.rsplit_once('/').unwrap_or(("", ""));
                if let Some(Value::Object(m)) = page.pointer_mut(parent) {
                    m.remove(key);
                }
            }
        }
        *r.body_mut() = page.to_string().into_bytes();
    }))
}

/// The listing under a next link rewritten on page `nth` gives
/// `pagination`: the connector refused the link, it did not follow it.
fn refused(b: &Bench<'_>, control: &Control, nth: u32, fault: Fault, what: &str) -> Outcome {
    b.fault_page(nth, 1, fault);
    match b.list(&control.config, &control.session) {
        Listed::Failed(e) if e.kind() == "denied-by-host" => Err(Miss::Fail(format!(
            "{what}: the connector followed it, and was denied by the host ({})",
            e.describe()
        ))),
        Listed::Failed(e) => {
            expect_kind(&e, "pagination").map_err(|m| match m {
                Miss::Fail(w) => Miss::Fail(format!("{what}: {w}")),
                skip => skip,
            })?;
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
    let link = first_page(paging(&b), &control);
    refused(
        &b,
        &control,
        0,
        set_next(paging(&b), link),
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
    let link = first_page(paging(&b), &control);
    refused(
        &b,
        &control,
        2,
        set_next(paging(&b), link),
        "page 3 links to page 1",
    )
}

/// Page 1 has no next while the total says more items follow.
pub fn missing_next(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    if paging(&b).total_at.is_none() {
        return Err(Miss::Skip("the scenario's pages carry no total".into()));
    }
    let control = b.control_pages()?;
    if control.pages.len() < 2 {
        return Err(Miss::Skip("the scenario's listing has one page".into()));
    }
    refused(
        &b,
        &control,
        0,
        set_next(paging(&b), None),
        "no next while the total says more",
    )
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
    let at = paging(&b).next_at.clone().unwrap_or_default();
    let rewrite = Fault::Rewrite(Arc::new(move |r| {
        let Ok(mut page) = serde_json::from_slice::<Value>(r.body()) else {
            return;
        };
        if let Some(Value::String(next)) = page.pointer_mut(&at)
            && let Ok(mut url) = Url::parse(next)
        {
            change(&mut url);
            *next = url.to_string();
        }
        *r.body_mut() = page.to_string().into_bytes();
    }));
    refused(&b, &control, 0, rewrite, what)
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

/// The connector asks for the next page by the very URL the page gives
/// (a marker added to it must come back), not by a URL of its own making.
pub fn next_only(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let p = paging(&b).clone();
    if p.style != PagingStyle::NextUrl {
        return Err(Miss::Skip("the scenario's pages do not link by URL".into()));
    }
    let control = b.control_pages()?;
    if control.pages.len() < 2 {
        return Err(Miss::Skip("the scenario's listing has one page".into()));
    }
    let at = p.next_at.clone().unwrap_or_default();
    b.fault_page(
        0,
        1,
        Fault::Rewrite(Arc::new(move |r| {
            let Ok(mut page) = serde_json::from_slice::<Value>(r.body()) else {
                return;
            };
            if let Some(Value::String(next)) = page.pointer_mut(&at)
                && let Ok(mut url) = Url::parse(next)
            {
                url.query_pairs_mut().append_pair("kit-marker", "1");
                *next = url.to_string();
            }
            *r.body_mut() = page.to_string().into_bytes();
        })),
    );
    let listed = b.list(&control.config, &control.session);
    let second = b.requests().into_iter().filter(|x| !x.faulted).find(|x| {
        control
            .pages
            .first()
            .is_some_and(|first| x.url != *first && x.url.contains(b.listing_route().path.as_str()))
    });
    match (listed, second) {
        (Listed::Done { .. }, Some(x)) if x.url.contains("kit-marker=1") => Ok(format!(
            "page 2 was asked for by its link: {}",
            x.describe()
        )),
        (Listed::Done { .. }, Some(x)) => Err(Miss::Fail(format!(
            "page 2 was asked for by a URL of the connector's own: {}",
            x.describe()
        ))),
        (other, _) => Err(Miss::Fail(format!(
            "with a marker in the next link, the listing {}",
            kit::describe(&other)
        ))),
    }
}
