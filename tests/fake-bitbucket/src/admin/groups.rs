//! The Admin API's v2 directory groups: search, memberships, and the roles
//! they grant.

use std::sync::Arc;

use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{admin_error, decode, guard, limit, page};
use crate::seed::Dataset;
use crate::state::State;

pub(super) async fn groups_search(
    Extract(state): Extract<Arc<State>>,
    Path((org, dir)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> Response {
    if let Err(r) = guard(&state, &headers, &org) {
        return r;
    }
    let offset = match decode("g", body.get("cursor")) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let directory = state.admin.directory_id.clone();
    let items = state
        .lock()
        .directory_groups
        .iter()
        .map(|(id, name, members)| {
            json!({"id": id, "name": name, "description": null, "directoryId": directory,
                "managementAccess": {"deletable": true, "modifiable": true, "readable": true},
                "externalSynced": false, "managedBy": "admins", "counts": {"users": members.len()},
                "links": {"self": id}})
        })
        .collect();
    let _ = dir;
    page("g", items, offset, limit(&body, 20, 100), false)
}

fn account_index(state: &State, account: &str) -> Option<u32> {
    super::users::index(state).by_account.get(account).copied()
}

pub(super) async fn add_membership(
    Extract(state): Extract<Arc<State>>,
    Path((org, _dir, group)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> Response {
    if let Err(r) = guard(&state, &headers, &org) {
        return r;
    }
    let account = body.get("accountId").and_then(Value::as_str).unwrap_or("");
    let Some(i) = account_index(&state, account) else {
        return admin_error(StatusCode::NOT_FOUND, "ADMIN-404-8", "User not found");
    };
    let mut m = state.lock();
    let Some(g) = m.directory_groups.iter_mut().find(|g| g.0 == group) else {
        return admin_error(StatusCode::NOT_FOUND, "ADMIN-404-10", "Group not found");
    };
    if !g.2.contains(&i) {
        g.2.push(i);
    }
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn remove_membership(
    Extract(state): Extract<Arc<State>>,
    Path((org, _dir, group, account)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = guard(&state, &headers, &org) {
        return r;
    }
    let Some(i) = account_index(&state, &account) else {
        return admin_error(StatusCode::NOT_FOUND, "ADMIN-404-8", "User not found");
    };
    let mut m = state.lock();
    let Some(g) = m.directory_groups.iter_mut().find(|g| g.0 == group) else {
        return admin_error(StatusCode::NOT_FOUND, "ADMIN-404-10", "Group not found");
    };
    g.2.retain(|&u| u != i);
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn role_assignments(
    Extract(state): Extract<Arc<State>>,
    Path((org, _dir, group)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = guard(&state, &headers, &org) {
        return r;
    }
    let Some(name) = state
        .lock()
        .directory_groups
        .iter()
        .find(|g| g.0 == group)
        .map(|g| g.1.clone())
    else {
        return admin_error(StatusCode::NOT_FOUND, "ADMIN-404-10", "Group not found");
    };
    let granted: Vec<Value> = state
        .data
        .workspaces
        .iter()
        .filter(|w| name == format!("bitbucket-users-{}", w.slug))
        .map(|w| json!({"resourceId": Dataset::resource_id(w), "roleId": "atlassian/user"}))
        .collect();
    axum::Json(json!({"data": granted, "links": {"next": null}})).into_response()
}

/// The directory's first groups: one granting each managed workspace,
/// holding its members who are in the directory.
pub fn initial_groups(data: &Dataset) -> Vec<(String, String, Vec<u32>)> {
    data.workspaces
        .iter()
        .filter(|w| !w.tracks_access)
        .enumerate()
        .map(|(k, w)| {
            (
                format!("9b2d4c1e-5f6a-4b7c-8d9e-{k:012x}"),
                format!("bitbucket-users-{}", w.slug),
                w.members
                    .iter()
                    .map(|m| m.user)
                    .filter(|&u| data.admin_user(u).in_directory)
                    .collect(),
            )
        })
        .collect()
}
