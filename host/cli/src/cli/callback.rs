//! The loopback listener of a consent flow (RFC 8252 7.3): it serves
//! `GET /callback` on `127.0.0.1` until one redirect arrives whose query
//! the check accepts or refuses, answers the browser with one line, and
//! stops. Other paths get 404; nothing else is served, and nothing of the
//! query is logged.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::routing::get;

/// The path of the redirect.
pub const PATH: &str = "/callback";

/// What came back: the check's answer to the first redirect, or nothing
/// within the wait.
pub type Answer<T, E> = Option<Result<T, E>>;

/// Waits up to `wait` for a redirect to `listener`, and returns what
/// `check` made of its query.
pub fn wait_for<T, E>(
    listener: TcpListener,
    wait: Duration,
    check: impl Fn(&str) -> Result<T, E> + Send + Sync + 'static,
) -> std::io::Result<Answer<T, E>>
where
    T: Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, E>>();
    let tx = Arc::new(Mutex::new(Some(tx)));
    let check = Arc::new(check);
    let handler = move |RawQuery(query): RawQuery| {
        let (tx, check) = (tx.clone(), check.clone());
        async move {
            let answer = check(query.as_deref().unwrap_or_default());
            let page = match &answer {
                Ok(_) => (
                    StatusCode::OK,
                    "saas-host: access granted. You can close this tab and go back to the \
                     terminal."
                        .to_string(),
                ),
                Err(e) => (
                    StatusCode::BAD_REQUEST,
                    format!("saas-host: this sign-in was refused: {e}"),
                ),
            };
            if let Some(tx) = tx.lock().unwrap_or_else(|p| p.into_inner()).take() {
                let _ = tx.send(answer);
            }
            page
        }
    };
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = Router::new()
            .route(PATH, get(handler))
            .fallback(|| async { StatusCode::NOT_FOUND });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        let answer = tokio::time::timeout(wait, rx)
            .await
            .ok()
            .and_then(Result::ok);
        // The browser has its answer once the handler returned: let the
        // connection finish, then stop.
        let _ = stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
        Ok(answer)
    })
}
