//! How a listing route pages, and the page the replay upstream answers for
//! a request: which items, and the next link, page number, start or cursor
//! written where the scenario says. Pure: no I/O.

use serde::Deserialize;
use serde_json::Value;
use url::Url;

/// How the next page is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PagingStyle {
    /// The page holds the whole URL of the next page; absent on the last.
    NextUrl,
    /// The page holds the next page's number; null on the last.
    PageNumber,
    /// `start` and `limit` in the query; the page says where the next
    /// starts and whether it is the last.
    StartLimit,
    /// An opaque cursor in the query; the page holds the next one, null on
    /// the last.
    Cursor,
}

/// A listing route's `paging` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Paging {
    /// How pages link.
    pub style: PagingStyle,
    /// A JSON pointer to the page's items (`/values`).
    pub items_at: String,
    /// Items per page unless the request asks for fewer or more.
    pub page_size: usize,
    /// The query parameter by which a request sets its page length.
    #[serde(default)]
    pub size_param: Option<String>,
    /// The most items a page holds whatever is asked.
    #[serde(default)]
    pub max_page_size: Option<usize>,
    /// The query parameter of the page number, start or cursor (`page`,
    /// `start`, `cursor` by default).
    #[serde(default)]
    pub param: Option<String>,
    /// The query parameter of `start-limit`'s limit (`limit` by default).
    #[serde(default)]
    pub limit_param: Option<String>,
    /// The first page's number (1 by default).
    #[serde(default)]
    pub first_page: Option<u64>,
    /// A JSON pointer to where the next link, number, start or cursor goes.
    #[serde(default)]
    pub next_at: Option<String>,
    /// A JSON pointer to a "this is the last page" boolean.
    #[serde(default)]
    pub last_at: Option<String>,
    /// A JSON pointer to the total number of items.
    #[serde(default)]
    pub total_at: Option<String>,
    /// A JSON pointer to the page length, echoed.
    #[serde(default)]
    pub size_at: Option<String>,
    /// A JSON pointer to the page's own number, echoed.
    #[serde(default)]
    pub page_at: Option<String>,
}

/// What a request asks of a listing: items from `offset`, at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// The first item's index.
    pub offset: usize,
    /// How many items at most.
    pub limit: usize,
}

/// The opaque cursor of an offset.
pub fn cursor_of(offset: usize) -> String {
    format!("c{offset:x}z")
}

fn offset_of(cursor: &str) -> Option<usize> {
    usize::from_str_radix(cursor.strip_prefix('c')?.strip_suffix('z')?, 16).ok()
}

impl Paging {
    /// The query parameter that names the page.
    pub fn param(&self) -> &str {
        self.param.as_deref().unwrap_or(match self.style {
            PagingStyle::NextUrl | PagingStyle::PageNumber => "page",
            PagingStyle::StartLimit => "start",
            PagingStyle::Cursor => "cursor",
        })
    }

    /// The first page's number.
    pub fn first_page(&self) -> u64 {
        self.first_page.unwrap_or(1)
    }

    /// Whether the table makes sense.
    pub fn validate(&self) -> Result<(), String> {
        if self.page_size == 0 {
            return Err("paging: page-size must be at least 1".into());
        }
        let needs_next = self.style != PagingStyle::StartLimit;
        if needs_next && self.next_at.is_none() {
            return Err(format!("paging: {:?} needs next-at", self.style));
        }
        if self.style == PagingStyle::StartLimit && self.last_at.is_none() {
            return Err("paging: start-limit needs last-at".into());
        }
        for p in [
            &self.next_at,
            &self.last_at,
            &self.total_at,
            &self.size_at,
            &self.page_at,
        ]
        .into_iter()
        .flatten()
        .chain([&self.items_at])
        {
            if !p.is_empty() && !p.starts_with('/') {
                return Err(format!("paging: {p:?} is not a JSON pointer"));
            }
        }
        Ok(())
    }

