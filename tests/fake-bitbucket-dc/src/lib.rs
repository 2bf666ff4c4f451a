//! A Bitbucket Data Center stand-in on loopback, for tests and demos.
//!
//! It serves the core REST API 1.0 (also as `latest`) under an optional
//! context path: the admin user list with last authentication, the
//! licence, the global permissions of users and groups, groups and their
//! members, and the writes that change them, over generated data whose
//! truth it knows. Basic and Bearer sign-in, with Bitbucket's rules: 401
//! (never 403) for a missing permission, tokens that cannot carry ADMIN, a
//! CAPTCHA after failed logins. Paging quirks and faults are switches;
//! every request is logged. Plain HTTP, or HTTPS with a certificate given.
//!
//! ```no_run
//! let fake = fake_bitbucket_dc::FakeDc::start(Default::default()).unwrap();
//! println!("Bitbucket at {}", fake.base_url());
//! ```

// Handlers stop early with a ready axum `Response`; boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod config;
pub mod network;
pub mod respond;
pub mod seed;
pub mod state;
pub mod writes;

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use axum::Router;
use axum::extract::{Request, State as Extract};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

pub use config::{ADMIN, ADMIN_TOKEN, DcConfig, DcFaults, VIEWER};
pub use seed::{Truth, TruthUser};
pub use state::Logged;

use state::{Mutable, State};

/// Applies latency, 429 and 5xx faults, then logs the request.
async fn faults_and_log(Extract(s): Extract<Arc<State>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let headers = request.headers();
    let authorization = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .map(String::from);
    let xsrf_token = headers.contains_key("x-atlassian-token");
    let (latency, refusal) = {
        let mut m = s.lock();
        m.requests += 1;
        let (n, f) = (m.requests, m.faults.clone());
        let limited = f.rate_limit_first.is_some_and(|k| n <= k)
            || f.rate_limit_every.is_some_and(|k| k > 0 && n % k == 0);
        let refusal = if limited {
            let mut r = respond::error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded", None);
            if let Some(secs) = f.retry_after {
                r.headers_mut().insert("retry-after", secs.into());
            }
            Some(r)
        } else {
            f.server_error_every
                .filter(|(k, _)| *k > 0 && n % k == 0)
                .map(|(_, status)| {
                    let status =
                        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    respond::error(status, "Something went wrong", None)
                })
        };
        (f.latency, refusal)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match refusal {
        Some(r) => r,
        None => next.run(request).await,
    };
    s.lock().log.push(Logged {
        method,
        path,
        authorization,
        xsrf_token,
        status: response.status().as_u16(),
    });
    response
}

fn api(state: Arc<State>) -> Router {
    Router::new()
        .route("/application-properties", get(api::properties))
        .route("/admin/license", get(api::license))
        .route(
            "/admin/permissions/groups",
            get(api::group_grants)
                .put(writes::group_permission)
                .delete(writes::group_permission),
        )
        .route(
            "/admin/permissions/users",
            get(api::user_grants).delete(writes::revoke_user),
        )
        .route("/admin/users", get(api::admin_users))
        .route("/admin/users/more-members", get(api::user_groups))
        .route("/admin/users/add-groups", post(writes::add_groups))
        .route("/admin/users/remove-group", post(writes::remove_group))
        .route(
            "/admin/groups",
            get(api::groups)
                .post(writes::create_group)
                .delete(writes::delete_group),
        )
        .route("/admin/groups/more-members", get(api::group_members))
        .route("/users", get(api::users))
        .with_state(state)
}

fn router(state: Arc<State>) -> Router {
    let context = state.config.context_path.trim_end_matches('/').to_string();
    let rest = Router::new()
        .nest("/rest/api/1.0", api(state.clone()))
        .nest("/rest/api/latest", api(state.clone()));
    let app = if context.is_empty() {
        rest
    } else {
        Router::new().nest(&context, rest)
    };
    app.layer(middleware::from_fn_with_state(state, faults_and_log))
}

/// A certificate chain and its key, in PEM, to serve HTTPS with.
#[derive(Debug, Clone)]
pub struct Tls {
    /// The chain, leaf first.
    pub cert_pem: String,
    /// The leaf's private key.
    pub key_pem: String,
}

/// A running fake; stops when dropped.
pub struct FakeDc {
    addr: SocketAddr,
    scheme: &'static str,
    host: String,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

fn server_config(tls: &Tls) -> std::io::Result<Arc<rustls::ServerConfig>> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let invalid = |e: &dyn std::fmt::Display| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
    };
    let certs = CertificateDer::pem_slice_iter(tls.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(&e))?;
    let key = PrivateKeyDer::from_pem_slice(tls.key_pem.as_bytes()).map_err(|e| invalid(&e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| invalid(&e))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| invalid(&e))?;
    Ok(Arc::new(config))
}

