//! The 2.0 endpoints: workspaces, members and permissions.

use std::sync::Arc;

use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use crate::auth::authorize;
use crate::config::{BodyFault, NextFault, PermissionsMode, READ_SCOPES};
use crate::docs::{MembershipDoc, WorkspaceRef};
use crate::respond::{Paging, base_url, error, ok, page_params, paginate};
use crate::seed::{Workspace, rfc3339};
use crate::state::State;

fn workspace_json(w: &Workspace, base: &str) -> Value {
    json!({
        "type": "workspace",
        "uuid": w.uuid,
        "name": w.name,
        "slug": w.slug,
        "is_private": true,
        "created_on": rfc3339(w.created_on),
        "updated_on": rfc3339(w.created_on + 86_400),
        "links": {
            "self": {"href": format!("{base}/2.0/workspaces/{}", w.slug)},
            "html": {"href": format!("https://bitbucket.org/{}/", w.slug)},
        },
    })
}

fn workspace_ref(w: &Workspace) -> Value {
    json!({"type": "workspace", "uuid": w.uuid, "slug": w.slug, "name": w.name})
}

fn plain_paging(headers: &HeaderMap, path: &str, counts: bool) -> Paging {
    Paging {
        base: base_url(headers),
        path: path.to_string(),
        counts,
        next_fault: NextFault::None,
        duplicates: false,
        body: BodyFault::None,
    }
}

/// `GET /2.0/user/workspaces`.
pub async fn user_workspaces(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if state.user_workspaces_missing {
        return error(StatusCode::NOT_FOUND, "Resource not found");
    }
    if let Err(r) = authorize(&state, &headers, READ_SCOPES[0]) {
        return r;
    }
    let params = match page_params(&uri) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ws = &state.data.workspaces;
    paginate(
        plain_paging(&headers, "/2.0/user/workspaces", true),
        params,
        ws.len(),
        |i| {
            json!({
                "type": "workspace_access",
                "administrator": true,
                "workspace": workspace_ref(&ws[i]),
            })
        },
    )
}

/// `GET /2.0/workspaces`: retired (CHANGE-2770) unless configured otherwise.
pub async fn workspaces(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if state.legacy_workspaces_gone {
        return error(
            StatusCode::GONE,
            "CHANGE-2770 - Functionality has been deprecated",
        );
    }
    if let Err(r) = authorize(&state, &headers, READ_SCOPES[0]) {
        return r;
    }
    let params = match page_params(&uri) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let base = base_url(&headers);
    let ws = &state.data.workspaces;
    paginate(
        plain_paging(&headers, "/2.0/workspaces", true),
        params,
        ws.len(),
        |i| workspace_json(&ws[i], &base),
    )
}

/// `GET /2.0/workspaces/{slug}`.
pub async fn workspace(
    Extract(state): Extract<Arc<State>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&state, &headers, READ_SCOPES[0]) {
        return r;
    }
    match state.data.workspace(&slug) {
        Some(w) => ok(workspace_json(w, &base_url(&headers))),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("No workspace with identifier '{slug}'."),
        ),
    }
}

/// Which member listing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listing {
    Members,
    Permissions,
}

async fn member_listing(
    state: Arc<State>,
    slug: String,
    headers: HeaderMap,
    uri: Uri,
    listing: Listing,
) -> Response {
    if let Err(r) = authorize(&state, &headers, READ_SCOPES[0]) {
        return r;
    }
    let faults = state.lock().faults.clone();
    if listing == Listing::Permissions {
        match faults.permissions {
            PermissionsMode::Serve | PermissionsMode::FailAfterFirstPage => {}
            PermissionsMode::Forbidden => {
                return error(
                    StatusCode::FORBIDDEN,
                    "You do not have access to this resource.",
                );
            }
            PermissionsMode::ServerError => {
                return error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong");
            }
            PermissionsMode::Hang(d) => {
                tokio::time::sleep(d).await;
                return error(StatusCode::GATEWAY_TIMEOUT, "Gateway timeout");
            }
        }
    }
    let Some(w) = state.data.workspace(&slug) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("No workspace with identifier '{slug}'."),
        );
    };
    let params = match page_params(&uri) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if listing == Listing::Permissions
        && faults.permissions == PermissionsMode::FailAfterFirstPage
        && params.1 > 1
    {
        return error(StatusCode::SERVICE_UNAVAILABLE, "Service unavailable");
    }
    let kind = if listing == Listing::Members {
        "members"
    } else {
        "permissions"
    };
    let paging = Paging {
        base: base_url(&headers),
        path: format!("/2.0/workspaces/{slug}/{kind}"),
        counts: state.page_counts,
        next_fault: faults.next.clone(),
        duplicates: faults.duplicate_members,
        body: faults.body,
    };
    let data = &state.data;
    let permissions = listing == Listing::Permissions;
    paginate(paging, params, w.members.len(), |i| {
        let m = &w.members[i];
        MembershipDoc {
            kind: "workspace_membership",
            user: data.account(m.user),
            workspace: WorkspaceRef {
                kind: "workspace",
                uuid: &w.uuid,
                slug: &w.slug,
                name: &w.name,
            },
            permission: permissions.then(|| m.role.as_str()),
            added_on: m.added_on.filter(|_| permissions).map(rfc3339),
            last_accessed: m.last_accessed.filter(|_| permissions).map(rfc3339),
        }
    })
}

/// `GET /2.0/workspaces/{slug}/members`.
pub async fn members(
    Extract(state): Extract<Arc<State>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    member_listing(state, slug, headers, uri, Listing::Members).await
}

/// `GET /2.0/workspaces/{slug}/permissions`.
pub async fn permissions(
    Extract(state): Extract<Arc<State>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    member_listing(state, slug, headers, uri, Listing::Permissions).await
}

/// `GET /2.0/users/{uuid}`: one account.
pub async fn user(
    Extract(state): Extract<Arc<State>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&state, &headers, READ_SCOPES[1]) {
        return r;
    }
    let found = state
        .data
        .workspaces
        .iter()
        .flat_map(|w| &w.members)
        .find(|m| state.data.user_uuid(m.user) == id);
    match found {
        Some(m) => ok(state.data.user_json(m.user)),
        None => error(StatusCode::NOT_FOUND, &format!("{id} is not a user")),
    }
}
