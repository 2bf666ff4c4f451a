//! Directory groups of the Atlassian organization (Admin API v2): different
//! objects from a workspace's 1.0 groups, with ids `directory:<dir>/<id>`
//! and the scope `directory:<dir>`. They are what grants access to an
//! admin-managed workspace, so freeing a seat there means leaving them.

use crate::admin::wire::{self as admin_wire, same_resource};
use crate::admin::{Admin, AdminKey};
use crate::endpoints::{Endpoints, segment};
use crate::{Error, Result, upstream, wire};
use saas_connector_sdk::http::{HttpClient, Request, Response};
use saas_connector_sdk::{Group, GroupMember, ReleaseAction, ReleaseKind, SeatRelease};

/// The scope prefix of directory groups.
pub const SCOPE: &str = "directory";

/// Most pages of one Admin listing before it is deemed runaway.
const MAX_PAGES: usize = 10_000;

/// Whether a scope or group id names the directory.
pub fn is_directory(id: &str) -> bool {
    id == SCOPE || id.starts_with("directory:")
}

/// `unsupported` for `doing` (creating, changing, deleting) a directory
/// group, which this connector leaves to admin.atlassian.com.
pub fn refuse_change(id: &str, doing: &str) -> Result<()> {
    if is_directory(id) {
        return Err(saas_connector_sdk::error::unsupported(&format!(
            "{doing} directory groups (use admin.atlassian.com)"
        )));
    }
    Ok(())
}

/// `directory:<dir>/<group>` as (dir, group).
fn parse(id: &str) -> Result<(String, String)> {
    id.strip_prefix("directory:")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(d, g)| !d.is_empty() && !g.is_empty())
        .map(|(d, g)| (d.to_string(), g.to_string()))
        .ok_or_else(|| {
            Error::InvalidConfig(format!(
                "a directory group id is directory:<directory>/<group>, not {id:?}"
            ))
        })
}

/// The Admin API's directory groups over one key.
pub struct Directory<'a> {
    http: &'a dyn HttpClient,
    admin: Admin<'a>,
    endpoints: &'a Endpoints,
    authorization: String,
}

fn check(
    response: std::result::Result<Response, saas_connector_sdk::http::HttpError>,
    what: &str,
) -> Result<Response> {
    let response = response.map_err(|e| upstream::transport_error(e, what))?;
    if response.is_success() {
        Ok(response)
    } else {
        Err(upstream::api_error(&response, what))
    }
}

impl<'a> Directory<'a> {
    /// The directory of `key`'s organization; `bitbucket` is the session's
    /// authorization for Bitbucket (to turn user uuids into account ids).
    pub fn new(
        http: &'a dyn HttpClient,
        base: Option<&str>,
        key: &'a AdminKey,
        endpoints: &'a Endpoints,
        bitbucket: String,
    ) -> Result<Self> {
        Ok(Directory {
            http,
            admin: Admin::new(base, key)?,
            endpoints,
            authorization: bitbucket,
        })
    }

    /// Follows an Admin listing's cursors from the first page.
    fn all<T>(
        &self,
        what: &str,
        request: impl Fn(Option<&str>) -> Request,
        parse: impl Fn(&Response) -> Result<admin_wire::Paged<T>>,
    ) -> Result<Vec<T>> {
        let (mut items, mut cursor, mut seen) = (Vec::new(), None::<String>, Vec::new());
        for _ in 0..MAX_PAGES {
            let page = parse(&check(self.http.send(request(cursor.as_deref())), what)?)?;
            cursor = page.next_cursor(&mut seen, what)?;
            items.extend(page.items);
            if cursor.is_none() {
                return Ok(items);
            }
        }
        Err(Error::Pagination(format!("{what}: never ends")))
    }

    /// Every group of the directory (`directory` or `directory:<dir>`).
    pub fn list(&self, scope: &str) -> Result<Vec<Group>> {
        let dir = scope.strip_prefix("directory:").unwrap_or("-");
        self.all(
            "directory groups",
            |c| self.admin.groups(dir, c),
            |r| admin_wire::groups(r, dir),
        )
    }

    /// One group, found in its directory's listing.
    pub fn get(&self, id: &str) -> Result<Group> {
        let (dir, _) = parse(id)?;
        self.list(&format!("directory:{dir}"))?
            .into_iter()
            .find(|g| g.id == id)
            .ok_or_else(|| Error::NotFound(format!("directory group {id}")))
    }

