//! The Atlassian Admin API subset, served on its own loopback port: the
//! organization, its directory, its workspaces, the users search with
//! product access, per-user last-active dates, and v2 groups with
//! memberships. Bearer org API key; cursors are opaque offsets.

mod groups;
mod users;

pub use users::Index;

pub use groups::initial_groups;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::seed::{Dataset, rfc3339};
use crate::state::State;
use crate::{AdminFaults, Expected, FakeBitbucket};

/// The Admin API's error shape (`status` is a string).
pub(super) fn admin_error(status: StatusCode, code: &str, title: &str) -> Response {
    (
        status,
        axum::Json(json!({"errors": [{
            "id": "fake", "status": status.as_u16().to_string(), "code": code, "title": title,
        }]})),
    )
        .into_response()
}

/// Checks the key and org, and applies the Admin faults.
pub(super) fn guard(state: &State, headers: &HeaderMap, org: &str) -> Result<(), Response> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if key != Some(state.admin.api_key.as_str()) {
        return Err(admin_error(
            StatusCode::UNAUTHORIZED,
            "ADMIN-401",
            "Unauthorized",
        ));
    }
    if org != state.admin.org_id {
        return Err(admin_error(
            StatusCode::NOT_FOUND,
            "ADMIN-404-2",
            "Org not found",
        ));
    }
    let mut m = state.lock();
    m.admin_requests += 1;
    let f = m.admin_faults.clone();
    if f.forbidden {
        return Err((
            StatusCode::FORBIDDEN,
            axum::Json(
                json!({"timestamp": rfc3339(0), "path": "/admin", "status": 403,
                "error": "Forbidden", "message": "User has no permission to access resource."}),
            ),
        )
            .into_response());
    }
    if let Some(k) = f.rate_limit_every
        && k > 0
        && m.admin_requests.is_multiple_of(k)
    {
        let mut r = admin_error(
            StatusCode::TOO_MANY_REQUESTS,
            "ADMIN-429-1",
            "Too many requests",
        );
        if let Some(s) = f.retry_after {
            r.headers_mut().insert("retry-after", s.into());
        }
        return Err(r);
    }
    Ok(())
}

fn encode(kind: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{offset}"))
}

/// Decodes a cursor of `kind`; `ADMIN-400-1` otherwise.
pub(super) fn decode(kind: &str, cursor: Option<&Value>) -> Result<usize, Response> {
    let Some(c) = cursor.and_then(Value::as_str) else {
        return Ok(0);
    };
    let text = URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    text.as_deref()
        .and_then(|t| t.strip_prefix(kind)?.strip_prefix(':')?.parse().ok())
        .ok_or_else(|| {
            admin_error(
                StatusCode::BAD_REQUEST,
                "ADMIN-400-1",
                "Invalid page cursor",
            )
        })
}

/// One page of `items` from `offset`, with `links.next` as a bare cursor.
pub(super) fn page(
    kind: &str,
    items: Vec<Value>,
    offset: usize,
    limit: usize,
    repeat: bool,
) -> Response {
    let end = offset.saturating_add(limit).min(items.len());
    let next = if repeat && end < items.len() {
        Some(encode(kind, offset))
    } else {
        (end < items.len()).then(|| encode(kind, end))
    };
    axum::Json(json!({
        "data": items[offset.min(end)..end].to_vec(),
        "links": {"self": encode(kind, offset), "prev": null, "next": next},
    }))
    .into_response()
}

pub(super) fn limit(body: &Value, default: usize, max: usize) -> usize {
    body.get("limit")
        .and_then(Value::as_u64)
        .map_or(default, |l| l as usize)
        .clamp(1, max)
}

async fn org(
    Extract(state): Extract<Arc<State>>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = guard(&state, &headers, &org) {
        return r;
    }
    axum::Json(json!({"data": {"id": org, "type": "orgs", "attributes": {"name": "Example Corp"}}}))
        .into_response()
}

async fn workspaces(
    Extract(state): Extract<Arc<State>>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> Response {
    if let Err(r) = guard(&state, &headers, &org) {
        return r;
    }
    let offset = match decode("ws", body.get("cursor")) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut items: Vec<Value> = state
        .data
        .workspaces
        .iter()
        .map(|w| {
            json!({"id": Dataset::resource_id(w), "type": "workspace", "attributes": {
                "name": w.slug, "typeKey": "bitbucket", "type": "bitbucket", "owner": org,
                "status": "online", "hostUrl": format!("https://bitbucket.org/{}", w.slug),
                "usage": w.members.len(), "capacity": w.members.len() + 5}, "links": {"self": null}})
        })
        .collect();
    // Another product of the org, which matching must skip.
    items.insert(
        0,
        json!({"id": "ari:cloud:confluence::site/00000000", "type": "site",
            "attributes": {"name": "workspace-000", "typeKey": "confluence"}}),
    );
    page("ws", items, offset, limit(&body, 20, 100), false)
}

/// The Admin API's routes.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/admin/v1/orgs/{org}", get(org))
        .route("/admin/v2/orgs/{org}/workspaces", post(workspaces))
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/users/search",
            post(users::users_search),
        )
        .route(
            "/admin/v1/orgs/{org}/directory/users/{account}/last-active-dates",
            get(users::last_active),
        )
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/groups/search",
            post(groups::groups_search),
        )
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/groups/{group}/memberships",
            post(groups::add_membership),
        )
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/groups/{group}/role-assignments",
            get(groups::role_assignments),
        )
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/groups/{group}/memberships/{account}",
            delete(groups::remove_membership),
        )
        .fallback(|| async { admin_error(StatusCode::NOT_FOUND, "ADMIN-404-1", "Not found") })
        .with_state(state)
}

/// The Admin API's side of a running fake.
impl FakeBitbucket {
    /// The Atlassian Admin API's base URL (its own port).
    pub fn admin_base_url(&self) -> String {
        format!("http://{}", self.admin_addr)
    }

    /// The Admin API's organization id and key.
    pub fn admin_key(&self) -> (String, String) {
        (
            self.state.admin.org_id.clone(),
            self.state.admin.api_key.clone(),
        )
    }

    /// Each user's expected verdict (see [`seed::Dataset::expected`]).
    pub fn expected(
        &self,
        inactive_after_days: u32,
        with_admin: bool,
    ) -> BTreeMap<String, Expected> {
        self.state.data.expected(inactive_after_days, with_admin)
    }

    /// The email the Admin API shows for each directory user, by uuid.
    pub fn directory_emails(&self) -> BTreeMap<String, String> {
        let d = &self.state.data;
        d.workspaces
            .iter()
            .flat_map(|w| &w.members)
            .filter(|m| d.admin_user(m.user).in_directory)
            .map(|m| (d.user_uuid(m.user), d.admin_user(m.user).email))
            .collect()
    }

    /// Replaces the Admin API's faults and resets its request counter.
    pub fn set_admin_faults(&self, faults: AdminFaults) {
        let mut m = self.state.lock();
        m.admin_faults = faults;
        m.admin_requests = 0;
    }

    /// The members (account ids) of a directory group, by its name.
    pub fn directory_group_members(&self, name: &str) -> Option<Vec<String>> {
        let m = self.state.lock();
        let g = m.directory_groups.iter().find(|g| g.1 == name)?;
        Some(g.2.iter().map(|&u| self.state.data.account_id(u)).collect())
    }
}
