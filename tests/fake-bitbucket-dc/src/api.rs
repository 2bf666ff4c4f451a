//! The read endpoints, each with the global permission it needs.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::respond::{self, Cut};
use crate::seed::{Dataset, SeedUser, rank};
use crate::state::{Caller, Refusal, State, caller};

/// The query of a request.
pub type Params = Query<HashMap<String, String>>;

/// The caller when its rights reach `needed` (a rank: 0 any signed-in
/// user, 1 `LICENSED_USER`, 3 `ADMIN`), else the answer Bitbucket gives.
pub fn authorize(state: &State, headers: &HeaderMap, needed: usize) -> Result<Caller, Response> {
    match caller(state, headers) {
        Ok(c) if c.rank >= needed => Ok(c),
        Ok(_) => Err(respond::not_permitted()),
        Err(Refusal::Credentials) => Err(respond::unauthenticated()),
        Err(Refusal::Captcha) => Err(respond::error(
            StatusCode::UNAUTHORIZED,
            "Authentication failed. CAPTCHA required: too many failed login attempts.",
            Some("com.atlassian.bitbucket.auth.CaptchaRequiredAuthenticationException"),
        )),
    }
}

/// `start` and `limit` of a request, the limit clamped to the maximum.
pub fn cut(state: &State, q: &HashMap<String, String>) -> Cut {
    let number = |k: &str, d: usize| q.get(k).and_then(|v| v.parse().ok()).unwrap_or(d);
    Cut {
        start: number("start", 0),
        limit: number("limit", 25).clamp(1, state.config.page_max as usize),
        ..Cut::default()
    }
}

fn matches(u: &SeedUser, filter: Option<&String>) -> bool {
    filter.is_none_or(|f| {
        let f = f.to_lowercase();
        [Some(&u.name), Some(&u.display_name), u.email.as_ref()]
            .into_iter()
            .flatten()
            .any(|s| s.to_lowercase().contains(&f))
    })
}

/// A `RestDetailedUser`.
pub fn detailed(u: &SeedUser) -> Value {
    let mut v = application(u);
    v["directoryName"] = json!(u.directory);
    v["deletable"] = json!(u.mutable_groups);
    v["mutableDetails"] = json!(u.mutable_groups);
    v["mutableGroups"] = json!(u.mutable_groups);
    if let Some(ms) = u.last_auth_ms {
        v["lastAuthenticationTimestamp"] = json!(ms);
    }
    v
}

/// A `RestApplicationUser`.
pub fn application(u: &SeedUser) -> Value {
    let mut v = json!({
        "name": u.name, "id": u.id, "displayName": u.display_name, "active": u.active,
        "slug": u.name, "type": u.kind,
        "links": {"self": [{"href": format!("https://bb.acme.test/users/{}", u.name)}]},
    });
    if let Some(e) = &u.email {
        v["emailAddress"] = json!(e);
    }
    v
}

/// `GET /application-properties`: no sign-in needed.
pub async fn properties() -> Response {
    Json(
        json!({"version": "9.2.4", "buildNumber": "9002004", "buildDate": "1718960000000",
        "displayName": "Acme Bitbucket"}),
    )
    .into_response()
}

/// `GET /admin/license`.
pub async fn license(Extract(s): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    if let Err(r) = authorize(&s, &headers, 3) {
        return r;
    }
    if s.config.no_licence {
        return respond::not_found("No license has been installed");
    }
    let m = s.lock();
    let used = (m.data.licensed_count() as i64 + i64::from(s.config.licence_skew)).max(0);
    Json(json!({
        "creationDate": 1672531200000i64, "purchaseDate": 1672531200000i64,
        "expiryDate": 1924992000000i64, "maximumNumberOfUsers": m.data.seats.unwrap_or(0),
        "unlimitedNumberOfUsers": m.data.seats.is_none(), "serverId": "BXXX-1111-2222-3333",
        "supportEntitlementNumber": "SEN-12345678", "license": "AAAB-the-encoded-licence-key",
        "status": {"currentNumberOfUsers": used, "serverId": "BXXX-1111-2222-3333"},
    }))
    .into_response()
}

/// A paged read that needs `needed` (see [`authorize`]): `values` lists the
/// items from the data and the query, or answers otherwise.
fn paged(
    s: &State,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    needed: usize,
    values: impl FnOnce(&Dataset, &HashMap<String, String>) -> Result<Vec<Value>, Response>,
) -> Response {
    if let Err(r) = authorize(s, headers, needed) {
        return r;
    }
    let m = s.lock();
    match values(&m.data, q) {
        Ok(v) => respond::page(v, cut(s, q)),
        Err(r) => r,
    }
}

fn named(q: &HashMap<String, String>, key: &str, name: &str) -> bool {
    q.get(key).is_none_or(|f| name.contains(f.as_str()))
}

