//! What the history holds, as plain records: independent of the contract's
//! generated types, so that a stored run reads the same after the contract
//! moves on.

use serde::{Deserialize, Serialize};

/// A run's verdict on a user, as the contract's `activity` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activity {
    /// Active within the policy's window.
    Active,
    /// Idle: evidence older than the window.
    Inactive,
    /// A covering source saw no activity at all.
    NeverActive,
    /// Nothing to judge by (or the listing was partial).
    Unknown,
}

impl Activity {
    /// The kebab-case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Active => "active",
            Activity::Inactive => "inactive",
            Activity::NeverActive => "never-active",
            Activity::Unknown => "unknown",
        }
    }

    /// The activity a stored name means; an unknown name is `Unknown`.
    pub fn parse(name: &str) -> Self {
        match name {
            "active" => Activity::Active,
            "inactive" => Activity::Inactive,
            "never-active" => Activity::NeverActive,
            _ => Activity::Unknown,
        }
    }

    /// Whether the seat behind this verdict is idle (inactive or never
    /// active), the two verdicts reclaiming acts on.
    pub fn is_idle(self) -> bool {
        matches!(self, Activity::Inactive | Activity::NeverActive)
    }
}

/// One stored sync: who ran what, when, and its totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// The run's number, increasing; 0 before it is stored.
    pub id: i64,
    /// What was synced: runs of one source are compared with each other
    /// (`bitbucket@api.bitbucket.org`, `demo/bitbucket`).
    pub source: String,
    /// The connector's declared name.
    pub connector: String,
    /// The connector's declared version.
    pub connector_version: String,
    /// The local account that ran it.
    pub operator: String,
    /// Unix seconds when the sync began.
    pub started_at: i64,
    /// Unix seconds when it was stored.
    pub finished_at: i64,
    /// The time the verdicts were computed for.
    pub as_of: i64,
    /// The policy's window: days without activity before a user is idle.
    pub inactive_days: u32,
    /// Whether every page was listed. A partial run calls nobody idle and
    /// is never the "before" or "after" of a diff's verdicts.
    pub complete: bool,
    /// Why the listing stopped early, masked.
    pub error: Option<String>,
    /// Seats in use (billable memberships) over every unit.
    pub seats_used: u32,
    /// Seats purchased, when known.
    pub seats_purchased: Option<u32>,
    /// Idle seats over every unit.
    pub seats_idle: u32,
    /// Distinct people.
    pub people: u32,
    /// Memberships over every unit.
    pub memberships: u32,
    /// Users per verdict: active, inactive, never active, unknown.
    pub active: u32,
    /// See `active`.
    pub inactive: u32,
    /// See `active`.
    pub never_active: u32,
    /// See `active`.
    pub unknown: u32,
    /// Requests sent upstream.
    pub requests: u64,
    /// Listing steps.
    pub steps: u32,
    /// Wall time of the listing.
    pub elapsed_ms: u64,
}

/// A billing unit's seats in one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRow {
    /// The upstream's stable id.
    pub id: String,
    /// Workspace, instance, organization... (kebab-case).
    pub kind: String,
    /// The key people know it by (a slug, a host).
    pub key: String,
    /// Its display name.
    pub name: Option<String>,
    /// Seats in use.
    pub used: u32,
    /// Seats purchased, when the upstream says.
    pub purchased: Option<u32>,
    /// The upstream's own count of seats in use, when it reports one.
    pub reported_used: Option<u32>,
    /// Memberships that hold no seat.
    pub non_billable: u32,
    /// Seats held by idle users.
    pub idle: u32,
    /// Administrators.
    pub admins: u32,
    /// The sources that reported activity for this unit.
    pub covered_by: Vec<String>,
}

/// One piece of activity evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRow {
    /// Which source saw it.
    pub source: String,
    /// Web, api, git, login, unspecified.
    pub kind: String,
    /// Unix seconds.
    pub at: i64,
}

/// A user's membership of a unit in one run. Its serde form is how it is
/// stored, in a JSON array in its user's row: fields without a value are
/// left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipRow {
    /// The unit's id.
    pub unit_id: String,
    /// The upstream's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The normalised level (kebab-case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Whether it holds a seat.
    pub billable: bool,
    /// Why it does or does not.
    pub billable_reason: String,
    /// Unix seconds when it was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_at: Option<i64>,
    /// Why no source can see this membership's activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_gap: Option<String>,
    /// Its activity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRow>,
}

/// A user with the run's verdict on them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRow {
    /// The stable id.
    pub id: String,
    /// The upstream's account id.
    pub account_id: Option<String>,
    /// The username.
    pub username: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The email.
    pub email: Option<String>,
    /// Active, suspended, deactivated, unknown.
    pub account_state: String,
    /// The upstream's own status word.
    pub upstream_status: Option<String>,
    /// Whether two-step verification is on.
    pub mfa_enabled: Option<bool>,
    /// Unix seconds when the account was made.
    pub created_at: Option<i64>,
    /// The verdict.
    pub activity: Activity,
    /// The verdict's reason, naming its evidence.
    pub reason: String,
    /// The latest activity the verdict rests on.
    pub last_active: Option<i64>,
    /// Its source.
    pub last_active_source: Option<String>,
    /// The units the user belongs to.
    pub memberships: Vec<MembershipRow>,
}

impl UserRow {
    /// The name to show: display name, else username, else id.
    pub fn label(&self) -> &str {
        self.display_name
            .as_deref()
            .or(self.username.as_deref())
            .unwrap_or(&self.id)
    }
}

/// A whole run: what `report` draws and `diff` compares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// The run.
    pub run: RunInfo,
    /// Its units, by key.
    pub units: Vec<UnitRow>,
    /// Its users, by id.
    pub users: Vec<UserRow>,
    /// Which source covered which unit: (source, unit id).
    pub coverage: Vec<(String, String)>,
}

impl Snapshot {
    /// A unit's key from its id (the id when the unit is not listed).
    pub fn unit_key<'a>(&'a self, unit_id: &'a str) -> &'a str {
        self.units
            .iter()
            .find(|u| u.id == unit_id)
            .map_or(unit_id, |u| u.key.as_str())
    }
}
