//! The server's state (the instance as it changes, the faults, the request
//! log) and the caller of a request, as its `Authorization` says.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::config::{ADMIN, ADMIN_TOKEN, DcConfig, DcFaults, VIEWER};
use crate::seed::{Dataset, rank};

/// One logged request.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The raw `Authorization` header.
    pub authorization: Option<String>,
    /// Whether `X-Atlassian-Token: no-check` came with it.
    pub xsrf_token: bool,
    /// Status answered.
    pub status: u16,
}

/// What changes while the fake runs.
#[derive(Debug)]
pub struct Mutable {
    /// The instance.
    pub data: Dataset,
    /// Faults in force.
    pub faults: DcFaults,
    /// Requests so far.
    pub log: Vec<Logged>,
    /// API requests counted for the faults.
    pub requests: u32,
    /// Failed logins by username.
    pub failures: HashMap<String, u32>,
}

/// Shared state.
#[derive(Debug)]
pub struct State {
    /// The configuration.
    pub config: DcConfig,
    /// What changes.
    pub m: Mutex<Mutable>,
}

impl State {
    /// Locks the mutable part (a poisoned lock is still usable).
    pub fn lock(&self) -> MutexGuard<'_, Mutable> {
        self.m.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Who is calling, and with what rights.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Username.
    pub name: String,
    /// Rank of the permission in force (see [`rank`]): a token's is at most
    /// `LICENSED_USER`'s, whatever its owner holds.
    pub rank: usize,
    /// Whether it signed in with an HTTP access token.
    pub token: bool,
}

/// Why a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Wrong or missing credentials.
    Credentials,
    /// Behind a CAPTCHA after failed logins.
    Captcha,
}

/// The caller of a request.
pub fn caller(state: &State, headers: &HeaderMap) -> Result<Caller, Refusal> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let mut m = state.lock();
    let (name, token) = if let Some(token) = header.strip_prefix("Bearer ") {
        if token.trim() != ADMIN_TOKEN {
            return Err(Refusal::Credentials);
        }
        (ADMIN.0.to_string(), true)
    } else if let Some(b64) = header.strip_prefix("Basic ") {
        let decoded = STANDARD
            .decode(b64.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(Refusal::Credentials)?;
        let (user, password) = decoded.split_once(':').ok_or(Refusal::Credentials)?;
        let failures = m.failures.get(user).copied().unwrap_or(0);
        if state.config.captcha_after.is_some_and(|n| failures >= n) {
            return Err(Refusal::Captcha);
        }
        if (user, password) != ADMIN && (user, password) != VIEWER {
            *m.failures.entry(user.to_string()).or_default() += 1;
            return Err(Refusal::Credentials);
        }
        (user.to_string(), false)
    } else {
        return Err(Refusal::Credentials);
    };
    let Some(user) = m.data.users.iter().find(|u| u.name == name) else {
        return Err(Refusal::Credentials);
    };
    let held = rank(m.data.permission_of(user.id).0);
    Ok(Caller {
        name,
        rank: if token { held.min(1) } else { held },
        token,
    })
}
