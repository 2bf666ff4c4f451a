//! The Atlassian Admin API's JSON: organization workspaces, directory users
//! with their per-product last-active dates, one user's last-active dates,
//! and v2 groups. Read field by field like [`crate::wire`]: an absent or
//! mistyped optional field is `None`, never an error.

use serde_json::Value;

use crate::wire::{json, parse_time, str_field};
use crate::{Error, Result};
use saas_connector_sdk::http::Response;
use saas_connector_sdk::{Group, Timestamp};

/// A Bitbucket workspace as a resource of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgWorkspace {
    /// The resource id (an ARI), which `productAccess[].id` refers to.
    pub id: String,
    /// `attributes.name`.
    pub name: Option<String>,
    /// `attributes.hostUrl`.
    pub host_url: Option<String>,
    /// `attributes.typeKey` or `attributes.type`.
    pub product: Option<String>,
}

/// A user of the directory search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    /// `accountId`: Bitbucket's `account_id`.
    pub account_id: String,
    /// `email`, when visible.
    pub email: Option<String>,
    /// `status`: `active`, `suspended`, `deactivated`, ...
    pub status: Option<String>,
    /// `addedToOrg`.
    pub added_to_org: Option<Timestamp>,
    /// `productAccess[]` as (resource id, last active).
    pub product_access: Vec<(String, Option<Timestamp>)>,
}

/// One page of a cursor-paged Admin listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    /// The items.
    pub items: Vec<T>,
    /// `links.next`: a bare cursor (or a URL carrying `cursor=`).
    pub next: Option<String>,
}

impl<T> Paged<T> {
    /// The cursor of the next page, remembered in `visited`: none at the
    /// end (no `next`, or an empty page), `pagination` when it repeats.
    pub fn next_cursor(&self, visited: &mut Vec<u64>, what: &str) -> Result<Option<String>> {
        match self.next.as_ref().filter(|_| !self.items.is_empty()) {
            None => Ok(None),
            Some(next) if visited.contains(&crate::cursor::url_hash(next)) => {
                Err(Error::Pagination(format!("{what}: the cursor repeats")))
            }
            Some(next) => {
                visited.push(crate::cursor::url_hash(next));
                Ok(Some(next.clone()))
            }
        }
    }
}

fn data_array<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>> {
    v.get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::MalformedResponse(format!("{what}: no `data` array")))
}

/// `links.next`, reduced to the cursor: a URL's `cursor` parameter or the
/// bare value.
fn next_cursor(v: &Value) -> Option<String> {
    let next = v.get("links").and_then(|l| str_field(l, "next"))?;
    match url::Url::parse(&next) {
        Ok(u) => u
            .query_pairs()
            .find(|(k, _)| k == "cursor")
            .map(|(_, c)| c.into_owned()),
        Err(_) => Some(next),
    }
}

fn time(v: &Value, key: &str) -> Option<Timestamp> {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(parse_day_or_time)
}

/// RFC 3339, ISO 8601 or a plain `yyyy-MM-dd` (taken as midnight UTC).
pub fn parse_day_or_time(s: &str) -> Option<Timestamp> {
    parse_time(s).or_else(|| {
        let mut parts = s.splitn(3, '-').map(|p| p.parse::<i32>().ok());
        let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
        let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
        time::Date::from_calendar_date(y, month, u8::try_from(d).ok()?)
            .ok()
            .map(|d| d.midnight().assume_utc().unix_timestamp())
    })
}

/// A page of `POST /admin/v2/orgs/{org}/workspaces`.
pub fn workspaces(response: &Response) -> Result<Paged<OrgWorkspace>> {
    let what = "Atlassian Admin workspaces";
    let v = json(response, what)?;
    let items = data_array(&v, what)?
        .iter()
        .filter_map(|w| {
            let attributes = w.get("attributes").unwrap_or(&Value::Null);
            Some(OrgWorkspace {
                id: str_field(w, "id")?,
                name: str_field(attributes, "name"),
                host_url: str_field(attributes, "hostUrl"),
                product: str_field(attributes, "typeKey").or_else(|| str_field(attributes, "type")),
            })
        })
        .collect();
    Ok(Paged {
        items,
        next: next_cursor(&v),
    })
}

/// The last part of an id, without braces, lower case: how a Bitbucket
/// uuid (`{…}`) and a resource id (`ari:…/…`) are compared.
fn tail(id: &str) -> String {
    id.rsplit(['/', ':'])
        .next()
        .unwrap_or(id)
        .trim_matches(|c| c == '{' || c == '}')
        .to_ascii_lowercase()
}

