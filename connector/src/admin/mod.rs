//! The Atlassian Admin API (`api.atlassian.com`), reached with an
//! organization API key: the source of real per-workspace last-active dates,
//! emails, and directory groups for workspaces administered in
//! admin.atlassian.com. This module builds its requests; [`wire`] reads its
//! answers.

pub mod wire;

use serde::{Deserialize, Serialize};

use crate::endpoints::{http_url, segment};
use crate::{Error, Result, upstream};
use saas_connector_sdk::http::{HttpError, Method, Request, Response};
use saas_connector_sdk::{Credential, credentials};

/// The optional credential slot: org id and org API key.
pub const SLOT: &str = "atlassian-admin";

/// The Admin API's base.
pub const DEFAULT_BASE: &str = "https://api.atlassian.com";

/// The evidence source of the Admin API's per-product last-active dates.
pub const SOURCE: &str = "atlassian-admin-last-active";

/// Users asked for in one directory search (by `accountIds`).
pub const SEARCH_BATCH: usize = 100;

/// Where an org API key is made, for hints.
pub const WHERE_TO_GET_A_KEY: &str =
    "an organization admin creates one in admin.atlassian.com > Settings > API keys";

/// The JSON body of an Admin API POST: only the fields given.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_ids: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_ids: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expand: Option<&'a [&'a str]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
}

impl<'a> Body<'a> {
    /// A page of a listing: the cursor alone (a body with a cursor must
    /// hold nothing else), or the first page's size.
    fn page(cursor: Option<&'a str>) -> Self {
        match cursor {
            Some(c) => Body {
                cursor: Some(c),
                ..Body::default()
            },
            None => Body {
                limit: Some(SEARCH_BATCH),
                ..Body::default()
            },
        }
    }
}

/// An organization id with its API key. The key is secret: `Debug` omits it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminKey {
    /// The organization id (shown with the key, and in the admin URL).
    pub org_id: String,
    /// The organization API key, sent as `Bearer`.
    pub api_key: String,
}

impl std::fmt::Debug for AdminKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AdminKey({}, [REDACTED])", self.org_id)
    }
}

impl AdminKey {
    /// Reads the `atlassian-admin` slot's `named-fields` credential.
    pub fn from_contract(credential: &Credential) -> Result<Self> {
        let Credential::NamedFields(fields) = credential else {
            return Err(Error::InvalidConfig(format!(
                "the {SLOT} slot takes the named fields org-id and api-key"
            )));
        };
        let get = |name: &str| {
            credentials::field(fields, name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
                .ok_or_else(|| {
                    Error::InvalidConfig(format!("the {SLOT} slot needs its {name} field"))
                })
        };
        Ok(AdminKey {
            org_id: get("org-id")?,
            api_key: get("api-key")?,
        })
    }

    fn authorization(&self) -> String {
        format!("Bearer {}", self.api_key)
    }
}

/// The Admin API for one organization.
#[derive(Debug, Clone)]
pub struct Admin<'a> {
    base: String,
    key: &'a AdminKey,
}

impl<'a> Admin<'a> {
    /// The API at `base` (validated) for `key`'s organization.
    pub fn new(base: Option<&str>, key: &'a AdminKey) -> Result<Self> {
        let base = base.unwrap_or(DEFAULT_BASE);
        http_url(base, "admin-api-base-url")?;
        Ok(Admin {
            base: base.trim_end_matches('/').to_string(),
            key,
        })
    }

    fn url(&self, version: &str, path: &str) -> String {
        format!(
            "{}/admin/{version}/orgs/{}{path}",
            self.base,
            segment(&self.key.org_id)
        )
    }

    fn get(&self, url: String) -> Request {
        Request::get(url, &self.key.authorization())
    }

    fn post(&self, url: String, body: &Body<'_>) -> Request {
        Request::new(Method::Post, url)
            .header("Authorization", &self.key.authorization())
            .header("Accept", "application/json")
            .body(
                "application/json",
                serde_json::to_vec(body).expect("a body serialises"),
            )
    }