/// `GET /admin/permissions/groups`.
pub async fn group_grants(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    paged(&s, &headers, &q, 3, |d, q| {
        Ok(d.groups.iter()
            .filter(|g| g.permission.is_some() && named(q, "filter", &g.name))
            .map(|g| json!({"group": {"name": g.name, "deletable": true}, "permission": g.permission}))
            .collect())
    })
}

/// `GET /admin/permissions/users`: direct grants only.
pub async fn user_grants(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    paged(&s, &headers, &q, 3, |d, q| {
        Ok(d.direct
            .iter()
            .filter_map(|(id, p)| d.users.iter().find(|u| u.id == *id).map(|u| (u, p)))
            .filter(|(u, _)| matches(u, q.get("filter")))
            .map(|(u, p)| json!({"user": application(u), "permission": p}))
            .collect())
    })
}

/// `GET /admin/users`, with the paging faults.
pub async fn admin_users(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    match authorize(&s, &headers, 1) {
        Err(r) => return r,
        Ok(c) if c.token && !s.config.tokens_read_admin_users => return respond::not_permitted(),
        Ok(_) => {}
    }
    let m = s.lock();
    let f = m.faults.clone();
    if f.html_users {
        return (
            StatusCode::OK,
            "<html><body>Bitbucket is starting up</body></html>",
        )
            .into_response();
    }
    let mut values: Vec<Value> = m
        .data
        .users
        .iter()
        .filter(|u| matches(u, q.get("filter")))
        .map(detailed)
        .collect();
    let c = Cut {
        stuck: f.stuck_next,
        never_last: f.never_last,
        missing_next: f.missing_next,
        ..cut(&s, &q)
    };
    if f.duplicate_users && c.start > 0 && c.start < values.len() {
        // The page starts one early: the previous page's last user again.
        return respond_page_at(
            values,
            Cut {
                start: c.start - 1,
                ..c
            },
            c.start,
        );
    }
    if f.broken_user
        && let Some(first) = values.get_mut(c.start)
    {
        first.as_object_mut().map(|o| o.remove("id"));
    }
    respond::page(values, c)
}

/// A page cut at `c` but reporting `start` as asked and `nextPageStart`
/// after the asked window (what a server whose list shifted answers).
fn respond_page_at(values: Vec<Value>, c: Cut, asked: usize) -> Response {
    let total = values.len();
    let slice: Vec<Value> = values.into_iter().skip(c.start).take(c.limit).collect();
    let last = c.start + slice.len() >= total;
    let mut body = json!({"size": slice.len(), "limit": c.limit, "isLastPage": last, "start": asked, "values": slice});
    if !last {
        body["nextPageStart"] = json!(asked + c.limit);
    }
    Json(body).into_response()
}

/// `GET /admin/users/more-members?context=<user>`: the user's groups.
pub async fn user_groups(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    paged(&s, &headers, &q, 1, |d, q| {
        let user = q
            .get("context")
            .and_then(|n| d.users.iter().find(|u| &u.name == n));
        let user = user.ok_or_else(|| respond::not_found("No such user"))?;
        Ok(d.groups
            .iter()
            .filter(|g| g.members.contains(&user.id))
            .map(|g| json!({"name": g.name, "deletable": true}))
            .collect())
    })
}

/// `GET /admin/groups`.
pub async fn groups(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    paged(&s, &headers, &q, 1, |d, q| {
        Ok(d.groups
            .iter()
            .filter(|g| named(q, "filter", &g.name))
            .map(|g| json!({"name": g.name, "deletable": true}))
            .collect())
    })
}

/// `GET /admin/groups/more-members?context=<group>`.
pub async fn group_members(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    paged(&s, &headers, &q, 1, |d, q| {
        let group = q
            .get("context")
            .and_then(|n| d.groups.iter().find(|g| &g.name == n));
        let group = group.ok_or_else(|| respond::not_found("No such group"))?;
        Ok(d.users
            .iter()
            .filter(|u| group.members.contains(&u.id))
            .map(detailed)
            .collect())
    })
}

/// `GET /users`: any signed-in user; `permission` and `filter` filters, and
/// BSERV-11884's dropped users above half the page maximum.
pub async fn users(
    Extract(s): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let limit = cut(&s, &q).limit;
    let dropping = s.config.drop_over_half && limit > s.config.page_max as usize / 2;
    paged(&s, &headers, &q, 0, |d, q| {
        let permission = q.get("permission");
        if let Some(p) = permission
            && rank(Some(p)) == 0
        {
            return Err(respond::error(
                StatusCode::BAD_REQUEST,
                &format!("{p} is not a permission"),
                None,
            ));
        }
        Ok(d.users
            .iter()
            .filter(|u| matches(u, q.get("filter")))
            .filter(|u| permission.is_none() || d.holds_seat(u))
            .enumerate()
            .filter(|(i, _)| !(permission.is_some() && dropping && i % 7 == 3))
            .map(|(_, u)| application(u))
            .collect())
    })
}