impl FakeDc {
    /// Starts on `127.0.0.1` at a free port, over plain HTTP.
    pub fn start(config: DcConfig) -> std::io::Result<Self> {
        Self::serve(config, None, 0)
    }

    /// Starts on `127.0.0.1` at `port` (0: a free one), over plain HTTP.
    pub fn start_on(config: DcConfig, port: u16) -> std::io::Result<Self> {
        Self::serve(config, None, port)
    }

    /// Starts over HTTPS with `tls`; `base_url` names the host `localhost`
    /// (what a test certificate is made for).
    pub fn start_tls(config: DcConfig, tls: Tls) -> std::io::Result<Self> {
        Self::serve(config, Some(tls), 0)
    }

    fn serve(config: DcConfig, tls: Option<Tls>, port: u16) -> std::io::Result<Self> {
        let data = seed::Dataset::generate(&config);
        let faults = config.faults.clone();
        let state = Arc::new(State {
            config,
            m: Mutex::new(Mutable {
                data,
                faults,
                log: Vec::new(),
                requests: 0,
                failures: Default::default(),
            }),
        });
        let tls_config = tls.as_ref().map(server_config).transpose()?;
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let app = router(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("fake-bitbucket-dc")
            .build()?;
        let thread = std::thread::Builder::new()
            .name("fake-bitbucket-dc".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tls_config {
                        None => {
                            let listener = tokio::net::TcpListener::from_std(listener)
                                .expect("a tokio listener");
                            let _ = axum::serve(listener, app)
                                .with_graceful_shutdown(async {
                                    let _ = rx.await;
                                })
                                .await;
                        }
                        Some(config) => {
                            let handle = axum_server::Handle::new();
                            let stopper = handle.clone();
                            tokio::spawn(async move {
                                let _ = rx.await;
                                stopper.shutdown();
                            });
                            let rustls = axum_server::tls_rustls::RustlsConfig::from_config(config);
                            if let Ok(server) = axum_server::from_tcp_rustls(listener, rustls) {
                                let _ = server.handle(handle).serve(app.into_make_service()).await;
                            }
                        }
                    }
                });
                runtime.shutdown_background();
            })?;
        Ok(FakeDc {
            addr,
            scheme: if tls.is_some() { "https" } else { "http" },
            host: if tls.is_some() {
                "localhost".into()
            } else {
                "127.0.0.1".into()
            },
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The instance's base URL (with the context path).
    pub fn base_url(&self) -> String {
        format!(
            "{}://{}:{}{}",
            self.scheme,
            self.host,
            self.addr.port(),
            self.state.config.context_path
        )
    }

    /// The base URL as reached through a proxy under the name `host` (the
    /// fake answers whatever name it is asked by).
    pub fn base_url_as(&self, host: &str) -> String {
        format!(
            "{}://{host}:{}{}",
            self.scheme,
            self.addr.port(),
            self.state.config.context_path
        )
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The truth now, with verdicts for a threshold of `days`.
    pub fn truth(&self, days: u32) -> Truth {
        self.state.lock().data.truth(days)
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: DcFaults) {
        let mut m = self.state.lock();
        m.faults = faults;
        m.requests = 0;
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state.lock().log.clone()
    }

    /// Forgets the requests so far.
    pub fn clear_requests(&self) {
        self.state.lock().log.clear();
    }

    /// The members (usernames) of a group, when it exists.
    pub fn group_members(&self, group: &str) -> Option<Vec<String>> {
        let m = self.state.lock();
        let g = m.data.groups.iter().find(|g| g.name == group)?;
        Some(
            m.data
                .users
                .iter()
                .filter(|u| g.members.contains(&u.id))
                .map(|u| u.name.clone())
                .collect(),
        )
    }

    /// Serves until the process ends (for the binary).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for FakeDc {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
