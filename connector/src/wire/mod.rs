//! The only module that knows Bitbucket's JSON. A missing, null or wrongly
//! typed optional field becomes `None` instead of an error, and only a
//! missing required field fails (with a typed error). Member pages, the
//! listing's bulk, are read as typed structs with lenient fields
//! ([`member`]); the rest is read as a `serde_json::Value` and picked apart
//! field by field.

mod lenient;
mod member;

use serde::Deserialize;
use serde_json::Value;

use crate::{Error, Result};
use saas_connector_sdk::http::Response;
use saas_connector_sdk::{BillingUnit, Group, GroupMember, Timestamp, UnitKind, UnitRef};

pub use lenient::{Object, Scalar};
pub use member::{Account, MemberEntry};

/// The evidence source of `last_accessed` in `/2.0/workspaces/{slug}/permissions`.
pub const PERMISSIONS_SOURCE: &str = "bitbucket-permissions";

/// Why every Bitbucket Cloud membership is billable.
pub const BILLABLE: &str =
    "every workspace member holds a seat (Bitbucket billing since 2023-10-31)";

/// Longest upstream message quoted in an error.
const MAX_MESSAGE: usize = 300;

/// Parses a body as JSON, with a typed error for non-JSON, empty and
/// non-UTF-8 bodies.
pub fn json(response: &Response, what: &str) -> Result<Value> {
    parse(response, what)
}

/// Parses a body as `T`, which may borrow from it, with the typed errors of
/// [`json`], and one for JSON of another shape. That error names where in
/// the body, never what it found: a quoted value could be personal data.
pub fn parse<'a, T: Deserialize<'a>>(response: &'a Response, what: &str) -> Result<T> {
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::MalformedResponse(format!(
            "{what}: empty body with status {}",
            response.status
        )));
    }
    // Checked whole, as a `Value` parse checks every string; the parser
    // then need not check each string again.
    let text = std::str::from_utf8(&response.body).map_err(|_| {
        let kind = if looks_like_html(&response.body) {
            "an HTML page instead of JSON"
        } else {
            "a body that is not UTF-8"
        };
        Error::MalformedResponse(format!("{what}: {kind}"))
    })?;
    serde_json::from_str(text).map_err(|e| {
        let kind = if looks_like_html(&response.body) {
            "an HTML page instead of JSON".to_string()
        } else if e.is_data() {
            format!(
                "JSON of an unexpected shape (line {} column {})",
                e.line(),
                e.column()
            )
        } else {
            format!("invalid JSON ({e})")
        };
        Error::MalformedResponse(format!("{what}: {kind}"))
    })
}

/// The body as JSON of any shape, when it is JSON.
fn any_json(response: &Response) -> Option<Value> {
    serde_json::from_str(std::str::from_utf8(&response.body).ok()?).ok()
}

fn looks_like_html(body: &[u8]) -> bool {
    let start: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype") || start.starts_with(b"<html") || start.starts_with(b"<")
}

/// A string field, `None` when absent, null, empty or not a string.
pub fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn bool_field(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

/// Parses an ISO 8601 / RFC 3339 time (Bitbucket's format) to seconds.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    time::OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(s, &Iso8601::DEFAULT))
        .ok()
        .map(|t| t.unix_timestamp())
}

fn time_field(v: &Value, key: &str) -> Option<Timestamp> {
    v.get(key).and_then(Value::as_str).and_then(parse_time)
}

/// A paginated envelope (`size`, `page`, `pagelen`, `next`, `values`), of
/// `Value`s ([`page`]) or of memberships ([`member_page`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T = Value> {
    /// Total items, when the endpoint reports it.
    pub size: Option<u64>,
    /// This page's number, when reported.
    pub page: Option<u64>,
    /// Items per page, when reported.
    pub pagelen: Option<u64>,
    /// Absolute URL of the next page.
    pub next: Option<String>,
    /// The items.
    pub values: Vec<T>,
}

/// A page of memberships as sent; `values` is lenient too, so that its
/// absence gets its own message.
#[derive(Default, Deserialize)]
#[serde(default)]
struct MemberEnvelope<'a> {
    #[serde(borrow)]
    size: Scalar<'a>,
    #[serde(borrow)]
    page: Scalar<'a>,
    #[serde(borrow)]
    pagelen: Scalar<'a>,
    #[serde(borrow)]
    next: Scalar<'a>,
    #[serde(borrow)]
    values: Option<Vec<MemberEntry<'a>>>,
}

/// Parses a paginated envelope of `Value`s; only `values` is required.
pub fn page(response: &Response, what: &str) -> Result<Page> {
    let mut v = json(response, what)?;
    let Some(Value::Array(values)) = v.get_mut("values").map(Value::take) else {
        return Err(no_values(what));
    };
    let count = |key| v.get(key).and_then(Value::as_u64);
    Ok(Page {
        size: count("size"),
        page: count("page"),
        pagelen: count("pagelen"),
        next: str_field(&v, "next"),
        values,
    })
}

/// Parses a page of workspace memberships, straight into typed entries.
pub fn member_page<'a>(response: &'a Response, what: &str) -> Result<Page<MemberEntry<'a>>> {
    let v: MemberEnvelope = parse(response, what)?;
    Ok(Page {
        size: v.size.count(),
        page: v.page.count(),
        pagelen: v.pagelen.count(),
        next: v.next.owned(),
        values: v.values.ok_or_else(|| no_values(what))?,
    })
}

fn no_values(what: &str) -> Error {
    Error::MalformedResponse(format!("{what}: no `values` array in the page"))
}