    /// A group's members: the users search filtered by the group.
    pub fn members(&self, id: &str) -> Result<Vec<GroupMember>> {
        let (_, group) = parse(id)?;
        let users = self.all(
            "directory group members",
            |c| self.admin.group_members(&group, c),
            admin_wire::users,
        )?;
        Ok(users
            .into_iter()
            .map(|u| GroupMember {
                user_id: None,
                account_id: Some(u.account_id),
                display_name: None,
                email: u.email,
            })
            .collect())
    }

    /// The Atlassian account id of a user given as a Bitbucket uuid
    /// (`{…}`), or the account id itself.
    pub fn account_id(&self, user: &str) -> Result<String> {
        if !user.starts_with('{') {
            return Ok(user.to_string());
        }
        let what = format!("account id of {user}");
        let url = self.endpoints.api(&format!("/2.0/users/{}", segment(user)));
        let response = check(
            self.http.send(Request::get(url, &self.authorization)),
            &what,
        )?;
        wire::str_field(&wire::json(&response, &what)?, "account_id")
            .ok_or_else(|| Error::MalformedResponse(format!("{what}: no account_id")))
    }

    /// Adds a user (uuid or account id) to a directory group.
    pub fn add_member(&self, id: &str, user: &str) -> Result<()> {
        let (dir, group) = parse(id)?;
        let account = self.account_id(user)?;
        let what = format!("add {user} to directory group {group}");
        check(
            self.http
                .send(self.admin.add_member(&dir, &group, &account)),
            &what,
        )
        .map(drop)
    }

    /// Removes a user (uuid or account id) from a directory group.
    pub fn remove_member(&self, id: &str, user: &str) -> Result<()> {
        let (dir, group) = parse(id)?;
        let account = self.account_id(user)?;
        let what = format!("remove {user} from directory group {group}");
        check(
            self.http
                .send(self.admin.remove_member(&dir, &group, &account)),
            &what,
        )
        .map(drop)
    }

    /// The resource id of the workspace `slug` in the organization.
    fn resource(&self, slug: &str) -> Result<Option<String>> {
        let workspaces = self.all(
            "Atlassian Admin workspaces",
            |c| self.admin.workspaces(c),
            admin_wire::workspaces,
        )?;
        Ok(workspaces
            .into_iter()
            .find(|w| w.is(slug, ""))
            .map(|w| w.id))
    }

    /// Plans freeing the seats of `users` in the admin-managed workspace
    /// `unit`: leaving each directory group that grants access to it.
    pub fn plan_release(&self, users: &[String], unit: &str) -> Result<Vec<SeatRelease>> {
        let Some(resource) = self.resource(unit)? else {
            return Err(Error::NotFound(format!(
                "the Atlassian organization does not list the workspace {unit}"
            )));
        };
        let mut granting = Vec::new();
        for g in self.list(SCOPE)? {
            let (dir, group) = parse(&g.id)?;
            let url_what = format!("roles of directory group {}", g.name);
            let roles = check(
                self.http.send(self.admin.group_roles(&dir, &group)),
                &url_what,
            )?;
            if admin_wire::role_resources(&roles)?
                .iter()
                .any(|r| same_resource(r, &resource))
            {
                let members = self.members(&g.id)?;
                granting.push((g, members));
            }
        }
        users
            .iter()
            .map(|user| {
                let account = self.account_id(user)?;
                let actions: Vec<ReleaseAction> = granting
                    .iter()
                    .filter(|(_, ms)| ms.iter().any(|m| m.account_id.as_deref() == Some(&account)))
                    .map(|(g, _)| ReleaseAction {
                        kind: ReleaseKind::LeaveGroup,
                        target: g.id.clone(),
                        target_name: g.name.clone(),
                        description: format!(
                            "remove {user} from the directory group {} (it grants {unit})",
                            g.name
                        ),
                        reversible: true,
                        outcome: None,
                    })
                    .collect();
                let notes = vec![
                    "The Admin API's last-active dates count web page views: people who work \
                     only through git or the API may look idle. Check before you apply."
                        .to_string(),
                    if actions.is_empty() {
                        "No directory group grants this user the workspace: access may be a \
                         direct product role; revoke it in admin.atlassian.com."
                            .to_string()
                    } else {
                        "Only directory groups that grant this workspace are left; other apps \
                         the groups grant are lost too."
                            .to_string()
                    },
                ];
                Ok(SeatRelease {
                    user_id: user.clone(),
                    unit_id: unit.into(),
                    frees_seat: Some(!actions.is_empty()),
                    actions,
                    notes,
                    applied: false,
                })
            })
            .collect()
    }
}