    /// What `url`'s query asks for; `Err` for a page, start or cursor the
    /// upstream would refuse (400).
    pub fn request(&self, url: &Url) -> Result<PageRequest, String> {
        let query = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let number = |name: &str| -> Result<Option<usize>, String> {
            query(name)
                .map(|v| {
                    v.parse()
                        .map_err(|_| format!("{name}={v:?} is not a number"))
                })
                .transpose()
        };
        let size_param = match self.style {
            PagingStyle::StartLimit => Some(self.limit_param.as_deref().unwrap_or("limit")),
            _ => self.size_param.as_deref(),
        };
        let asked = size_param.map(number).transpose()?.flatten();
        let limit = asked
            .unwrap_or(self.page_size)
            .clamp(1, self.max_page_size.unwrap_or(usize::MAX));
        let offset = match self.style {
            PagingStyle::NextUrl | PagingStyle::PageNumber => {
                let page = number(self.param())?.unwrap_or(self.first_page() as usize);
                let index = page
                    .checked_sub(self.first_page() as usize)
                    .ok_or(format!("page {page} is before the first"))?;
                index.saturating_mul(limit)
            }
            PagingStyle::StartLimit => number(self.param())?.unwrap_or(0),
            PagingStyle::Cursor => match query(self.param()) {
                None => 0,
                Some(c) => offset_of(&c).ok_or(format!("cursor {c:?} is not one of ours"))?,
            },
        };
        Ok(PageRequest { offset, limit })
    }
}

/// Sets the value at a JSON pointer, making the objects on the way.
pub fn set_at(root: &mut Value, pointer: &str, new: Value) {
    if pointer.is_empty() {
        *root = new;
        return;
    }
    let mut at = root;
    let keys: Vec<String> = pointer[1..]
        .split('/')
        .map(|k| k.replace("~1", "/").replace("~0", "~"))
        .collect();
    for key in &keys[..keys.len() - 1] {
        if !at.is_object() {
            *at = Value::Object(Default::default());
        }
        at = at
            .as_object_mut()
            .expect("an object")
            .entry(key.clone())
            .or_insert(Value::Null);
    }
    if !at.is_object() {
        *at = Value::Object(Default::default());
    }
    at.as_object_mut()
        .expect("an object")
        .insert(keys[keys.len() - 1].clone(), new);
}

/// `url` with its query parameter `name` (every one of that name) replaced
/// by one of `value`, at the end.
pub fn with_param(url: &Url, name: &str, value: &str) -> Url {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    out.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair(name, value);
    out
}

/// The page `request` gets of `items`, in `frame` (the route's body
/// template), with the next page named as `paging` says. `url` is the
/// request's own URL, from which a next URL is made.
pub fn page_body(
    frame: &Value,
    paging: &Paging,
    items: &[Value],
    request: PageRequest,
    url: &Url,
) -> Value {
    let start = request.offset.min(items.len());
    let end = request
        .offset
        .saturating_add(request.limit)
        .min(items.len());
    let last = end >= items.len();
    let mut page = frame.clone();
    set_at(
        &mut page,
        &paging.items_at,
        Value::from(items[start..end].to_vec()),
    );
    if let Some(at) = &paging.total_at {
        set_at(&mut page, at, Value::from(items.len()));
    }
    if let Some(at) = &paging.size_at {
        set_at(&mut page, at, Value::from(request.limit));
    }
    if let Some(at) = &paging.last_at {
        set_at(&mut page, at, Value::from(last));
    }
    let page_number = paging.first_page() + (request.offset / request.limit) as u64;
    if let Some(at) = &paging.page_at {
        set_at(&mut page, at, Value::from(page_number));
    }
    let next = match paging.style {
        PagingStyle::NextUrl if !last => Some(Value::from(
            with_param(url, paging.param(), &(page_number + 1).to_string()).as_str(),
        )),
        PagingStyle::NextUrl => None,
        PagingStyle::PageNumber => Some(if last {
            Value::Null
        } else {
            Value::from(page_number + 1)
        }),
        PagingStyle::StartLimit => (!last).then(|| Value::from(end)),
        PagingStyle::Cursor => Some(if last {
            Value::Null
        } else {
            Value::from(cursor_of(end))
        }),
    };
    if let (Some(at), Some(next)) = (&paging.next_at, next) {
        set_at(&mut page, at, next);
    }
    page
}
