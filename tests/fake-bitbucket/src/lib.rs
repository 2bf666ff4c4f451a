//! A Bitbucket Cloud stand-in on loopback, for tests, demos and the
//! conformance kit.
//!
//! It serves the OAuth token endpoint, the 2.0 workspace, member and
//! permission listings (paginated like Bitbucket) and the stateful 1.0
//! groups API, over data generated from a seed, and it knows the truth
//! about that data. Faults (latency, 429 storms, 5xx, expiring tokens,
//! broken `next` links, duplicates, refused permissions, corrupt bodies)
//! can be switched per run. Every request is logged.
//!
//! ```no_run
//! let fake = fake_bitbucket::FakeBitbucket::start(Default::default()).unwrap();
//! println!("API at {}", fake.api_base_url());
//! ```

// Handlers stop early with a ready axum `Response`; boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod admin;
pub mod api;
pub mod auth;
pub mod config;
pub mod consent;
pub mod docs;
pub mod groups;
pub mod respond;
pub mod seed;
pub mod state;
pub mod truth;

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State as Extract};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

pub use config::{
    Accounts, AdminConfig, AdminFaults, BodyFault, Client, FakeConfig, Faults, NextFault,
    PermissionsMode,
};
pub use seed::AWKWARD_NAMES;
pub use state::{AuthKind, LoggedRequest};
pub use truth::{Expected, Truth};

use state::{Mutable, State};

/// Applies latency, 429 and 5xx faults, then logs the request.
async fn faults_and_log(
    Extract(state): Extract<Arc<State>>,
    request: Request,
    next: Next,
) -> Response {
    let arrived = std::time::Instant::now();
    let method = request.method().to_string();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let auth = auth::auth_kind(request.headers());
    let authorization = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .map(String::from);
    let is_api = path.starts_with("/2.0/") || path.starts_with("/1.0/");
    let (latency, refusal) = {
        let mut m = state.lock();
        let f = m.faults.clone();
        let mut refusal = None;
        if is_api {
            m.api_requests += 1;
            let n = m.api_requests;
            let storm = f
                .rate_limit_for
                .is_some_and(|d| m.faults_since.elapsed() < d);
            let exhausted = f.rate_limit_after.is_some_and(|k| n > k)
                || f.rate_limit_first.is_some_and(|k| n <= k);
            if storm || exhausted || f.rate_limit_every.is_some_and(|k| k > 0 && n % k == 0) {
                let mut r = respond::error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Rate limit for this resource has been exceeded",
                );
                if let Some(s) = f.retry_after {
                    r.headers_mut().insert("retry-after", s.into());
                }
                refusal = Some(r);
            } else if let Some((k, status)) = f.server_error_every
                && k > 0
                && n % k == 0
            {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                refusal = Some(
                    (
                        status,
                        axum::Json(serde_json::json!({"message": "Something went wrong", "id": n})),
                    )
                        .into_response(),
                );
            }
        }
        (f.latency, refusal)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match refusal {
        Some(r) => r,
        None => next.run(request).await,
    };
    state.lock().log.push(LoggedRequest {
        method,
        path,
        auth,
        authorization,
        status: response.status().as_u16(),
        arrived,
    });
    response
}

fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/site/oauth2/access_token", post(auth::token))
        .route("/site/oauth2/authorize", get(consent::authorize))
        .route("/2.0/user", get(consent::current_user))
        .route("/2.0/user/workspaces", get(api::user_workspaces))
        .route("/2.0/workspaces", get(api::workspaces))
        .route("/2.0/users/{id}", get(api::user))
        .route("/2.0/workspaces/{slug}", get(api::workspace))
        .route("/2.0/workspaces/{slug}/members", get(api::members))
        .route("/2.0/workspaces/{slug}/permissions", get(api::permissions))
        // Bitbucket accepts trailing slashes, and some clients send them.
        .route("/2.0/workspaces/{slug}/", get(api::workspace))
        .route("/2.0/workspaces/{slug}/members/", get(api::members))
        .route("/2.0/workspaces/{slug}/permissions/", get(api::permissions))
        .route("/1.0/groups", get(groups::find))
        .route("/1.0/groups/", get(groups::find))
        .route("/1.0/groups/{ws}", get(groups::list).post(groups::create))
        .route("/1.0/groups/{ws}/", get(groups::list).post(groups::create))
        .route(
            "/1.0/groups/{ws}/{slug}",
            put(groups::update).delete(groups::delete),
        )
        .route(
            "/1.0/groups/{ws}/{slug}/",
            put(groups::update).delete(groups::delete),
        )
        .route("/1.0/groups/{ws}/{slug}/members", get(groups::members))
        .route("/1.0/groups/{ws}/{slug}/members/", get(groups::members))
        .route(
            "/1.0/groups/{ws}/{slug}/members/{member}",
            put(groups::add_member).delete(groups::remove_member),
        )
        .route(
            "/1.0/groups/{ws}/{slug}/members/{member}/",
            put(groups::add_member).delete(groups::remove_member),
        )
        .fallback(|| async { respond::error(StatusCode::NOT_FOUND, "Resource not found") })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            faults_and_log,
        ))
        .with_state(state)
}

