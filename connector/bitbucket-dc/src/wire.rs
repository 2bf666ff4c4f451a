//! The shapes Bitbucket Data Center's REST API 1.0 answers with, read
//! field by field from JSON, and the message of its error bodies. Unknown
//! fields are ignored everywhere: real answers carry more than the OpenAPI
//! description says. (Read through `serde_json::Value` rather than derived
//! deserialisers: the same checks at a third of the component's size.)

use serde_json::Value;

use crate::{Error, Result};
use saas_connector_sdk::http::Response;

/// A string field.
pub fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(String::from)
}

/// A whole-number field.
pub fn number(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

/// A whole-number field that fits a `u32`.
pub fn small(v: &Value, key: &str) -> Option<u32> {
    number(v, key).and_then(|n| u32::try_from(n).ok())
}

/// A boolean field.
pub fn flag(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

/// One page of any paged resource (`start`, `limit`, `isLastPage`,
/// `nextPageStart`, `values`).
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub values: Vec<T>,
    /// The limit the server applied (it silently clamps the one asked for).
    pub limit: Option<u32>,
    /// Whether no page follows; none when the page does not say.
    pub is_last_page: Option<bool>,
    /// The `start` this page answered.
    pub start: Option<u32>,
    /// The `start` of the next page, present only when one follows.
    pub next_page_start: Option<u32>,
}

/// Reads a page's envelope; its items stay JSON until [`items`] reads
/// them (one envelope reader for every item type keeps the component small).
pub fn page(mut v: Value, what: &str) -> Result<Page<Value>> {
    let Some(Value::Array(values)) = v.get_mut("values").map(Value::take) else {
        return Err(Error::MalformedResponse(format!(
            "{what}: the answer is not a page (no values)"
        )));
    };
    Ok(Page {
        limit: small(&v, "limit"),
        is_last_page: flag(&v, "isLastPage"),
        start: small(&v, "start"),
        next_page_start: small(&v, "nextPageStart"),
        values,
    })
}

/// Reads a page's items with `item`; one it cannot read is a
/// `malformed-response` naming `what` and the item's place.
pub fn items<T>(
    values: &[Value],
    what: &str,
    item: impl Fn(&Value) -> Option<T>,
) -> Result<Vec<T>> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            item(v).ok_or_else(|| {
                Error::MalformedResponse(format!("{what}: item {i} of the page is not readable"))
            })
        })
        .collect()
}

/// A user as the admin listings give it (`RestDetailedUser`): the only
/// shape with the last authentication time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailedUser {
    /// The stable numeric id.
    pub id: u32,
    /// The username: the key of every admin call.
    pub name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Email, when the directory has one.
    pub email_address: Option<String>,
    /// False when the user is disabled in its directory.
    pub active: bool,
    /// `NORMAL` or `SERVICE`.
    pub kind: Option<String>,
    /// The user directory the account lives in.
    pub directory_name: Option<String>,
    /// Epoch milliseconds of the last successful authentication; none
    /// when the user never authenticated.
    pub last_authentication_timestamp: Option<i64>,
    /// False when the directory is read-only for group changes.
    pub mutable_groups: bool,
}

impl DetailedUser {
    /// Reads one; none without an id and a name.
    pub fn read(v: &Value) -> Option<Self> {
        Some(DetailedUser {
            id: small(v, "id")?,
            name: text(v, "name")?,
            display_name: text(v, "displayName"),
            email_address: text(v, "emailAddress").filter(|e| !e.is_empty()),
            active: flag(v, "active").unwrap_or(true),
            kind: text(v, "type"),
            directory_name: text(v, "directoryName"),
            last_authentication_timestamp: number(v, "lastAuthenticationTimestamp"),
            mutable_groups: flag(v, "mutableGroups").unwrap_or(true),
        })
    }
}

/// The id and name of a user in any shape (`RestApplicationUser`, the
/// `user` of a grant).
pub fn user_key(v: &Value) -> Option<(u32, String)> {
    Some((small(v, "id")?, text(v, "name")?))
}

/// The name of a group entry (`{name, deletable}`).
pub fn group_name(v: &Value) -> Option<String> {
    text(v, "name")
}

/// A grant: the subject (`user` or `group`, read by `subject`) and the
/// permission's name.
pub fn grant<T>(v: &Value, subject: impl Fn(&Value) -> Option<T>) -> Option<(T, String)> {
    let s = v.get("user").or_else(|| v.get("group"))?;
    Some((subject(s)?, text(v, "permission")?))
}

/// `/admin/license`, without its encoded key (never read, never kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    /// Seats bought.
    pub maximum_number_of_users: Option<u32>,
    /// Whether the licence has no seat limit.
    pub unlimited_number_of_users: bool,
    /// Seats in use by Bitbucket's own count.
    pub current_number_of_users: Option<u32>,
}

impl License {
    /// Reads one.
    pub fn read(v: &Value) -> Self {
        License {
            maximum_number_of_users: small(v, "maximumNumberOfUsers"),
            unlimited_number_of_users: flag(v, "unlimitedNumberOfUsers").unwrap_or(false),
            current_number_of_users: v
                .get("status")
                .and_then(|s| small(s, "currentNumberOfUsers")),
        }
    }
}

/// The JSON of a 2xx body, `malformed-response` naming `what` otherwise.
pub fn json(response: &Response, what: &str) -> Result<Value> {
    serde_json::from_slice(&response.body)
        .map_err(|_| Error::MalformedResponse(format!("{what}: the answer is not JSON")))
}

fn errors(response: &Response) -> Vec<Value> {
    serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|v| v.get("errors").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

/// The messages of an `{"errors":[{"message":...}]}` body, joined; the
/// status line's meaning when the body is anything else (an HTML page, a
/// proxy's answer), never the body itself.
pub fn error_message(response: &Response) -> String {
    let joined = errors(response)
        .iter()
        .filter_map(|e| text(e, "message"))
        .collect::<Vec<_>>()
        .join("; ");
    if joined.is_empty() {
        format!("HTTP {}", response.status)
    } else {
        joined
    }
}

/// Whether an error body says "not permitted" (Bitbucket's 401 for a
/// valid user without the global permission an endpoint needs) rather than
/// "not authenticated".
pub fn is_authorisation_refusal(response: &Response) -> bool {
    errors(response).iter().any(|e| {
        text(e, "exceptionName").is_some_and(|n| n.ends_with("AuthorisationException"))
            || text(e, "message").is_some_and(|m| m.to_ascii_lowercase().contains("not permitted"))
    })
}
