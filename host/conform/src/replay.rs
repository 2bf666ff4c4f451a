//! The replay upstream: a loopback HTTP server that speaks a scenario's API
//! (its token route, documents and paged listings, its answers to refused
//! and expired credentials), so the kit can run any connector against it.
//! Faults are not its business: the kit injects them in the host's egress.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::Value;

use crate::scenario::{Answer, Role, Route, Scenario, page_body};
use crate::serve::Served;

/// The placeholder for the replay upstream's origin in settings, bodies and
/// the truth.
pub const UPSTREAM: &str = "{upstream}";

/// The placeholder for the replay upstream's host and port
/// (`127.0.0.1:PORT`), as a unit key may hold them.
pub const UPSTREAM_HOST: &str = "{upstream-host}";

/// `text` with both placeholders replaced for the upstream at `origin`.
pub fn fill(text: &str, origin: &str) -> String {
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    text.replace(UPSTREAM, origin).replace(UPSTREAM_HOST, host)
}

/// Tokens handed out and expired.
#[derive(Default)]
struct Tokens {
    issued: Vec<String>,
    expired: BTreeSet<String>,
}

struct Shared {
    scenario: Arc<Scenario>,
    origin: String,
    tokens: Mutex<Tokens>,
    /// The `[groups]` call under way, whose requests answer before the
    /// routes.
    calling: Mutex<Option<usize>>,
}

impl Shared {
    fn tokens(&self) -> std::sync::MutexGuard<'_, Tokens> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The answer the `[groups]` call under way has for a request, when
    /// one of its requests fits; outside a call, none.
    fn group_answer(&self, method: &str, url: &url::Url, body: &[u8]) -> Option<&Answer> {
        let calls = &self.scenario.file.groups.as_ref()?.calls;
        let current = (*self.calling.lock().unwrap_or_else(|p| p.into_inner()))?;
        calls
            .get(current)?
            .requests
            .iter()
            .find(|r| r.fits(method, url, body))
            .map(|r| &r.answer)
    }
}

/// A running replay upstream; stops when dropped.
pub struct Replay {
    shared: Arc<Shared>,
    served: Served,
}

impl Replay {
    /// Serves `scenario` on a free loopback port.
    pub fn start(scenario: Arc<Scenario>) -> std::io::Result<Self> {
        let mut shared = None;
        let served = Served::start(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            "replay-upstream",
            |origin| {
                let state = Arc::new(Shared {
                    scenario,
                    origin: origin.to_string(),
                    tokens: Mutex::default(),
                    calling: Mutex::default(),
                });
                shared = Some(state.clone());
                axum::Router::new().fallback(answer).with_state(state)
            },
        )?;
        let shared = shared.expect("the router was made");
        Ok(Replay { shared, served })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        self.served.origin()
    }

    /// Makes every token handed out so far answer `auth.expired`.
    pub fn expire_issued(&self) {
        let mut tokens = self.shared.tokens();
        let issued = tokens.issued.clone();
        tokens.expired.extend(issued);
    }

    /// Makes this token (a bearer credential, say) answer `auth.expired`.
    pub fn expire(&self, token: &str) {
        self.shared.tokens().expired.insert(token.to_string());
    }

    /// Says which `[groups]` call runs now: its requests answer before the
    /// routes, and no other call's do.
    pub fn calling(&self, call: Option<usize>) {
        *self
            .shared
            .calling
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = call;
    }

    /// The tokens handed out so far (secrets: for comparison only).
    pub fn issued(&self) -> Vec<String> {
        self.shared.tokens().issued.clone()
    }
}

fn reply(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [("content-type", "application/json")],
        Body::from(body),
    )
        .into_response()
}

fn canned(a: &Answer) -> Response {
    reply(a.status, a.body.clone())
}

/// The values a credential's fields hold, kind aside.
fn secrets(fields: &BTreeMap<String, String>) -> impl Iterator<Item = &String> {
    fields.iter().filter(|(k, _)| *k != "kind").map(|(_, v)| v)
}

/// Whether a token request carries every value of a valid credential, in
/// its form body or its Basic header.
fn token_request_is_valid(s: &Scenario, headers: &HeaderMap, body: &[u8]) -> bool {
    let mut given: Vec<String> = form_urlencoded::parse(body)
        .map(|(_, v)| v.into_owned())
        .collect();
    if let Some(basic) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
    {
        given.extend(basic.splitn(2, ':').map(String::from));
    }
    s.file
        .credentials
        .accepted()
        .any(|fields| secrets(fields).all(|v| given.contains(v)))
}

