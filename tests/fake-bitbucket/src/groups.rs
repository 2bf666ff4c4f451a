//! The legacy 1.0 groups API, stateful.

use std::sync::Arc;

use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::auth::{ADMIN_SCOPE, authorize};
use crate::config::READ_SCOPES;
use crate::respond::{error, ok};
use crate::state::{Group, State};

fn account(state: &State, user: u32) -> Value {
    let u = state.data.user_json(user);
    json!({
        "display_name": u["display_name"],
        "account_id": u["account_id"],
        "uuid": u["uuid"],
        "nickname": u["nickname"],
        "is_team": false,
        "is_staff": false,
        "avatar": u["links"]["avatar"]["href"],
        "resource_uri": format!("/1.0/users/{}", u["uuid"].as_str().unwrap_or_default()),
    })
}

fn group_json(state: &State, workspace: &str, slug: &str, g: &Group) -> Value {
    let owner = state.data.workspace(workspace);
    json!({
        "name": g.name,
        "slug": slug,
        "permission": g.permission,
        "auto_add": g.auto_add,
        "email_forwarding_disabled": false,
        "owner": {
            "display_name": owner.map(|w| w.name.clone()),
            "uuid": owner.map(|w| w.uuid.clone()),
            "nickname": workspace,
            "is_team": true,
            "resource_uri": format!("/1.0/users/{workspace}"),
        },
        "members": g.members.iter().map(|&u| account(state, u)).collect::<Vec<_>>(),
    })
}

fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

fn check(state: &State, headers: &HeaderMap, workspace: &str, write: bool) -> Result<(), Response> {
    authorize(
        state,
        headers,
        if write { ADMIN_SCOPE } else { READ_SCOPES[0] },
    )?;
    match state.data.workspace(workspace) {
        None => Err(error(
            StatusCode::NOT_FOUND,
            &format!("No workspace with identifier '{workspace}'."),
        )),
        // Admin-managed workspaces refuse 1.0 group writes (status *unverified*).
        Some(w) if write && !w.tracks_access => Err(error(
            StatusCode::FORBIDDEN,
            "This workspace is managed in admin.atlassian.com: changes to groups are disabled here.",
        )),
        Some(_) => Ok(()),
    }
}

/// `GET /1.0/groups?group=owner/slug&...`.
pub async fn find(Extract(state): Extract<Arc<State>>, headers: HeaderMap, uri: Uri) -> Response {
    if let Err(r) = authorize(&state, &headers, READ_SCOPES[0]) {
        return r;
    }
    let m = state.lock();
    let found: Vec<Value> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(|(k, _)| k == "group")
        .filter_map(|(_, v)| {
            let (ws, slug) = v.split_once('/')?;
            let g = m.groups.get(&(ws.to_string(), slug.to_string()))?;
            Some(group_json(&state, ws, slug, g))
        })
        .collect();
    ok(Value::Array(found))
}

/// `GET /1.0/groups/{workspace}/`.
pub async fn list(
    Extract(state): Extract<Arc<State>>,
    Path(ws): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check(&state, &headers, &ws, false) {
        return r;
    }
    let m = state.lock();
    let groups: Vec<Value> = m
        .groups
        .range((ws.clone(), String::new())..)
        .take_while(|((w, _), _)| *w == ws)
        .map(|((w, s), g)| group_json(&state, w, s, g))
        .collect();
    ok(Value::Array(groups))
}

/// `POST /1.0/groups/{workspace}/` with form `name=`.
pub async fn create(
    Extract(state): Extract<Arc<State>>,
    Path(ws): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Err(r) = check(&state, &headers, &ws, true) {
        return r;
    }
    let name = form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let slug = slugify(&name);
    if slug.is_empty() {
        return error(StatusCode::BAD_REQUEST, "A group name is required.");
    }
    let mut m = state.lock();
    let key = (ws.clone(), slug.clone());
    if m.groups.contains_key(&key) {
        return error(
            StatusCode::BAD_REQUEST,
            "A group with this name already exists.",
        );
    }
    let g = Group {
        name,
        permission: None,
        auto_add: false,
        members: Vec::new(),
    };
    let v = group_json(&state, &ws, &slug, &g);
    m.groups.insert(key, g);
    ok(v)
}

