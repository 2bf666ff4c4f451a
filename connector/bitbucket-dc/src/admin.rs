//! The admin API: groups, memberships and user lookups. Groups and users
//! are addressed by name in the query or the body, never in the path;
//! every write needs ADMIN and carries `X-Atlassian-Token: no-check`.

use crate::config::Config;
use crate::licence::Permission;
use crate::paging::{self, Next};
use crate::session::Session;
use crate::wire::{self, DetailedUser};
use crate::{Error, Result, upstream};
use saas_connector_sdk::http::{HttpClient, Method, Request, Response};
use saas_connector_sdk::{Group, GroupMember, GroupUpdate};

/// The admin API of one instance, for one session.
pub struct Admin<'a> {
    /// The way out.
    pub http: &'a dyn HttpClient,
    /// The settings.
    pub config: &'a Config,
    /// The session.
    pub session: &'a Session,
}

impl Admin<'_> {
    /// Every page of a paged admin resource.
    pub fn all<T>(
        &self,
        resource: paging::Resource<'_>,
        what: &str,
        item: impl Fn(&serde_json::Value) -> Option<T>,
    ) -> Result<Vec<T>> {
        paging::all(
            self.http,
            self.config,
            self.session.authorization(),
            resource,
            what,
            item,
        )
    }

    /// A write: `method` on `path` with `query` and an optional JSON body.
    pub fn write(
        &self,
        method: Method,
        (path, query): (&str, &[(&str, &str)]),
        body: Option<serde_json::Value>,
        what: &str,
    ) -> Result<Response> {
        self.session.require_admin(what)?;
        let mut request = Request::new(method, self.config.api(path, query))
            .header("Authorization", self.session.authorization())
            .header("Accept", "application/json")
            .header("X-Atlassian-Token", "no-check");
        if let Some(body) = body {
            request = request.body("application/json", body.to_string().into_bytes());
        }
        upstream::send(self.http, request, what)
    }

    /// `not-found` unless `scope` names this instance (its key or id).
    pub fn check_scope(&self, scope: &str) -> Result<()> {
        if scope == self.config.host() || scope == self.config.base() {
            Ok(())
        } else {
            Err(Error::NotFound(format!(
                "{scope:?} is not this instance: its groups are listed under {:?}",
                self.config.host()
            )))
        }
    }

    /// The global permission of every group holding one (ADMIN only; empty
    /// without it).
    pub fn group_permissions(&self) -> Result<Vec<(String, Permission)>> {
        if !self.session.admin {
            return Ok(Vec::new());
        }
        let grants = self.all(
            ("/admin/permissions/groups", &[]),
            "the groups' global permissions",
            |v| wire::grant(v, wire::group_name),
        )?;
        Ok(grants
            .into_iter()
            .filter_map(|(g, p)| Permission::parse(&p).map(|p| (g, p)))
            .collect())
    }

    fn group(&self, name: String, permissions: &[(String, Permission)]) -> Group {
        Group {
            id: name.clone(),
            scope: self.config.host(),
            permission: permission_of(permissions, &name).map(|p| p.name().to_string()),
            name,
            auto_add: None,
            // Changes need ADMIN, and a read-only directory refuses them.
            writable: if self.session.admin {
                None
            } else {
                Some(false)
            },
            members: Vec::new(),
        }
    }

    /// Every group of the instance, with the global permission it grants.
    pub fn list(&self, scope: &str) -> Result<Vec<Group>> {
        self.check_scope(scope)?;
        let entries = self.all(("/admin/groups", &[]), "the groups", wire::group_name)?;
        let permissions = self.group_permissions()?;
        Ok(entries
            .into_iter()
            .map(|e| self.group(e, &permissions))
            .collect())
    }

    /// `not-found` unless a group is named exactly `name` (the filter is a
    /// substring match: the answer is searched for the name).
    fn exists(&self, name: &str) -> Result<()> {
        let entries = self.all(
            ("/admin/groups", &[("filter", name)]),
            "the group",
            wire::group_name,
        )?;
        if entries.iter().any(|e| e == name) {
            Ok(())
        } else {
            Err(Error::NotFound(format!("no group is named {name:?}")))
        }
    }

    /// One group by name.
    pub fn get(&self, name: &str) -> Result<Group> {
        self.exists(name)?;
        Ok(self.group(name.to_string(), &self.group_permissions()?))
    }

    /// Creates a group.
    pub fn create(&self, scope: &str, name: &str) -> Result<Group> {
        self.check_scope(scope)?;
        if name.is_empty() || name.chars().count() > 255 {
            return Err(Error::InvalidConfig(
                "a group name has 1 to 255 characters".into(),
            ));
        }
        let what = format!("creating the group {name}");
        self.write(
            Method::Post,
            ("/admin/groups", &[("name", name)]),
            None,
            &what,
        )?;
        Ok(self.group(name.to_string(), &[]))
    }

    /// Changes the global permission a group grants (`none` revokes it).
    /// Bitbucket cannot rename groups, and has no auto-add flag.
    pub fn update(&self, name: &str, update: &GroupUpdate) -> Result<Group> {
        if update.name.as_deref().is_some_and(|n| n != name) {
            return Err(Error::Unsupported(
                "Bitbucket Data Center cannot rename a group: create another and move the members"
                    .into(),
            ));
        }
        if update.auto_add.is_some() {
            return Err(Error::Unsupported(
                "Bitbucket Data Center groups have no auto-add flag (new users join the default \
                 group set in the user directory)"
                    .into(),
            ));
        }
        if let Some(permission) = update.permission.as_deref() {
            let what = format!("changing the global permission of the group {name}");
            if permission.eq_ignore_ascii_case("none") {
                self.write(
                    Method::Delete,
                    ("/admin/permissions/groups", &[("name", name)]),
                    None,
                    &what,
                )?;
            } else {
                let p = Permission::parse(permission).ok_or_else(|| {
                    Error::InvalidConfig(format!(
                        "{permission:?} is not a global permission (LICENSED_USER, \
                         PROJECT_CREATE, ADMIN, SYS_ADMIN or none)"
                    ))
                })?;
                self.write(
                    Method::Put,
                    (
                        "/admin/permissions/groups",
                        &[("name", name), ("permission", p.name())],
                    ),
                    None,
                    &what,
                )?;
            }
        }
        self.get(name)
    }

    /// Deletes a group.
    pub fn delete(&self, name: &str) -> Result<()> {
        let what = format!("deleting the group {name}");
        self.write(
            Method::Delete,
            ("/admin/groups", &[("name", name)]),
            None,
            &what,
        )
        .map(drop)
    }

    /// A group's members.
    pub fn members(&self, name: &str) -> Result<Vec<GroupMember>> {
        self.exists(name)?;
        let what = format!("the members of the group {name}");
        let users = self.all(
            ("/admin/groups/more-members", &[("context", name)]),
            &what,
            DetailedUser::read,
        )?;
        Ok(users
            .into_iter()
            .map(|u| GroupMember {
                user_id: Some(u.id.to_string()),
                account_id: None,
                display_name: u.display_name,
                email: u.email_address,
            })
            .collect())
    }

    /// Users by id (as in `user.id`), found by walking the user list until
    /// every one is seen: the admin API addresses users by name only.
    pub fn users_by_id(&self, ids: &[u32]) -> Result<Vec<DetailedUser>> {
        let mut found: Vec<DetailedUser> = Vec::new();
        let mut start = 0;
        while found.len() < ids.len() {
            let page = paging::fetch(
                self.http,
                self.config,
                self.session.authorization(),
                ("/admin/users", &[]),
                start,
                self.config.page_size,
                "looking users up",
                DetailedUser::read,
            )?;
            for u in page.values {
                if ids.contains(&u.id) && !found.iter().any(|f| f.id == u.id) {
                    found.push(u);
                }
            }
            match page.next {
                Next::At(n) => start = n,
                Next::Done => break,
            }
        }
        Ok(found)
    }

    /// The username of the user with id `user`, whose groups this instance
    /// may change: `read-only` for a user of a read-only directory (LDAP,
    /// Crowd), whose groups that directory owns.
    pub fn changeable(&self, user: &str) -> Result<String> {
        let id = parse_id(user)?;
        let found = self
            .users_by_id(&[id])?
            .pop()
            .ok_or_else(|| Error::NotFound(format!("no user has the id {user}")))?;
        if !found.mutable_groups {
            let directory = found
                .directory_name
                .as_deref()
                .unwrap_or("an external directory");
            return Err(saas_connector_sdk::error::read_only(
                format!(
                    "{} comes from {directory}, which is read-only here",
                    found.name
                ),
                format!("change the user's groups in {directory}; Bitbucket syncs them"),
            ));
        }
        Ok(found.name)
    }

    /// Adds a user (by id) to a group.
    pub fn add_member(&self, group: &str, user: &str) -> Result<()> {
        self.session.require_admin("adding a group member")?;
        let name = self.changeable(user)?;
        let body = serde_json::json!({"user": name, "groups": [group]});
        let what = format!("adding {name} to the group {group}");
        self.write(
            Method::Post,
            ("/admin/users/add-groups", &[]),
            Some(body),
            &what,
        )
        .map(drop)
    }

    /// Removes a user (by id) from a group.
    pub fn remove_member(&self, group: &str, user: &str) -> Result<()> {
        self.session.require_admin("removing a group member")?;
        let name = self.changeable(user)?;
        self.leave(&name, group)
    }

    /// Removes the user named `name` from a group.
    pub fn leave(&self, name: &str, group: &str) -> Result<()> {
        let body = serde_json::json!({"context": name, "itemName": group});
        let what = format!("removing {name} from the group {group}");
        self.write(
            Method::Post,
            ("/admin/users/remove-group", &[]),
            Some(body),
            &what,
        )
        .map(drop)
    }
}

/// The permission `group` grants, in a list of group grants.
pub fn permission_of(grants: &[(String, Permission)], group: &str) -> Option<Permission> {
    grants.iter().find(|(g, _)| g == group).map(|(_, p)| *p)
}

/// A user id as the listing gives it (Bitbucket's numeric id).
pub fn parse_id(user: &str) -> Result<u32> {
    user.parse().map_err(|_| {
        Error::NotFound(format!(
            "{user:?} is not a user id of Bitbucket Data Center (a number, as the listing gives)"
        ))
    })
}
