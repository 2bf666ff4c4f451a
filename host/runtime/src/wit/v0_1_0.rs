//! Contract 0.1.0, released and frozen: its bindings, its imports served by
//! the latest implementations, and (in the submodules) what turns its
//! declarations and results into the latest types and the latest inputs
//! into its own.

pub mod declarations;
pub mod results;

use semver::Version;

use super::latest;
use crate::imports::CallState;

/// The first version this module runs.
pub const MIN_VERSION: Version = Version::new(0, 1, 0);

wasmtime::component::bindgen!({
    path: "../../wit/v0.1.0",
    world: "saas-connector",
});

pub use exports::saas::connector::connector::{
    Capability, ConnectorInfo, Policy, StatusReport, UserPage,
};
pub use saas::connector::types::{
    AuthMode, Config, ConnectorError, Credentials, Group, GroupMember, GroupRef, GroupUpdate,
    Membership, Session, User, Workspace,
};

use saas::connector::{http, log};

/// The WIT package, concatenated into one document (for checks and `inspect`).
pub const WIT_SOURCE: &str = concat!(
    include_str!("../../../../wit/v0.1.0/world.wit"),
    "\n",
    include_str!("../../../../wit/v0.1.0/types.wit"),
    "\n",
    include_str!("../../../../wit/v0.1.0/http.wit"),
    "\n",
    include_str!("../../../../wit/v0.1.0/log.wit"),
    "\n",
    include_str!("../../../../wit/v0.1.0/connector.wit"),
    "\n",
    include_str!("../../../../wit/v0.1.0/groups.wit"),
);

impl From<http::Method> for latest::Method {
    fn from(m: http::Method) -> Self {
        match m {
            http::Method::Get => Self::Get,
            http::Method::Head => Self::Head,
            http::Method::Post => Self::Post,
            http::Method::Put => Self::Put,
            http::Method::Patch => Self::Patch,
            http::Method::Delete => Self::Delete,
        }
    }
}

impl From<http::Request> for latest::Request {
    fn from(r: http::Request) -> Self {
        latest::Request {
            method: r.method.into(),
            url: r.url,
            headers: r.headers,
            body: r.body,
            timeout_ms: r.timeout_ms,
        }
    }
}

/// The latest result of a request, as 0.1.0 types.
fn response(
    r: Result<latest::Response, latest::HttpError>,
) -> Result<http::Response, http::HttpError> {
    match r {
        Ok(r) => Ok(http::Response {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }),
        Err(latest::HttpError::Denied(m)) => Err(http::HttpError::Denied(m)),
        Err(latest::HttpError::Timeout) => Err(http::HttpError::Timeout),
        Err(latest::HttpError::Transport(m)) => Err(http::HttpError::Transport(m)),
        Err(latest::HttpError::TooLarge(n)) => Err(http::HttpError::TooLarge(n)),
        Err(latest::HttpError::InvalidRequest(m)) => Err(http::HttpError::InvalidRequest(m)),
    }
}

impl http::Host for CallState {
    fn send(&mut self, request: http::Request) -> Result<http::Response, http::HttpError> {
        response(latest::saas::connector::http::Host::send(
            self,
            request.into(),
        ))
    }

    fn send_all(
        &mut self,
        requests: Vec<http::Request>,
    ) -> Vec<Result<http::Response, http::HttpError>> {
        let requests = requests.into_iter().map(Into::into).collect();
        latest::saas::connector::http::Host::send_all(self, requests)
            .into_iter()
            .map(response)
            .collect()
    }
}

impl From<log::Level> for latest::Level {
    fn from(l: log::Level) -> Self {
        match l {
            log::Level::Trace => Self::Trace,
            log::Level::Debug => Self::Debug,
            log::Level::Info => Self::Info,
            log::Level::Warn => Self::Warn,
            log::Level::Error => Self::Error,
        }
    }
}

impl log::Host for CallState {
    fn write(&mut self, level: log::Level, message: String) {
        latest::saas::connector::log::Host::write(self, level.into(), message);
    }

    fn report_progress(&mut self, p: log::Progress) {
        let p = latest::Progress {
            done: p.done,
            total: p.total,
            what: p.what,
        };
        latest::saas::connector::log::Host::report_progress(self, p);
    }
}

impl saas::connector::types::Host for CallState {}