/// A workspace seen in discovery: `values[].workspace` of
/// `/2.0/user/workspaces`, or a bare workspace of the retired `/2.0/workspaces`.
pub fn discovered_workspace(v: &Value) -> Option<(String, String)> {
    let ws = v.get("workspace").filter(|w| w.is_object()).unwrap_or(v);
    Some((
        str_field(ws, "slug")?,
        str_field(ws, "uuid").unwrap_or_default(),
    ))
}

/// A workspace as a billing unit: its uuid, or its slug while the uuid is
/// unknown.
pub fn unit(slug: &str, id: &str) -> UnitRef {
    UnitRef {
        kind: UnitKind::Workspace,
        id: if id.is_empty() { slug } else { id }.to_string(),
        key: slug.to_string(),
    }
}

/// A workspace object (`GET /2.0/workspaces/{slug}`).
pub fn workspace(v: &Value, what: &str) -> Result<BillingUnit> {
    let slug = str_field(v, "slug")
        .ok_or_else(|| Error::MalformedResponse(format!("{what}: workspace without a slug")))?;
    Ok(BillingUnit {
        unit: unit(&slug, &str_field(v, "uuid").unwrap_or_default()),
        name: str_field(v, "name"),
        created_at: time_field(v, "created_on"),
        seats: None,
    })
}

/// A 1.0 group object.
pub fn group(v: &Value, fallback_workspace: &str) -> Result<Group> {
    let slug = str_field(v, "slug")
        .ok_or_else(|| Error::MalformedResponse("group without a slug".into()))?;
    let workspace = v
        .get("owner")
        .and_then(|o| str_field(o, "nickname").or_else(|| str_field(o, "username")))
        .unwrap_or_else(|| fallback_workspace.to_string());
    let members = match v.get("members").and_then(Value::as_array) {
        Some(ms) => ms.iter().map(group_member).collect(),
        None => Vec::new(),
    };
    Ok(Group {
        id: format!("{workspace}/{slug}"),
        name: str_field(v, "name").unwrap_or_default(),
        scope: workspace,
        permission: str_field(v, "permission"),
        auto_add: bool_field(v, "auto_add"),
        writable: None,
        members,
    })
}

/// A 1.0 group member (an account).
pub fn group_member(v: &Value) -> GroupMember {
    GroupMember {
        user_id: str_field(v, "uuid"),
        account_id: str_field(v, "account_id"),
        display_name: str_field(v, "display_name"),
        email: None,
    }
}

/// An OAuth token endpoint answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// Access token.
    pub access_token: String,
    /// Seconds until expiry.
    pub expires_in: Option<i64>,
    /// Refresh token.
    pub refresh_token: Option<String>,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

/// Parses a token endpoint success body.
pub fn token_grant(response: &Response) -> Result<TokenGrant> {
    let v = json(response, "token endpoint")?;
    let access_token = str_field(&v, "access_token").ok_or_else(|| {
        Error::MalformedResponse("token endpoint: no access_token in the answer".into())
    })?;
    if let Some(t) = str_field(&v, "token_type")
        && !t.eq_ignore_ascii_case("bearer")
    {
        return Err(Error::MalformedResponse(format!(
            "token endpoint: unsupported token_type {t:?}"
        )));
    }
    let expires_in = match v.get("expires_in") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .filter(|s| (0..=10 * 365 * 86_400).contains(s));
    let scopes = str_field(&v, "scopes")
        .or_else(|| str_field(&v, "scope"))
        .map(|s| s.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    Ok(TokenGrant {
        access_token,
        expires_in,
        refresh_token: str_field(&v, "refresh_token"),
        scopes,
    })
}

/// What an error body says, in one short line: Bitbucket's 2.0 shape, the
/// OAuth shape, a bare `message`, or plain text. HTML pages are named, not
/// quoted.
pub fn error_message(response: &Response) -> String {
    let text = match any_json(response) {
        Some(v) => v
            .get("error")
            .and_then(|e| str_field(e, "message"))
            .or_else(|| admin_error(&v))
            .or_else(|| str_field(&v, "error_description"))
            .or_else(|| str_field(&v, "message"))
            .or_else(|| str_field(&v, "error"))
            .unwrap_or_else(|| format!("HTTP {}", response.status)),
        None if looks_like_html(&response.body) => {
            format!("HTTP {} (an HTML error page)", response.status)
        }
        None => {
            let s = String::from_utf8_lossy(&response.body).trim().to_string();
            if s.is_empty() {
                format!("HTTP {}", response.status)
            } else {
                s
            }
        }
    };
    shorten(&text)
}

/// The Atlassian Admin API's `errors[0]`: its code, title and detail.
fn admin_error(v: &Value) -> Option<String> {
    let e = v.get("errors")?.as_array()?.first()?;
    let text = [
        str_field(e, "code"),
        str_field(e, "title"),
        str_field(e, "detail"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(": ");
    (!text.is_empty()).then_some(text)
}

/// The OAuth `error` code of a token endpoint answer.
pub fn oauth_error_code(response: &Response) -> Option<String> {
    let v = any_json(response)?;
    v.get("error").and_then(Value::as_str).map(String::from)
}

/// Scopes named by a 403 "lack required privilege scopes" answer.
pub fn scope_detail(response: &Response) -> Option<(Vec<String>, Vec<String>)> {
    let v = any_json(response)?;
    let detail = v.get("error")?.get("detail")?;
    let list = |k: &str| -> Vec<String> {
        detail
            .get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (required, granted) = (list("required"), list("granted"));
    (!required.is_empty() || !granted.is_empty()).then_some((required, granted))
}

fn shorten(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(MAX_MESSAGE) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}