/// A server that answers anything and records it: the "foreign host" that
/// a bad `next` link points to. Nothing should ever reach it.
fn trap_router(log: Arc<Mutex<Vec<LoggedRequest>>>) -> Router {
    Router::new().fallback(move |request: Request| {
        let log = log.clone();
        async move {
            let authorization = request
                .headers()
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok())
                .map(String::from);
            log.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(LoggedRequest {
                    method: request.method().to_string(),
                    path: request.uri().to_string(),
                    auth: auth::auth_kind(request.headers()),
                    authorization,
                    status: 200,
                    arrived: std::time::Instant::now(),
                });
            axum::Json(serde_json::json!({"values": [], "pagelen": 100}))
        }
    })
}

/// A running fake Bitbucket; stops when dropped.
pub struct FakeBitbucket {
    addr: SocketAddr,
    admin_addr: SocketAddr,
    foreign_addr: SocketAddr,
    state: Arc<State>,
    foreign_log: Arc<Mutex<Vec<LoggedRequest>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeBitbucket {
    /// Starts on `127.0.0.1` at a free port.
    pub fn start(config: FakeConfig) -> std::io::Result<Self> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Starts on `addr`. The foreign-host trap listens on `127.0.0.2`.
    pub fn start_on(config: FakeConfig, addr: SocketAddr) -> std::io::Result<Self> {
        let data = seed::Dataset::generate(&config);
        let accounts = config.accounts.clone();
        let mutable = Mutable {
            tokens: Default::default(),
            refresh_tokens: accounts
                .refresh_tokens
                .iter()
                .map(|(token, client)| {
                    let grant = state::RefreshGrant {
                        client: client.clone(),
                        issued_at: time::OffsetDateTime::now_utc().unix_timestamp(),
                    };
                    (token.clone(), grant)
                })
                .collect(),
            auth_codes: accounts
                .auth_codes
                .iter()
                .map(|(code, client)| {
                    let grant = state::CodeGrant {
                        client: client.clone(),
                        redirect_uri: None,
                        challenge: None,
                        issued_at: i64::MAX / 2,
                    };
                    (code.clone(), grant)
                })
                .collect(),
            clock_offset: 0,
            deny_consent: false,
            pkce_verified: 0,
            groups: state::initial_groups(&data),
            log: Vec::new(),
            api_requests: 0,
            authed_requests: 0,
            expired_once: false,
            born_expired_issued: 0,
            admin_requests: 0,
            admin_faults: config.admin.faults.clone(),
            directory_groups: admin::initial_groups(&data),
            faults: config.faults.clone(),
            faults_since: Instant::now(),
            issued: 0,
        };
        let state = Arc::new(State {
            data,
            accounts,
            token_lifetime: config.token_lifetime,
            page_counts: config.page_counts,
            legacy_workspaces_gone: config.legacy_workspaces_gone,
            user_workspaces_missing: config.user_workspaces_missing,
            rotate_refresh_tokens: config.rotate_refresh_tokens,
            app_passwords_removed: config.app_passwords_removed,
            admin: config.admin.clone(),
            admin_index: std::sync::OnceLock::new(),
            m: Mutex::new(mutable),
        });
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let foreign = TcpListener::bind(SocketAddr::from(([127, 0, 0, 2], 0)))?;
        foreign.set_nonblocking(true)?;
        let admin_listener = TcpListener::bind(SocketAddr::from((addr.ip(), 0)))?;
        admin_listener.set_nonblocking(true)?;
        let (addr, foreign_addr) = (listener.local_addr()?, foreign.local_addr()?);
        let admin_addr = admin_listener.local_addr()?;
        let admin_app = admin::router(state.clone()).layer(middleware::from_fn_with_state(
            state.clone(),
            faults_and_log,
        ));
        let foreign_log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(state.clone());
        let trap = trap_router(foreign_log.clone());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("fake-bitbucket")
            .build()?;
        let thread = std::thread::Builder::new()
            .name("fake-bitbucket".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                    let foreign =
                        tokio::net::TcpListener::from_std(foreign).expect("a tokio listener");
                    let trap = tokio::spawn(async move { axum::serve(foreign, trap).await });
                    let admin_listener = tokio::net::TcpListener::from_std(admin_listener)
                        .expect("a tokio listener");
                    let admin =
                        tokio::spawn(async move { axum::serve(admin_listener, admin_app).await });
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = rx.await;
                        })
                        .await;
                    trap.abort();
                    admin.abort();
                });
                runtime.shutdown_background();
            })?;
        Ok(FakeBitbucket {
            addr,
            admin_addr,
            foreign_addr,
            state,
            foreign_log,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The API base URL, for example `http://127.0.0.1:41234`.
    pub fn api_base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The OAuth token endpoint.
    pub fn token_url(&self) -> String {
        format!("http://{}/site/oauth2/access_token", self.addr)
    }

    /// The consent page of the authorization-code flow.
    pub fn authorize_url(&self) -> String {
        format!("http://{}/site/oauth2/authorize", self.addr)
    }

    /// Moves the fake's clock forward: access tokens, codes and idle refresh
    /// tokens age by `seconds` at once.
    pub fn advance_clock(&self, seconds: i64) {
        self.state.lock().clock_offset += seconds;
    }

    /// Makes the consent page answer `access_denied` (the person declined).
    pub fn deny_consent(&self, deny: bool) {
        self.state.lock().deny_consent = deny;
    }

    /// Code exchanges whose PKCE verifier matched its challenge.
    pub fn pkce_verified(&self) -> u32 {
        self.state.lock().pkce_verified
    }

    /// The refresh tokens the token endpoint would take now.
    pub fn live_refresh_tokens(&self) -> Vec<String> {
        let m = self.state.lock();
        let now = m.now();
        m.refresh_tokens
            .iter()
            .filter(|(_, g)| now - g.issued_at <= auth::REFRESH_TOKEN_IDLE_LIFETIME)
            .map(|(t, _)| t.clone())
            .collect()
    }

    /// The base URL of the foreign-host trap.
    pub fn foreign_base_url(&self) -> String {
        format!("http://{}", self.foreign_addr)
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What a complete listing must find.
    pub fn truth(&self) -> Truth {
        self.state.data.truth()
    }

    /// Replaces the faults and resets the counters they use.
    pub fn set_faults(&self, faults: Faults) {
        let mut m = self.state.lock();
        m.faults = faults;
        m.faults_since = Instant::now();
        m.api_requests = 0;
        m.authed_requests = 0;
        m.expired_once = false;
        m.born_expired_issued = 0;
    }

    /// Every request served so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state.lock().log.clone()
    }

    /// Forgets the logged requests.
    pub fn clear_requests(&self) {
        self.state.lock().log.clear();
        self.foreign_log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Every request the foreign-host trap received.
    pub fn foreign_requests(&self) -> Vec<LoggedRequest> {
        self.foreign_log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The ids (uuids) of a group's members, for assertions.
    pub fn group_members(&self, workspace: &str, slug: &str) -> Option<Vec<String>> {
        let m = self.state.lock();
        let g = m.groups.get(&(workspace.to_string(), slug.to_string()))?;
        Some(
            g.members
                .iter()
                .map(|&u| self.state.data.user_uuid(u))
                .collect(),
        )
    }

    /// Blocks until the server stops (for the binary).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for FakeBitbucket {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
