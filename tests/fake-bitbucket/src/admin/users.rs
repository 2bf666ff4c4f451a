//! The Admin API's directory users: the search with product access, and
//! one user's last-active dates.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{admin_error, decode, guard, limit, page};
use crate::seed::{Dataset, rfc3339};
use crate::state::State;

/// What the Admin API looks users up by, built once per server: the
/// directory's users in order, account ids, and each user's workspaces.
#[derive(Debug)]
pub struct Index {
    /// Directory users, sorted.
    pub directory: Vec<u32>,
    /// Account id to directory user.
    pub by_account: HashMap<String, u32>,
    /// Each user's (workspace index, Admin last-active) pairs.
    pub workspaces: HashMap<u32, Vec<(usize, Option<i64>)>>,
}

/// The server's index, built on first use.
pub(super) fn index(state: &State) -> &Index {
    state.admin_index.get_or_init(|| {
        let mut workspaces: HashMap<u32, Vec<(usize, Option<i64>)>> = HashMap::new();
        for (k, w) in state.data.workspaces.iter().enumerate() {
            for m in &w.members {
                workspaces
                    .entry(m.user)
                    .or_default()
                    .push((k, m.admin_last_active));
            }
        }
        let directory: Vec<u32> = workspaces
            .keys()
            .copied()
            .collect::<BTreeSet<u32>>()
            .into_iter()
            .filter(|&i| state.data.admin_user(i).in_directory)
            .collect();
        let by_account = directory
            .iter()
            .map(|&i| (state.data.account_id(i), i))
            .collect();
        Index {
            directory,
            by_account,
            workspaces,
        }
    })
}

fn user_json(state: &State, i: u32, expand: bool) -> Value {
    let a = state.data.admin_user(i);
    let bitbucket = state.data.user_json(i);
    let mut access: Vec<Value> = index(state)
        .workspaces
        .get(&i)
        .into_iter()
        .flatten()
        .filter_map(|&(k, at)| {
            let w = &state.data.workspaces[k];
            Some(json!({"key": "bitbucket", "id": Dataset::resource_id(w),
                "lastActiveTimestamp": rfc3339(at?)}))
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

pub(super) async fn users_search(
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
    let idx = index(&state);
    let candidates: Vec<u32> = match &ids {
        Some(ids) => {
            let mut found: Vec<u32> = ids
                .iter()
                .filter_map(|a| idx.by_account.get(a).copied())
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        }
        None => idx.directory.clone(),
    };
    let items: Vec<Value> = candidates
        .into_iter()
        .filter(|&i| {
            let omitted = omit.is_some_and(|k| k > 0 && i.is_multiple_of(k))
                && state.data.admin_user(i).status == "active";
            !omitted && members_of.as_ref().is_none_or(|m| m.contains(&i))
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

pub(super) async fn last_active(
    Extract(state): Extract<Arc<State>>,
    Path((org, account)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = guard(&state, &headers, &org) {
        return r;
    }
    let Some(&i) = index(&state).by_account.get(&account) else {
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