    fn delete(&self, url: String) -> Request {
        Request::new(Method::Delete, url).header("Authorization", &self.key.authorization())
    }

    /// `GET /admin/v1/orgs/{org}`: the request that proves the key and the
    /// org id; [`Admin::checked`] reads its answer.
    pub fn check(&self) -> Request {
        self.get(self.url("v1", ""))
    }

    /// The verdict on the answer to [`Admin::check`].
    pub fn checked(&self, answer: std::result::Result<Response, HttpError>) -> Result<()> {
        let what = "Atlassian Admin API (org API key check)";
        let response = answer.map_err(|e| upstream::transport_error(e, what))?;
        match response.status {
            200..=299 => Ok(()),
            401 => Err(Error::InvalidCredentials(format!(
                "{what}: the organization API key was refused ({WHERE_TO_GET_A_KEY}; keys \
                 expire, at most a year after creation)"
            ))),
            404 => Err(Error::InvalidConfig(format!(
                "{what}: no organization {:?} for this key",
                self.key.org_id
            ))),
            _ => Err(upstream::api_error(&response, what)),
        }
    }

    /// One page of the organization's workspaces (the Bitbucket ones among
    /// them carry the resource ids that last-active entries refer to).
    pub fn workspaces(&self, cursor: Option<&str>) -> Request {
        self.post(self.url("v2", "/workspaces"), &Body::page(cursor))
    }

    /// One directory search for these accounts, with product access.
    pub fn users(&self, account_ids: &[String], cursor: Option<&str>) -> Request {
        let body = Body {
            account_ids: Some(account_ids),
            expand: Some(&["productAccess"]),
            limit: Some(SEARCH_BATCH),
            cursor,
            ..Body::default()
        };
        self.post(self.url("v2", "/directories/-/users/search"), &body)
    }

    /// One user's per-product last-active dates.
    pub fn last_active(&self, account_id: &str) -> Request {
        self.get(self.url(
            "v1",
            &format!("/directory/users/{}/last-active-dates", segment(account_id)),
        ))
    }

    /// One page of the directory's groups.
    pub fn groups(&self, directory: &str, cursor: Option<&str>) -> Request {
        self.post(
            self.url(
                "v2",
                &format!("/directories/{}/groups/search", segment(directory)),
            ),
            &Body::page(cursor),
        )
    }

    /// The members of a group: the users search filtered by group.
    pub fn group_members(&self, group: &str, cursor: Option<&str>) -> Request {
        let groups = [group.to_string()];
        let body = Body {
            group_ids: Some(&groups),
            limit: Some(SEARCH_BATCH),
            cursor,
            ..Body::default()
        };
        self.post(self.url("v2", "/directories/-/users/search"), &body)
    }

    /// The roles a directory group grants, with their resources.
    pub fn group_roles(&self, directory: &str, group: &str) -> Request {
        self.get(self.url(
            "v2",
            &format!(
                "/directories/{}/groups/{}/role-assignments",
                segment(directory),
                segment(group)
            ),
        ))
    }

    /// Adds an account to a directory group.
    pub fn add_member(&self, directory: &str, group: &str, account_id: &str) -> Request {
        self.post(
            self.url(
                "v2",
                &format!(
                    "/directories/{}/groups/{}/memberships",
                    segment(directory),
                    segment(group)
                ),
            ),
            &Body {
                account_id: Some(account_id),
                ..Body::default()
            },
        )
    }

    /// Removes an account from a directory group.
    pub fn remove_member(&self, directory: &str, group: &str, account_id: &str) -> Request {
        self.delete(self.url(
            "v2",
            &format!(
                "/directories/{}/groups/{}/memberships/{}",
                segment(directory),
                segment(group),
                segment(account_id)
            ),
        ))
    }
}
