//! The write endpoints: groups, memberships and global permissions. Each
//! needs ADMIN and the `X-Atlassian-Token: no-check` header.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State as Extract};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::api::{Params, authorize};
use crate::respond::{error, not_found};
use crate::seed::{Dataset, SeedGroup, SeedUser, rank};
use crate::state::State;

/// Runs `change` on the data when the caller may write: ADMIN, and the
/// XSRF header.
fn write(
    s: &State,
    headers: &HeaderMap,
    change: impl FnOnce(&mut Dataset) -> Response,
) -> Response {
    if let Err(r) = authorize(s, headers, 3) {
        return r;
    }
    let xsrf = headers
        .get("x-atlassian-token")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"no-check"));
    if !xsrf {
        return error(StatusCode::FORBIDDEN, "XSRF check failed", None);
    }
    change(&mut s.lock().data)
}

fn user(d: &Dataset, name: Option<&str>) -> Result<SeedUser, Response> {
    name.and_then(|n| d.users.iter().find(|u| u.name == n))
        .cloned()
        .ok_or_else(|| not_found("No such user"))
}

fn group<'a>(d: &'a mut Dataset, name: Option<&str>) -> Result<&'a mut SeedGroup, Response> {
    name.and_then(|n| d.groups.iter_mut().find(|g| g.name == n))
        .ok_or_else(|| not_found("No such group"))
}

fn mutable(u: &SeedUser) -> Result<(), Response> {
    if u.mutable_groups {
        Ok(())
    } else {
        Err(error(
            StatusCode::BAD_REQUEST,
            "The user's directory is read-only",
            None,
        ))
    }
}

fn answer(result: Result<Response, Response>) -> Response {
    result.unwrap_or_else(|r| r)
}

fn field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// `POST /admin/groups?name=`.
pub async fn create_group(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    write(&s, &headers, |d| {
        let name = q.get("name").cloned().unwrap_or_default();
        if name.is_empty() || name.chars().count() > 255 {
            return error(
                StatusCode::BAD_REQUEST,
                "The name should be between 1 and 255 characters.",
                Some("name"),
            );
        }
        if d.groups.iter().any(|g| g.name.eq_ignore_ascii_case(&name)) {
            return error(
                StatusCode::CONFLICT,
                &format!("A group named {name} already exists"),
                None,
            );
        }
        d.groups.push(SeedGroup {
            name: name.clone(),
            permission: None,
            members: Vec::new(),
        });
        Json(json!({"name": name, "deletable": true})).into_response()
    })
}

/// `DELETE /admin/groups?name=`.
pub async fn delete_group(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    write(&s, &headers, |d| {
        let Some(at) = q
            .get("name")
            .and_then(|n| d.groups.iter().position(|g| &g.name == n))
        else {
            return not_found("No such group");
        };
        let gone = d.groups.remove(at);
        Json(json!({"name": gone.name, "deletable": true})).into_response()
    })
}

/// Adds `u` to `groups`, with Bitbucket's refusals: unknown groups (404),
/// a read-only directory (400), a full licence (403).
fn join(d: &mut Dataset, u: &SeedUser, groups: &[String]) -> Result<Response, Response> {
    if groups
        .iter()
        .any(|g| !d.groups.iter().any(|x| &x.name == g))
    {
        return Err(not_found("No such group"));
    }
    mutable(u)?;
    let licensing = d
        .groups
        .iter()
        .any(|x| groups.contains(&x.name) && x.permission.is_some());
    let full = d.seats.is_some_and(|n| d.licensed_count() as u32 >= n);
    if licensing && full && !d.holds_seat(u) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "The licence's user limit has been reached",
            None,
        ));
    }
    for g in d
        .groups
        .iter_mut()
        .filter(|g| groups.contains(&g.name) && !g.members.contains(&u.id))
    {
        g.members.push(u.id);
    }
    Ok(StatusCode::OK.into_response())
}

/// `POST /admin/users/add-groups {"user", "groups"}`.
pub async fn add_groups(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    write(&s, &headers, |d| {
        let groups: Vec<String> = body
            .get("groups")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|g| g.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        if groups.is_empty() {
            return error(
                StatusCode::BAD_REQUEST,
                "groups is required",
                Some("groups"),
            );
        }
        answer(user(d, field(&body, "user")).and_then(|u| join(d, &u, &groups)))
    })
}

/// Removes the user `context` from the group `itemName`.
fn leave(d: &mut Dataset, body: &Value) -> Result<Response, Response> {
    let u = user(d, field(body, "context"))?;
    mutable(&u)?;
    group(d, field(body, "itemName"))?
        .members
        .retain(|id| *id != u.id);
    Ok(StatusCode::OK.into_response())
}

/// `POST /admin/users/remove-group {"context": user, "itemName": group}`.
pub async fn remove_group(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    write(&s, &headers, |d| answer(leave(d, &body)))
}

/// `DELETE /admin/permissions/users?name=`: every direct grant of the user.
pub async fn revoke_user(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    write(&s, &headers, |d| {
        answer(user(d, q.get("name").map(String::as_str)).and_then(|u| {
            if rank(d.permission_of(u.id).0) == 4 {
                return Err(error(
                    StatusCode::FORBIDDEN,
                    "You cannot change the permissions of a system administrator",
                    None,
                ));
            }
            d.direct.retain(|(id, _)| *id != u.id);
            Ok(StatusCode::NO_CONTENT.into_response())
        }))
    })
}

/// `PUT /admin/permissions/groups?name=&permission=`, and `DELETE` without
/// a permission.
pub async fn group_permission(
    Extract(s): Extract<Arc<State>>,
    method: Method,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    write(&s, &headers, |d| {
        let permission = q.get("permission").cloned();
        if method == Method::PUT && rank(permission.as_deref()) == 0 {
            return error(
                StatusCode::BAD_REQUEST,
                "An unknown permission was given",
                Some("permission"),
            );
        }
        answer(group(d, q.get("name").map(String::as_str)).map(|g| {
            g.permission = if method == Method::PUT {
                permission
            } else {
                None
            };
            StatusCode::NO_CONTENT.into_response()
        }))
    })
}