/// `PUT /1.0/groups/{workspace}/{slug}/` with JSON name / permission / auto_add.
pub async fn update(
    Extract(state): Extract<Arc<State>>,
    Path((ws, slug)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Err(r) = check(&state, &headers, &ws, true) {
        return r;
    }
    let Ok(Value::Object(changes)) = serde_json::from_str::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object.",
        );
    };
    let mut m = state.lock();
    let Some(g) = m.groups.get_mut(&(ws.clone(), slug.clone())) else {
        return error(StatusCode::NOT_FOUND, "Group not found.");
    };
    if let Some(p) = changes.get("permission") {
        match p.as_str() {
            Some("read" | "write" | "admin") => g.permission = p.as_str().map(String::from),
            _ if p.is_null() => g.permission = None,
            _ => return error(StatusCode::BAD_REQUEST, "Invalid permission."),
        }
    }
    if let Some(name) = changes.get("name").and_then(Value::as_str) {
        g.name = name.to_string();
    }
    if let Some(a) = changes.get("auto_add").and_then(Value::as_bool) {
        g.auto_add = a;
    }
    let g = g.clone();
    ok(group_json(&state, &ws, &slug, &g))
}

/// `DELETE /1.0/groups/{workspace}/{slug}/`.
pub async fn delete(
    Extract(state): Extract<Arc<State>>,
    Path((ws, slug)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check(&state, &headers, &ws, true) {
        return r;
    }
    match state.lock().groups.remove(&(ws, slug)) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => error(StatusCode::NOT_FOUND, "Group not found."),
    }
}

/// `GET /1.0/groups/{workspace}/{slug}/members`.
pub async fn members(
    Extract(state): Extract<Arc<State>>,
    Path((ws, slug)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check(&state, &headers, &ws, false) {
        return r;
    }
    let m = state.lock();
    match m.groups.get(&(ws, slug)) {
        Some(g) => ok(Value::Array(
            g.members.iter().map(|&u| account(&state, u)).collect(),
        )),
        None => error(StatusCode::NOT_FOUND, "Group not found."),
    }
}

fn user_in_workspace(state: &State, ws: &str, member: &str) -> Option<u32> {
    let w = state.data.workspace(ws)?;
    w.members
        .iter()
        .map(|m| m.user)
        .find(|&u| state.data.user_uuid(u).eq_ignore_ascii_case(member))
}

/// `PUT /1.0/groups/{workspace}/{slug}/members/{member}/` with body `{}`.
pub async fn add_member(
    Extract(state): Extract<Arc<State>>,
    Path((ws, slug, member)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check(&state, &headers, &ws, true) {
        return r;
    }
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_body {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json.",
        );
    }
    let Some(user) = user_in_workspace(&state, &ws, &member) else {
        return error(StatusCode::NOT_FOUND, "User not found.");
    };
    let mut m = state.lock();
    let Some(g) = m.groups.get_mut(&(ws.clone(), slug.clone())) else {
        return error(StatusCode::NOT_FOUND, "Group not found.");
    };
    if g.members.contains(&user) {
        return error(
            StatusCode::CONFLICT,
            "The user is already a member of this group.",
        );
    }
    g.members.push(user);
    ok(account(&state, user))
}

/// `DELETE /1.0/groups/{workspace}/{slug}/members/{member}`.
pub async fn remove_member(
    Extract(state): Extract<Arc<State>>,
    Path((ws, slug, member)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check(&state, &headers, &ws, true) {
        return r;
    }
    let user = user_in_workspace(&state, &ws, member.trim_end_matches('/'));
    let mut m = state.lock();
    let Some(g) = m.groups.get_mut(&(ws, slug)) else {
        return error(StatusCode::NOT_FOUND, "Group not found.");
    };
    match user.and_then(|u| g.members.iter().position(|&x| x == u)) {
        Some(i) => {
            g.members.remove(i);
            StatusCode::NO_CONTENT.into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            "The user is not a member of this group.",
        ),
    }
}
