//! The Atlassian Admin API subset, served on its own loopback port: the
//! organization, its directory, its workspaces, the users search with
//! product access, per-user last-active dates, and v2 groups with
//! memberships. Bearer org API key; cursors are opaque offsets.

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

/// The Admin API's error shape (`status` is a string).
fn admin_error(status: StatusCode, code: &str, title: &str) -> Response {
    (
        status,
        axum::Json(json!({"errors": [{
            "id": "fake", "status": status.as_u16().to_string(), "code": code, "title": title,
        }]})),
    )
        .into_response()
}

/// Checks the key and org, and applies the Admin faults.
fn guard(state: &State, headers: &HeaderMap, org: &str) -> Result<(), Response> {
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
fn decode(kind: &str, cursor: Option<&Value>) -> Result<usize, Response> {
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
fn page(kind: &str, items: Vec<Value>, offset: usize, limit: usize, repeat: bool) -> Response {
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

fn limit(body: &Value, default: usize, max: usize) -> usize {
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

fn user_json(state: &State, i: u32, expand: bool) -> Value {
    let a = state.data.admin_user(i);
    let bitbucket = state.data.user_json(i);
    let mut access: Vec<Value> = state
        .data
        .workspaces
        .iter()
        .filter_map(|w| {
            let at = w.members.iter().find(|m| m.user == i)?.admin_last_active?;
            Some(json!({"key": "bitbucket", "id": Dataset::resource_id(w),
                "lastActiveTimestamp": rfc3339(at)}))
        })
        .collect();
    access.extend(a.other_products.iter().map(
        |(id, at)| json!({"key": "confluence", "id": id, "lastActiveTimestamp": rfc3339(*at)}),
    ));
    let mut u = json!({
        "accountId": bitbucket["account_id"], "accountType": "atlassian", "status": a.status,
        "accountStatus": "active", "membershipStatus": a.status,
        "addedToOrg": rfc3339(a.added_to_org), "name": bitbucket["display_name"],
        "nickname": bitbucket["nickname"], "email": a.email, "emailVerified": true,
        "claimStatus": "managed", "links": {"self": "x"},
    });
    if expand {
        u["productAccess"] = json!(access);
    }
    u
}

/// Users of the directory, in order, as the search may see them.
fn directory(state: &State) -> Vec<u32> {
    let mut users: Vec<u32> = state
        .data
        .workspaces
        .iter()
        .flat_map(|w| w.members.iter().map(|m| m.user))
        .collect();
    users.sort_unstable();
    users.dedup();
    users.retain(|&i| state.data.admin_user(i).in_directory);
    users
}

async fn users_search(
    Extract(state): Extract<Arc<State>>,
    Path((org, _dir)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> Response {
    if let Err(r) = guard(&state, &headers, &org) {
        return r;
    }
    let offset = match decode("u", body.get("cursor")) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let strings = |k: &str| -> Option<Vec<String>> {
        body.get(k)?.as_array().map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
    };
    let (ids, groups) = (strings("accountIds"), strings("groupIds"));
    let expand = strings("expand").is_some_and(|e| e.iter().any(|x| x == "productAccess"));
    let omit = state.admin.search_omits_every;
    let members_of: Option<Vec<u32>> = groups.map(|g| {
        let m = state.lock();
        m.directory_groups
            .iter()
            .filter(|(id, ..)| g.contains(id))
            .flat_map(|(_, _, members)| members.clone())
            .collect()
    });
    let items: Vec<Value> = directory(&state)
        .into_iter()
        .filter(|&i| {
            let account = state.data.user_json(i)["account_id"].clone();
            let omitted = omit.is_some_and(|k| k > 0 && i.is_multiple_of(k))
                && state.data.admin_user(i).status == "active";
            !omitted
                && ids
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|a| account == *a))
                && members_of.as_ref().is_none_or(|m| m.contains(&i))
        })
        .map(|i| user_json(&state, i, expand))
        .collect();
    let loop_ = state.lock().admin_faults.cursor_loop;
    page(
        "u",
        items,
        offset,
        limit(&body, 50, state.admin.max_limit),
        loop_,
    )
}

async fn last_active(
    Extract(state): Extract<Arc<State>>,
    Path((org, account)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = guard(&state, &headers, &org) {
        return r;
    }
    let Some(i) = directory(&state)
        .into_iter()
        .find(|&i| state.data.user_json(i)["account_id"] == account.as_str())
    else {
        return admin_error(StatusCode::NOT_FOUND, "ADMIN-404-8", "User not found");
    };
    let u = user_json(&state, i, true);
    let entries: Vec<Value> = u["productAccess"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let ts = e["lastActiveTimestamp"].as_str().unwrap_or_default();
            json!({"id": e["id"], "key": e["key"], "last_active": &ts[..ts.len().min(10)],
                "last_active_timestamp": ts})
        })
        .collect();
    axum::Json(
        json!({"data": {"product_access": entries, "added_to_org": u["addedToOrg"]},
        "links": {"next": null}}),
    )
    .into_response()
}

async fn groups_search(
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
    directory(state)
        .into_iter()
        .find(|&i| state.data.user_json(i)["account_id"] == account)
}

async fn add_membership(
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

async fn remove_membership(
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

async fn role_assignments(
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

/// The Admin API's routes.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/admin/v1/orgs/{org}", get(org))
        .route("/admin/v2/orgs/{org}/workspaces", post(workspaces))
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/users/search",
            post(users_search),
        )
        .route(
            "/admin/v1/orgs/{org}/directory/users/{account}/last-active-dates",
            get(last_active),
        )
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/groups/search",
            post(groups_search),
        )
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/groups/{group}/memberships",
            post(add_membership),
        )
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/groups/{group}/role-assignments",
            get(role_assignments),
        )
        .route(
            "/admin/v2/orgs/{org}/directories/{dir}/groups/{group}/memberships/{account}",
            delete(remove_membership),
        )
        .fallback(|| async { admin_error(StatusCode::NOT_FOUND, "ADMIN-404-1", "Not found") })
        .with_state(state)
}
