//! The bodies of the fake's busiest answers as typed documents, written
//! straight to JSON. A `serde_json::Value` tree per membership (a map of
//! owned keys for every account, link and workspace) cost the fake about as
//! much CPU as the whole listing cost the host, on the same cores, in the
//! benchmarks; a real Bitbucket does not run there.

use serde::Serialize;

/// `{"href": …}`.
#[derive(Debug, Serialize)]
pub struct Href {
    /// The link.
    pub href: String,
}

/// An account's `links`: its avatar only.
#[derive(Debug, Serialize)]
pub struct AccountLinks {
    /// The avatar image.
    pub avatar: Href,
}

/// An account as the 2.0 API shows it; optional fields are left out when
/// `None`, as real accounts leave them out.
#[derive(Debug, Serialize)]
pub struct AccountDoc {
    /// Always `user`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The uuid, with braces.
    pub uuid: String,
    /// The Atlassian account id.
    pub account_id: String,
    /// The nickname.
    pub nickname: String,
    /// The display name.
    pub display_name: String,
    /// The avatar link.
    pub links: AccountLinks,
    /// Whether two-step verification is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_2fa_enabled: Option<bool>,
    /// When the account was made (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
    /// `active`, `inactive` or `closed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_status: Option<&'static str>,
    /// The legacy username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A personal website.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// A workspace as a membership names it.
#[derive(Debug, Serialize)]
pub struct WorkspaceRef<'a> {
    /// Always `workspace`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The uuid, with braces.
    pub uuid: &'a str,
    /// The slug.
    pub slug: &'a str,
    /// The name.
    pub name: &'a str,
}

/// One entry of a `/members` or `/permissions` page; the permission and
/// the dates only on `/permissions`.
#[derive(Debug, Serialize)]
pub struct MembershipDoc<'a> {
    /// `workspace_membership`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The member.
    pub user: AccountDoc,
    /// The workspace.
    pub workspace: WorkspaceRef<'a>,
    /// `owner`, `collaborator` or `member`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<&'static str>,
    /// When the member was added (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_on: Option<String>,
    /// When the member last used the workspace (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<String>,
}

/// One page of a 2.0 listing: `size` and `page` only where the listing
/// reports counts, `next` and `previous` only where there is one.
#[derive(Debug, Serialize)]
pub struct PageDoc<T> {
    /// Items per page.
    pub pagelen: usize,
    /// The items.
    pub values: Vec<T>,
    /// Items in the whole listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<usize>,
    /// This page's number, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    /// The next page's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The previous page's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}