enum Access {
    Granted,
    Expired,
    Refused,
}

fn access(shared: &Shared, headers: &HeaderMap) -> Access {
    let auth = &shared.scenario.file.auth;
    let Some(value) = headers
        .get(auth.header.as_str())
        .and_then(|v| v.to_str().ok())
    else {
        return Access::Refused;
    };
    let tokens = shared.tokens();
    let given = value.strip_prefix(auth.prefix.as_str());
    if given.is_some_and(|t| tokens.expired.iter().any(|e| e == t)) {
        return Access::Expired;
    }
    let basic = |f: &BTreeMap<String, String>| {
        let user = f.get("username").or(f.get("email"))?;
        let password = f.get("password").or(f.get("api-token"))?;
        Some(base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
    };
    // A credential of another kind than the API's usual one comes in its
    // own scheme: a token as Bearer, a user and password as Basic.
    let as_bearer = [given, value.strip_prefix("Bearer ")];
    let as_basic = [given, value.strip_prefix("Basic ")];
    let known = given.is_some_and(|t| tokens.issued.iter().any(|i| i == t))
        || shared.scenario.file.credentials.accepted().any(|f| {
            ["token", "access-token"]
                .iter()
                .filter_map(|k| f.get(*k))
                .any(|t| as_bearer.contains(&Some(t.as_str())))
                || basic(f).is_some_and(|b| as_basic.contains(&Some(b.as_str())))
        });
    if known {
        Access::Granted
    } else {
        Access::Refused
    }
}

fn issue(shared: &Shared, route: &Route) -> Response {
    let token = format!("replay-token-{:016x}", fastrand::u64(..));
    shared.tokens().issued.push(token.clone());
    let template = route
        .body
        .as_deref()
        .unwrap_or(r#"{"access_token": "{token}", "token_type": "bearer", "expires_in": 3600}"#);
    reply(200, template.replace("{token}", &token))
}

fn listing(shared: &Shared, route: &Route, url: &url::Url) -> Response {
    let Some(paging) = &route.paging else {
        return reply(500, r#"{"error":"a listing route without paging"}"#.into());
    };
    let captures = route.matches(url).unwrap_or_default();
    let Some(items) = route
        .items_file(&captures)
        .and_then(|f| shared.scenario.items.get(&f))
    else {
        return reply(404, r#"{"error":"no such listing"}"#.into());
    };
    let request = match paging.request(url) {
        Ok(r) => r,
        Err(why) => return reply(400, serde_json::json!({ "error": why }).to_string()),
    };
    let frame: Value = route
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or_else(|| Value::Object(Default::default()));
    reply(
        200,
        page_body(&frame, paging, items, request, url).to_string(),
    )
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let scenario = shared.scenario.clone();
    let Ok(url) = url::Url::parse(&format!("{}{uri}", shared.origin)) else {
        return reply(400, r#"{"error":"bad URL"}"#.into());
    };
    let auth = &scenario.file.auth;
    if let Some(answer) = shared.group_answer(method.as_str(), &url, &body) {
        return match access(&shared, &headers) {
            Access::Refused => canned(&auth.refused),
            Access::Expired => canned(&auth.expired),
            Access::Granted => reply(answer.status, fill(&answer.body, &shared.origin)),
        };
    }
    let Some(route) = scenario
        .file
        .routes
        .iter()
        .find(|r| r.method() == method.as_str() && r.matches(&url).is_some())
    else {
        return reply(404, r#"{"error":"not found"}"#.into());
    };
    if route.role == Role::Token {
        return if token_request_is_valid(&scenario, &headers, &body) {
            issue(&shared, route)
        } else {
            canned(&auth.refused)
        };
    }
    match access(&shared, &headers) {
        Access::Refused => return canned(&auth.refused),
        Access::Expired => return canned(&auth.expired),
        Access::Granted => {}
    }
    match route.role {
        Role::Listing => listing(&shared, route, &url),
        _ => {
            let captures = route.matches(&url).unwrap_or_default();
            let body = match route.body_file(&captures) {
                Some(file) => match scenario.documents.get(&file) {
                    Some(text) => text.clone(),
                    None => return reply(404, r#"{"error":"not found"}"#.into()),
                },
                None => route.body.clone().unwrap_or_else(|| "{}".into()),
            };
            reply(200, fill(&body, &shared.origin))
        }
    }
}
