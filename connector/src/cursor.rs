//! The listing's resumable state. A cursor is the base64url of this state
//! as JSON: opaque to hosts, free of secrets, and checked on the way in.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Version of the cursor format.
const FORMAT: u8 = 2;

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
        /// Whether the retired `/2.0/workspaces` is in use.
        legacy: bool,
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
}

impl Cursor {
    /// The state before anything was listed.
    pub fn start(api: String) -> Self {
        Cursor {
            v: FORMAT,
            api,
            done: 0,
            done_members: 0,
            listed: 0,
            phase: Phase::Discover {
                next: None,
                legacy: false,
                found: Vec::new(),
                visited: Vec::new(),
            },
            pending: Vec::new(),
            outside: Vec::new(),
        }
    }

    /// Encodes the cursor.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("cursor serialises");
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Decodes a cursor and checks it belongs to `api`.
    pub fn decode(text: &str, api: &str) -> Result<Self> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| Error::InvalidCursor("not a cursor of this connector".into()))?;
        let cursor: Cursor = serde_json::from_slice(&bytes)
            .map_err(|_| Error::InvalidCursor("not a cursor of this connector".into()))?;
        if cursor.v != FORMAT {
            return Err(Error::InvalidCursor(format!(
                "cursor format {} is not {FORMAT}",
                cursor.v
            )));
        }
        if cursor.api != api {
            return Err(Error::InvalidCursor(
                "the cursor belongs to a listing against another API base".into(),
            ));
        }
        Ok(cursor)
    }
}

/// FNV-1a, to remember visited URLs compactly.
pub fn url_hash(url: &str) -> u64 {
    url.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
