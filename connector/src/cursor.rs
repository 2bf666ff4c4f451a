//! The listing's resumable state. A cursor is this state as JSON, sealed
//! with a checksum (the SDK's `cursor`): opaque to hosts, free of secrets,
//! bound to the settings it was made under, and checked on the way in.

use saas_connector_sdk::cursor;
use serde::{Deserialize, Serialize};

use crate::endpoints::Endpoints;
use crate::listing::MAX_PAGES;
use crate::{Error, Result};

/// Version of the cursor format.
const FORMAT: u8 = 3;

/// Which upstream listing a workspace's members come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// `/2.0/workspaces/{slug}/permissions`.
    Permissions,
    /// `/2.0/workspaces/{slug}/members`.
    Members,
}

/// Where one workspace's member listing stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskState {
    /// The first page is still to fetch.
    First,
    /// No counts: follow `next` links one by one.
    Follow {
        /// The next page's URL.
        next: String,
        /// Hashes of the URLs already fetched.
        visited: Vec<u64>,
    },
    /// Counts known: numbered pages, fetched in parallel.
    Pages {
        /// URL of page 1.
        first: String,
        /// The next page number to request.
        next_page: u64,
        /// The last page number.
        last_page: u64,
    },
    /// Every page is in.
    Done,
}

/// One workspace still being listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Slug.
    pub slug: String,
    /// uuid (may be empty until the details arrive).
    pub id: String,
    /// Whether the details were fetched.
    pub described: bool,
    /// Member source.
    pub source: Source,
    /// Paging state.
    pub state: TaskState,
    /// Member count the upstream reported.
    pub size: Option<u64>,
    /// Entries listed so far.
    pub listed: u64,
    /// The workspace's resource id in the Atlassian organization, when the
    /// Admin API lists it: its members' dates come from there.
    #[serde(default)]
    pub org_resource: Option<String>,
}

/// A workspace found during discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// Slug.
    pub slug: String,
    /// uuid (may be empty).
    pub id: String,
    /// Its resource id in the Atlassian organization, once matched.
    #[serde(default)]
    pub resource: Option<String>,
}

/// A member whose Admin API dates are still to fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The user's id (uuid).
    pub user: String,
    /// Atlassian account id.
    pub account_id: String,
    /// The workspace's slug.
    pub slug: String,
    /// The workspace's unit id.
    pub unit_id: String,
    /// The workspace's resource id in the organization.
    pub resource: String,
    /// Whether the bulk search already missed this user: next is the
    /// per-user last-active call.
    pub searched: bool,
    /// Whether Bitbucket's own dates cover the membership: then the Admin
    /// API adds evidence but no gap.
    #[serde(default)]
    pub covered: bool,
}

/// The listing's phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Finding the workspaces.
    Discover {
        /// Next discovery page; none for the first.
        next: Option<String>,
        /// Workspaces found so far.
        found: Vec<Found>,
        /// Hashes of the discovery URLs already fetched.
        visited: Vec<u64>,
    },
    /// Matching the found workspaces with the Atlassian organization's.
    OrgWorkspaces {
        /// Workspaces found, with their resource ids as matched so far.
        found: Vec<Found>,
        /// The next page's cursor; none for the first.
        next: Option<String>,
        /// Hashes of the cursors already used.
        visited: Vec<u64>,
    },
    /// Listing members.
    Members {
        /// Workspaces not finished, in order.
        tasks: Vec<Task>,
    },
}

/// The whole resumable state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Format version.
    pub v: u8,
    /// The API base this listing runs against.
    pub api: String,
    /// A hash of the settings that shape the listing (see
    /// [`Config::listing_hash`]): a cursor is refused under others.
    pub settings: u64,
    /// Workspaces finished.
    pub done: u32,
    /// Members listed in finished workspaces.
    pub done_members: u64,
    /// Memberships listed so far.
    pub listed: u64,
    /// Phase.
    pub phase: Phase,
    /// Members waiting for their Admin API dates.
    #[serde(default)]
    pub pending: Vec<Pending>,
    /// Accounts the Admin API does not know (outside the directory): not
    /// looked up again for their other workspaces.
    #[serde(default)]
    pub outside: Vec<String>,
    /// Steps in a row that ended early because a refreshed token did not
    /// help (see `listing::tokens`).
    #[serde(default)]
    pub refresh_retries: u8,
}

impl Cursor {
    /// The state before anything was listed.
    pub fn start(api: String, settings: u64) -> Self {
        Cursor {
            v: FORMAT,
            api,
            settings,
            done: 0,
            done_members: 0,
            listed: 0,
            phase: Phase::Discover {
                next: None,
                found: Vec::new(),
                visited: Vec::new(),
            },
            pending: Vec::new(),
            outside: Vec::new(),
            refresh_retries: 0,
        }
    }

    /// Encodes the cursor.
    pub fn encode(&self) -> String {
        cursor::seal(&serde_json::to_vec(self).expect("cursor serialises"))
    }

    /// Decodes a cursor, checks it belongs to this API base and these
    /// settings, and checks everything in it that a request would be built
    /// from: a cursor comes back from a file anyone may edit.
    pub fn decode(text: &str, endpoints: &Endpoints, settings: u64) -> Result<Self> {
        // A cursor damaged in the checkpoint file is refused before
        // anything is built from it.
        let json = cursor::open(text)
            .ok_or_else(|| invalid("not a cursor of this connector, or a damaged one"))?;
        let cursor: Cursor = std::str::from_utf8(&json)
            .ok()
            .and_then(|text| serde_json::from_str(text).ok())
            .ok_or_else(|| invalid("not a cursor of this connector"))?;
        if cursor.v != FORMAT {
            return Err(invalid(&format!(
                "cursor format {} is not {FORMAT}",
                cursor.v
            )));
        }
        if cursor.api != endpoints.api_base() {
            return Err(invalid(
                "the cursor belongs to a listing against another API base",
            ));
        }
        if cursor.settings != settings {
            return Err(invalid(
                "the cursor belongs to a listing with other settings (workspaces, page size or \
                 Admin API): start the listing again",
            ));
        }
        cursor.check_links(endpoints)?;
        Ok(cursor)
    }

    /// Every URL in the cursor parses and stays on the API's origin, and
    /// page numbers are within bounds, before any request is built from them.
    fn check_links(&self, endpoints: &Endpoints) -> Result<()> {
        let link = |url: &str| {
            endpoints
                .check_same_origin(url)
                .map_err(|e| invalid(&format!("a link in the cursor is refused: {e}")))
        };
        match &self.phase {
            Phase::Discover {
                next: Some(next), ..
            } => link(next)?,
            Phase::Discover { .. } | Phase::OrgWorkspaces { .. } => {}
            Phase::Members { tasks } => {
                for task in tasks {
                    match &task.state {
                        TaskState::Follow { next, .. } => link(next)?,
                        TaskState::Pages {
                            first,
                            next_page,
                            last_page,
                        } => {
                            link(first)?;
                            if *last_page > MAX_PAGES || *next_page < 2 {
                                return Err(invalid("page numbers out of bounds"));
                            }
                        }
                        TaskState::First | TaskState::Done => {}
                    }
                }
            }
        }
        Ok(())
    }
}

fn invalid(why: &str) -> Error {
    Error::InvalidCursor(why.into())
}

/// FNV-1a, to remember visited URLs compactly.
pub fn url_hash(url: &str) -> u64 {
    cursor::checksum(url.as_bytes())
}
