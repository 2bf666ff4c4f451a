//! The values a host passes back into the component that made them: the
//! effective config and the session. Each stays in its own contract
//! version's types, so that a 0.1.0 component gets back exactly the 0.1.0
//! record it handed out; the host reads them only through the methods here.
//! Cursors are strings in every version; a checkpoint ties them to the
//! contract version and the component that wrote them.

use crate::wit::{ContractVersion, latest, v0_1_0};

/// The effective settings, in the connector's own contract version. Made by
/// [`crate::Connector::config`] from the latest settings list.
#[derive(Debug, Clone)]
pub enum Config {
    /// A 0.1.0 `config` record.
    V0_1_0(v0_1_0::Config),
    /// A 0.2.0 list of settings.
    V0_2_0(Vec<latest::Setting>),
}

/// A session, in the contract version of the connector that issued it.
/// Secret material: its `Debug` shows no field.
#[derive(Clone)]
pub enum Session {
    /// A 0.1.0 session (tokens in plain fields).
    V0_1_0(v0_1_0::Session),
    /// A 0.2.0 session (opaque state and the secrets in it).
    V0_2_0(latest::Session),
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Session({}, [REDACTED])", self.version())
    }
}

impl Session {
    /// The contract version of the connector that issued it.
    pub fn version(&self) -> ContractVersion {
        match self {
            Session::V0_1_0(_) => ContractVersion::V0_1_0,
            Session::V0_2_0(_) => ContractVersion::V0_2_0,
        }
    }

    /// Every secret in the session, for the host to mask wherever it might
    /// appear: the issued tokens first, then (0.2.0) the whole state.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            Session::V0_1_0(s) => std::iter::once(s.access_token.as_str())
                .chain(s.refresh_token.as_deref())
                .chain(s.client.as_ref().map(|c| c.client_secret.as_str()))
                .collect(),
            Session::V0_2_0(s) => s
                .secrets
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(s.state.as_str()))
                .collect(),
        }
    }

    /// When the session stops working unless refreshed, if it expires.
    pub fn expires_at(&self) -> Option<i64> {
        match self {
            Session::V0_1_0(s) => s.expires_at,
            Session::V0_2_0(s) => s.expires_at,
        }
    }

    /// The scopes the upstream granted.
    pub fn scopes(&self) -> &[String] {
        match self {
            Session::V0_1_0(s) => &s.scopes,
            Session::V0_2_0(s) => &s.scopes,
        }
    }

    /// Who the session acts for, when the upstream said (0.2.0 only).
    pub fn principal(&self) -> Option<&str> {
        match self {
            Session::V0_1_0(_) => None,
            Session::V0_2_0(s) => s.principal.as_deref(),
        }
    }
}

/// One bounded step of a listing, in the latest types, with the session a
/// connector handed back when it refreshed.
#[derive(Debug, Clone)]
pub struct Page {
    /// Users found in this step.
    pub users: Vec<latest::User>,
    /// Billing units described in this step.
    pub units: Vec<latest::BillingUnit>,
    /// Sources that covered units in this step.
    pub coverage: Vec<latest::Coverage>,
    /// Where to go on; none when the listing is complete.
    pub next_cursor: Option<String>,
    /// Progress over the whole listing.
    pub progress: latest::ListingProgress,
    /// A replacement session, to use from now on.
    pub session: Option<Session>,
    /// Counters of this step.
    pub stats: latest::PageStats,
}

impl From<latest::UserPage> for Page {
    fn from(p: latest::UserPage) -> Self {
        Page {
            users: p.users,
            units: p.units,
            coverage: p.coverage,
            next_cursor: p.next_cursor,
            progress: p.progress,
            session: p.session.map(Session::V0_2_0),
            stats: p.stats,
        }
    }
}