/// Whether two resource ids name the same product instance (equal, or
/// equal in their last part). Never compared on a product's key.
pub fn same_resource(a: &str, b: &str) -> bool {
    a == b || (!tail(a).is_empty() && tail(a) == tail(b))
}

impl OrgWorkspace {
    /// Whether this resource is the Bitbucket workspace `slug` with `uuid`:
    /// by uuid first, then by the host URL's last segment, then by name.
    pub fn is(&self, slug: &str, uuid: &str) -> bool {
        if self
            .product
            .as_deref()
            .is_some_and(|p| !p.eq_ignore_ascii_case("bitbucket"))
        {
            return false;
        }
        if !uuid.is_empty() && same_resource(&self.id, uuid) {
            return true;
        }
        let by_url = self.host_url.as_deref().is_some_and(|u| {
            u.trim_end_matches('/')
                .rsplit('/')
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case(slug))
        });
        by_url
            || self
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(slug))
    }
}

fn product_access(list: Option<&Value>, at_key: &str) -> Vec<(String, Option<Timestamp>)> {
    list.and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| Some((str_field(e, "id")?, time(e, at_key))))
                .collect()
        })
        .unwrap_or_default()
}

/// A page of `POST /admin/v2/orgs/{org}/directories/{dir}/users/search`.
pub fn users(response: &Response) -> Result<Paged<DirectoryUser>> {
    let what = "Atlassian Admin users search";
    let v = json(response, what)?;
    let items = data_array(&v, what)?
        .iter()
        .filter_map(|u| {
            Some(DirectoryUser {
                account_id: str_field(u, "accountId")?,
                email: str_field(u, "email"),
                status: str_field(u, "status"),
                added_to_org: time(u, "addedToOrg"),
                product_access: product_access(u.get("productAccess"), "lastActiveTimestamp"),
            })
        })
        .collect();
    Ok(Paged {
        items,
        next: next_cursor(&v),
    })
}

/// One user's last-active dates (`GET …/last-active-dates`): the product
/// entries and the cursor of the next part.
pub fn last_active(response: &Response) -> Result<Paged<(String, Option<Timestamp>)>> {
    let what = "Atlassian Admin last-active dates";
    let v = json(response, what)?;
    let data = v
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| Error::MalformedResponse(format!("{what}: no `data` object")))?;
    let mut items = product_access(data.get("product_access"), "last_active_timestamp");
    // The timestamp is optional; the date is not.
    for ((_, at), e) in items.iter_mut().zip(
        data.get("product_access")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|e| str_field(e, "id").is_some()),
    ) {
        if at.is_none() {
            *at = time(e, "last_active");
        }
    }
    Ok(Paged {
        items,
        next: next_cursor(&v),
    })
}

/// The latest activity among `entries` for the resource `id`: one piece of
/// evidence per workspace, never the maximum over other products.
pub fn last_active_in(entries: &[(String, Option<Timestamp>)], id: &str) -> Option<Timestamp> {
    entries
        .iter()
        .filter(|(r, _)| same_resource(r, id))
        .filter_map(|(_, at)| *at)
        .max()
}

/// A v2 directory group, its scope `directory:<id>`.
pub fn group(v: &Value, directory: &str) -> Result<Group> {
    let id = str_field(v, "id")
        .ok_or_else(|| Error::MalformedResponse("Admin group without an id".into()))?;
    let access = v.get("managementAccess").unwrap_or(&Value::Null);
    let synced = v.get("externalSynced").and_then(Value::as_bool) == Some(true);
    let modifiable = access.get("modifiable").and_then(Value::as_bool);
    let directory = str_field(v, "directoryId").unwrap_or_else(|| directory.to_string());
    Ok(Group {
        id: format!("directory:{directory}/{id}"),
        scope: format!("directory:{directory}"),
        name: str_field(v, "name").unwrap_or_default(),
        permission: None,
        auto_add: None,
        writable: if synced { Some(false) } else { modifiable },
        members: Vec::new(),
    })
}

/// A page of `POST …/groups/search`.
pub fn groups(response: &Response, directory: &str) -> Result<Paged<Group>> {
    let what = "Atlassian Admin groups search";
    let v = json(response, what)?;
    let items = data_array(&v, what)?
        .iter()
        .map(|g| group(g, directory))
        .collect::<Result<_>>()?;
    Ok(Paged {
        items,
        next: next_cursor(&v),
    })
}

/// The resource ids of a group's role assignments (`data[].resourceId`).
pub fn role_resources(response: &Response) -> Result<Vec<String>> {
    let what = "Atlassian Admin role assignments";
    let v = json(response, what)?;
    Ok(data_array(&v, what)?
        .iter()
        .filter_map(|r| str_field(r, "resourceId"))
        .collect())
}
