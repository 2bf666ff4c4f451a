//! The legacy 1.0 groups API: list, get, create, update, delete, members,
//! and the plan that frees a seat by leaving every group of a workspace.
//! A group's contract id is `workspace/slug`.

use serde_json::{Map, Value, json};

use crate::endpoints::{Endpoints, segment};
use crate::session::Session;
use crate::{Error, Result, upstream, wire};
use saas_connector_sdk::http::{HttpClient, Method, Request, Response};
use saas_connector_sdk::{
    Group, GroupMember, GroupUpdate, ReleaseAction, ReleaseKind, ReleaseOutcome, SeatRelease,
};

/// Names one group: its workspace's slug and its own slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// The owning workspace's slug.
    pub workspace: String,
    /// The group's slug.
    pub slug: String,
}

impl GroupRef {
    /// Reads a contract group id, `workspace/slug`.
    pub fn parse(id: &str) -> Result<Self> {
        match id.split_once('/') {
            Some((w, s)) if !w.is_empty() && !s.is_empty() && !s.contains('/') => Ok(GroupRef {
                workspace: w.into(),
                slug: s.into(),
            }),
            _ => Err(Error::InvalidConfig(format!(
                "a Bitbucket group id is workspace/slug, not {id:?}"
            ))),
        }
    }

    /// The contract group id.
    pub fn id(&self) -> String {
        format!("{}/{}", self.workspace, self.slug)
    }
}

/// A groups client over one session.
pub struct Groups<'a> {
    http: &'a dyn HttpClient,
    endpoints: Endpoints,
    authorization: String,
}

fn group_path(g: &GroupRef) -> String {
    format!(
        "/1.0/groups/{}/{}/",
        segment(&g.workspace),
        segment(&g.slug)
    )
}

impl<'a> Groups<'a> {
    /// A client for `session` against `endpoints`.
    pub fn new(http: &'a dyn HttpClient, endpoints: Endpoints, session: &Session) -> Self {
        Groups {
            http,
            endpoints,
            authorization: session.authorization(),
        }
    }

    fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
        what: &str,
    ) -> Result<Response> {
        let mut request = Request::get(self.endpoints.api(path), &self.authorization);
        request.method = method;
        if let Some((content_type, bytes)) = body {
            request = request.body(content_type, bytes);
        }
        let response = self
            .http
            .send(request)
            .map_err(|e| upstream::transport_error(e, what))?;
        if response.is_success() {
            return Ok(response);
        }
        let error = upstream::api_error(&response, what);
        let refused = matches!(response.status, 400 | 403 | 405)
            && !matches!(error, Error::InsufficientScope(_));
        match path.split('/').nth(3) {
            Some(workspace)
                if !matches!(method, Method::Get)
                    && refused
                    && self.managed(workspace) == Some(true) =>
            {
                Err(saas_connector_sdk::error::read_only(
                    format!(
                        "{what}: the workspace is administered in admin.atlassian.com, where \
                         1.0 group changes are disabled ({})",
                        wire::error_message(&response)
                    ),
                    "change its access through the organization's directory groups (scope \
                     `directory`, with the atlassian-admin credential slot) or in \
                     admin.atlassian.com",
                ))
            }
            _ => Err(error),
        }
    }

    /// Whether a workspace is administered in admin.atlassian.com: its
    /// permissions listing shows members but no dates. None when unknown.
    pub fn managed(&self, workspace: &str) -> Option<bool> {
        let url = self.endpoints.api(&format!(
            "/2.0/workspaces/{workspace}/permissions?pagelen=20"
        ));
        let response = self
            .http
            .send(Request::get(url, &self.authorization))
            .ok()
            .filter(Response::is_success)?;
        let page = wire::page(&response, "permissions").ok()?;
        let dated = |v: &Value| v.get("last_accessed").is_some() || v.get("added_on").is_some();
        (!page.values.is_empty()).then(|| !page.values.iter().any(dated))
    }

    fn array(response: &Response, what: &str) -> Result<Vec<Value>> {
        match wire::json(response, what)? {
            Value::Array(items) => Ok(items),
            _ => Err(Error::MalformedResponse(format!(
                "{what}: expected a JSON array"
            ))),
        }
    }

    /// All groups of a workspace, without knowing whether they are writable.
    fn list_only(&self, workspace: &str) -> Result<Vec<Group>> {
        let what = format!("groups of {workspace}");
        let response = self.call(
            Method::Get,
            &format!("/1.0/groups/{}/", segment(workspace)),
            None,
            &what,
        )?;
        Self::array(&response, &what)?
            .iter()
            .map(|g| wire::group(g, workspace))
            .collect()
    }

    /// All groups of a workspace; not writable when it is admin-managed.
    pub fn list(&self, workspace: &str) -> Result<Vec<Group>> {
        let groups = self.list_only(workspace)?;
        let writable = self.managed(&segment(workspace)).map(|m| !m);
        Ok(groups
            .into_iter()
            .map(|g| Group {
                writable: g.writable.or(writable),
                ..g
            })
            .collect())
    }

    /// The groups matching `owner/slug` filters.
    pub fn find(&self, refs: &[GroupRef]) -> Result<Vec<Group>> {
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                refs.iter()
                    .map(|r| ("group", format!("{}/{}", r.workspace, r.slug))),
            )
            .finish();
        let response = self.call(
            Method::Get,
            &format!("/1.0/groups?{query}"),
            None,
            "group search",
        )?;
        Self::array(&response, "group search")?
            .iter()
            .map(|g| wire::group(g, ""))
            .collect()
    }

    /// Creates a group.
    pub fn create(&self, workspace: &str, name: &str) -> Result<Group> {
        if name.trim().is_empty() {
            return Err(Error::InvalidConfig("a group needs a name".into()));
        }
        let what = format!("create group in {workspace}");
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("name", name)
            .finish();
        let response = self.call(
            Method::Post,
            &format!("/1.0/groups/{}/", segment(workspace)),
            Some(("application/x-www-form-urlencoded", form.into_bytes())),
            &what,
        )?;
        wire::group(&wire::json(&response, &what)?, workspace)
    }

    /// One group by its contract id.
    pub fn get(&self, id: &str) -> Result<Group> {
        let group = GroupRef::parse(id)?;
        self.find(std::slice::from_ref(&group))?
            .into_iter()
            .find(|g| g.id == id)
            .ok_or_else(|| Error::NotFound(format!("group {id}")))
    }

    /// Updates a group.
    pub fn update(&self, id: &str, update: &GroupUpdate) -> Result<Group> {
        let group = &GroupRef::parse(id)?;
        let what = format!("update group {}/{}", group.workspace, group.slug);
        let mut body = Map::new();
        if let Some(name) = &update.name {
            body.insert("name".into(), json!(name));
        }
        if let Some(p) = &update.permission {
            if !matches!(p.as_str(), "read" | "write" | "admin") {
                return Err(Error::InvalidConfig(format!(
                    "a Bitbucket group permission is read, write or admin, not {p:?}"
                )));
            }
            body.insert("permission".into(), json!(p));
        }
        if let Some(a) = update.auto_add {
            body.insert("auto_add".into(), json!(a));
        }
        let bytes = serde_json::to_vec(&body).expect("a JSON object serialises");
        let response = self.call(
            Method::Put,
            &group_path(group),
            Some(("application/json", bytes)),
            &what,
        )?;
        wire::group(&wire::json(&response, &what)?, &group.workspace)
    }

    /// Deletes a group.
    pub fn delete(&self, id: &str) -> Result<()> {
        let group = &GroupRef::parse(id)?;
        let what = format!("delete group {}/{}", group.workspace, group.slug);
        self.call(Method::Delete, &group_path(group), None, &what)
            .map(drop)
    }

    /// A group's members.
    pub fn members(&self, id: &str) -> Result<Vec<GroupMember>> {
        let group = &GroupRef::parse(id)?;
        let what = format!("members of group {}/{}", group.workspace, group.slug);
        let path = format!("{}members", group_path(group));
        let response = self.call(Method::Get, &path, None, &what)?;
        Ok(Self::array(&response, &what)?
            .iter()
            .map(wire::group_member)
            .collect())
    }

    /// Adds a member (by uuid with braces).
    pub fn add_member(&self, id: &str, member: &str) -> Result<()> {
        let group = &GroupRef::parse(id)?;
        let what = format!("add {member} to group {}/{}", group.workspace, group.slug);
        let path = format!("{}members/{}/", group_path(group), segment(member));
        self.call(
            Method::Put,
            &path,
            Some(("application/json", b"{}".to_vec())),
            &what,
        )
        .map(drop)
    }

    /// Removes a member.
    pub fn remove_member(&self, id: &str, member: &str) -> Result<()> {
        let group = &GroupRef::parse(id)?;
        let what = format!(
            "remove {member} from group {}/{}",
            group.workspace, group.slug
        );
        let path = format!("{}members/{}", group_path(group), segment(member));
        self.call(Method::Delete, &path, None, &what).map(drop)
    }

    /// Plans (and with `apply` carries out) freeing the seats of `users` in
    /// the workspace `unit` (its slug): leaving every group of the workspace
    /// that lists them. The workspace's groups are read once.
    pub fn release_seats(
        &self,
        users: &[String],
        unit: &str,
        apply: bool,
    ) -> Result<Vec<SeatRelease>> {
        let groups = self.list_only(unit)?;
        let notes = vec![
            "Bitbucket also grants membership through direct repository permissions, \
             which the API does not list per user: check them in the workspace settings."
                .to_string(),
            "In a workspace administered in admin.atlassian.com, remove product access \
             there; its groups are read-only here."
                .to_string(),
        ];
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            let mut actions: Vec<ReleaseAction> = groups
                .iter()
                .filter(|g| g.members.iter().any(|m| m.user_id.as_deref() == Some(user)))
                .map(|g| ReleaseAction {
                    kind: ReleaseKind::LeaveGroup,
                    target: g.id.clone(),
                    target_name: g.name.clone(),
                    description: format!("remove {user} from the group {} of {unit}", g.name),
                    reversible: true,
                    outcome: None,
                })
                .collect();
            if apply {
                for action in &mut actions {
                    action.outcome = Some(match self.remove_member(&action.target, user) {
                        Ok(()) => ReleaseOutcome::Done,
                        Err(Error::NotFound(_)) => ReleaseOutcome::AlreadyDone,
                        Err(e) => ReleaseOutcome::Failed(e),
                    });
                }
            }
            out.push(SeatRelease {
                user_id: user.clone(),
                unit_id: unit.into(),
                actions,
                frees_seat: None,
                notes: notes.clone(),
                applied: apply,
            });
        }
        Ok(out)
    }
}
