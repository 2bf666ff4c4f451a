//! Answers: Bitbucket's error bodies and its `start`/`limit` pages, with
//! the paging faults.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An `{"errors":[...]}` answer.
pub fn error(status: StatusCode, message: &str, exception: Option<&str>) -> Response {
    (
        status,
        Json(
            json!({"errors": [{"context": null, "message": message, "exceptionName": exception}]}),
        ),
    )
        .into_response()
}

/// 401 for bad credentials.
pub fn unauthenticated() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Authentication failed. Please check your credentials and try again.",
        Some("com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException"),
    )
}

/// 401 for a caller without the permission (Bitbucket never says 403 here).
pub fn not_permitted() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "You are not permitted to access this resource",
        Some("com.atlassian.bitbucket.AuthorisationException"),
    )
}

/// 404 naming what is missing.
pub fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        what,
        Some("com.atlassian.bitbucket.NoSuchEntityException"),
    )
}

/// How a page is cut.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cut {
    /// `start` asked.
    pub start: usize,
    /// `limit` asked (already clamped).
    pub limit: usize,
    /// `nextPageStart` repeats `start`.
    pub stuck: bool,
    /// `isLastPage` never true.
    pub never_last: bool,
    /// No `nextPageStart` on a page that is not the last.
    pub missing_next: bool,
}

/// The page of `values` that `cut` asks for.
pub fn page(values: Vec<Value>, cut: Cut) -> Response {
    let total = values.len();
    let slice: Vec<Value> = values.into_iter().skip(cut.start).take(cut.limit).collect();
    let end = cut.start + slice.len();
    let last = end >= total && !cut.never_last;
    let mut body = json!({
        "size": slice.len(),
        "limit": cut.limit,
        "isLastPage": last,
        "start": cut.start,
        "values": slice,
    });
    if !last && !cut.missing_next {
        let next = if cut.stuck {
            cut.start
        } else {
            cut.start + cut.limit
        };
        body["nextPageStart"] = json!(next);
    }
    Json(body).into_response()
}
