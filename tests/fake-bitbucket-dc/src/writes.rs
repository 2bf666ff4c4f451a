//! The write endpoints: groups, memberships and global permissions. Each
//! needs ADMIN and the `X-Atlassian-Token: no-check` header.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::api::{Params, authorize};
use crate::respond::{error, not_found};
use crate::seed::{SeedGroup, rank};
use crate::state::State;

/// The caller may write: ADMIN, and the XSRF header.
fn writer(s: &State, headers: &HeaderMap) -> Result<(), Response> {
    authorize(s, headers, 3)?;
    let xsrf = headers
        .get("x-atlassian-token")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"no-check"));
    if xsrf {
        Ok(())
    } else {
        Err(error(StatusCode::FORBIDDEN, "XSRF check failed", None))
    }
}

fn ok() -> Response {
    StatusCode::OK.into_response()
}

/// `POST /admin/groups?name=`.
pub async fn create_group(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    if let Err(r) = writer(&s, &headers) {
        return r;
    }
    let name = q.get("name").cloned().unwrap_or_default();
    if name.is_empty() || name.chars().count() > 255 {
        return error(
            StatusCode::BAD_REQUEST,
            "The name should be between 1 and 255 characters.",
            None,
        );
    }
    let mut m = s.lock();
    if m.data
        .groups
        .iter()
        .any(|g| g.name.eq_ignore_ascii_case(&name))
    {
        return error(
            StatusCode::CONFLICT,
            &format!("A group named {name} already exists"),
            None,
        );
    }
    m.data.groups.push(SeedGroup {
        name: name.clone(),
        permission: None,
        members: Vec::new(),
    });
    Json(json!({"name": name, "deletable": true})).into_response()
}

/// `DELETE /admin/groups?name=`.
pub async fn delete_group(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    if let Err(r) = writer(&s, &headers) {
        return r;
    }
    let mut m = s.lock();
    let Some(at) = q
        .get("name")
        .and_then(|n| m.data.groups.iter().position(|g| &g.name == n))
    else {
        return not_found("No such group");
    };
    let gone = m.data.groups.remove(at);
    Json(json!({"name": gone.name, "deletable": true})).into_response()
}

fn field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// Adds `user` to `groups`, with Bitbucket's refusals: unknown names (404),
/// a read-only directory (400), a full licence (403).
fn join(s: &State, user: &str, groups: &[String]) -> Response {
    let mut m = s.lock();
    let Some(u) = m.data.users.iter().find(|u| u.name == user).cloned() else {
        return not_found("No such user");
    };
    if groups
        .iter()
        .any(|g| !m.data.groups.iter().any(|x| &x.name == g))
    {
        return not_found("No such group");
    }
    if !u.mutable_groups {
        return error(
            StatusCode::BAD_REQUEST,
            "The user's directory is read-only",
            None,
        );
    }
    let licensing = groups.iter().any(|g| {
        m.data
            .groups
            .iter()
            .any(|x| &x.name == g && x.permission.is_some())
    });
    let full = m
        .data
        .seats
        .is_some_and(|n| m.data.licensed_count() as u32 >= n);
    if licensing && full && !m.data.holds_seat(&u) {
        return error(
            StatusCode::FORBIDDEN,
            "The licence's user limit has been reached",
            None,
        );
    }
    for g in m
        .data
        .groups
        .iter_mut()
        .filter(|g| groups.contains(&g.name))
    {
        if !g.members.contains(&u.id) {
            g.members.push(u.id);
        }
    }
    ok()
}

/// `POST /admin/users/add-groups {"user", "groups"}`.
pub async fn add_groups(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(r) = writer(&s, &headers) {
        return r;
    }
    let groups: Vec<String> = body
        .get("groups")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|g| g.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    match field(&body, "user") {
        Some(user) if !groups.is_empty() => join(&s, user, &groups),
        _ => error(
            StatusCode::BAD_REQUEST,
            "user and groups are required",
            Some("groups"),
        ),
    }
}

/// `POST /admin/users/remove-group {"context": user, "itemName": group}`.
pub async fn remove_group(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(r) = writer(&s, &headers) {
        return r;
    }
    let (Some(user), Some(group)) = (field(&body, "context"), field(&body, "itemName")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "context and itemName are required",
            None,
        );
    };
    let mut m = s.lock();
    let Some(u) = m.data.users.iter().find(|u| u.name == user).cloned() else {
        return not_found("No such user");
    };
    if !u.mutable_groups {
        return error(
            StatusCode::BAD_REQUEST,
            "The user's directory is read-only",
            None,
        );
    }
    let Some(g) = m.data.groups.iter_mut().find(|g| g.name == group) else {
        return not_found("No such group");
    };
    g.members.retain(|id| *id != u.id);
    ok()
}

/// `DELETE /admin/permissions/users?name=`: every direct grant of the user.
pub async fn revoke_user(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    if let Err(r) = writer(&s, &headers) {
        return r;
    }
    let mut m = s.lock();
    let Some(u) = q
        .get("name")
        .and_then(|n| m.data.users.iter().find(|u| &u.name == n))
        .cloned()
    else {
        return not_found("No such user");
    };
    if rank(m.data.permission_of(u.id).0) == 4 {
        return error(
            StatusCode::FORBIDDEN,
            "You cannot change the permissions of a system administrator",
            None,
        );
    }
    m.data.direct.retain(|(id, _)| *id != u.id);
    StatusCode::NO_CONTENT.into_response()
}

/// `PUT /admin/permissions/groups?name=&permission=`, and `DELETE` without
/// a permission.
pub async fn group_permission(
    Extract(s): Extract<Arc<State>>,
    method: axum::http::Method,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    if let Err(r) = writer(&s, &headers) {
        return r;
    }
    let permission = q.get("permission").cloned();
    if method == axum::http::Method::PUT && rank(permission.as_deref()) == 0 {
        return error(
            StatusCode::BAD_REQUEST,
            "An unknown permission was given",
            Some("permission"),
        );
    }
    let mut m = s.lock();
    let Some(g) = q
        .get("name")
        .and_then(|n| m.data.groups.iter_mut().find(|g| &g.name == n))
    else {
        return not_found("No such group");
    };
    g.permission = if method == axum::http::Method::PUT {
        permission
    } else {
        None
    };
    StatusCode::NO_CONTENT.into_response()
}
