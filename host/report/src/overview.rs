//! The answer an operator came for, computed once from a stored run: the
//! seats, who is idle where and for how long, what that costs, and how
//! much of it rests on evidence. The terminal summary and the HTML report
//! both show this.

use std::collections::{BTreeMap, HashMap};

use saas_history::{Activity, Snapshot, UserRow};
use serde::Serialize;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The buckets of the last-active histogram, as (label, upper bound in
/// days, exclusive); the last is open.
pub const AGE_BUCKETS: [(&str, i64); 7] = [
    ("< 7 days", 7),
    ("7-30 days", 30),
    ("30-90 days", 90),
    ("90-180 days", 180),
    ("180-365 days", 365),
    ("1-2 years", 730),
    ("> 2 years", i64::MAX),
];

/// A unit's line of the summary.
#[derive(Debug, Clone, Serialize)]
pub struct UnitView {
    /// The unit's key.
    pub key: String,
    /// Workspace, instance, ...
    pub kind: String,
    /// Seats in use.
    pub used: u32,
    /// Seats purchased, when known.
    pub purchased: Option<u32>,
    /// The upstream's own count, when it reports one.
    pub reported_used: Option<u32>,
    /// Idle seats (inactive or never active).
    pub idle: u32,
    /// Of those, never active.
    pub never_active: u32,
    /// Members whose activity is unknown.
    pub unknown: u32,
    /// Idle seats as a share of used seats, in percent.
    pub idle_percent: u32,
    /// The sources that reported activity for it.
    pub sources: Vec<String>,
}

/// A user's line of the summary, sorted idle first, longest idle first.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    /// The name to show.
    pub label: String,
    /// The email, when known.
    pub email: Option<String>,
    /// The verdict.
    pub activity: Activity,
    /// The verdict's reason, naming its evidence.
    pub reason: String,
    /// The latest activity, Unix seconds.
    pub last_active: Option<i64>,
    /// Whole days from the last activity to the run's `as_of`.
    pub idle_days: Option<i64>,
    /// The source of that activity.
    pub source: Option<String>,
    /// The units (keys) the user holds a membership of.
    pub units: Vec<String>,
}

/// The cost of idle seats.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Cost {
    /// The monthly price of one seat.
    pub seat_price: f64,
    /// Idle seats times the price.
    pub idle_monthly: f64,
}

/// Everything the first screen shows.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The run's number in the history (0 when not stored).
    pub run_id: i64,
    /// The connector.
    pub connector: String,
    /// What was synced.
    pub source: String,
    /// When the verdicts hold, Unix seconds.
    pub as_of: i64,
    /// The policy's window.
    pub inactive_days: u32,
    /// Whether the listing was complete (a partial one calls nobody idle).
    pub complete: bool,
    /// Why it stopped early.
    pub error: Option<String>,
    /// Distinct people.
    pub people: u32,
    /// Memberships over all units.
    pub memberships: u32,
    /// People in more than one unit.
    pub multi_unit_people: u32,
    /// Seats in use.
    pub seats_used: u32,
    /// Seats purchased, when known.
    pub seats_purchased: Option<u32>,
    /// Idle seats over all units.
    pub idle_seats: u32,
    /// Of those, never active.
    pub never_active_seats: u32,
    /// People per verdict: active, inactive, never active, unknown.
    pub activity: [u32; 4],
    /// People with at least one piece of activity evidence.
    pub with_evidence: u32,
    /// People with evidence, per source (a person may count under several).
    pub evidence_by_source: Vec<(String, u32)>,
    /// People with two-step verification off, and with it unknown.
    pub mfa_off: [u32; 2],
    /// The cost of idle seats, when a seat price is given.
    pub cost: Option<Cost>,
    /// Per unit, by key.
    pub units: Vec<UnitView>,
    /// Everyone, idle first, longest idle first, then unknown, then active.
    pub users: Vec<UserView>,
    /// The last-active histogram: people per [`AGE_BUCKETS`] bucket, and
    /// last the people with no activity at all.
    pub ages: Vec<(String, u32)>,
}

fn rank(a: Activity) -> u8 {
    match a {
        Activity::NeverActive | Activity::Inactive => 0,
        Activity::Unknown => 1,
        Activity::Active => 2,
    }
}

fn user_view(snap: &Snapshot, u: &UserRow) -> UserView {
    let mut units: Vec<String> = u
        .memberships
        .iter()
        .map(|m| snap.unit_key(&m.unit_id).to_string())
        .collect();
    units.sort();
    UserView {
        label: u.label().to_string(),
        email: u.email.clone(),
        activity: u.activity,
        reason: u.reason.clone(),
        last_active: u.last_active,
        idle_days: u.last_active.map(|t| (snap.run.as_of - t).max(0) / DAY),
        source: u.last_active_source.clone(),
        units,
    }
}

impl Overview {
    /// The overview of a run; `seat_price` prices its idle seats.
    pub fn of(snap: &Snapshot, seat_price: Option<f64>) -> Overview {
        let run = &snap.run;
        let mut per_unit: HashMap<&str, [u32; 2]> = HashMap::new();
        let mut by_source: BTreeMap<String, u32> = BTreeMap::new();
        let mut with_evidence = 0;
        let mut ages = vec![0u32; AGE_BUCKETS.len() + 1];
        for u in &snap.users {
            for m in u.memberships.iter().filter(|m| m.billable) {
                let slot = per_unit.entry(m.unit_id.as_str()).or_default();
                match u.activity {
                    Activity::NeverActive => slot[0] += 1,
                    Activity::Unknown => slot[1] += 1,
                    _ => {}
                }
            }
            let mut sources: Vec<&str> = u
                .memberships
                .iter()
                .flat_map(|m| m.evidence.iter().map(|e| e.source.as_str()))
                .collect();
            sources.sort_unstable();
            sources.dedup();
            if !sources.is_empty() {
                with_evidence += 1;
            }
            for s in sources {
                *by_source.entry(s.to_string()).or_default() += 1;
            }
            let bucket = match u.last_active {
                None => AGE_BUCKETS.len(),
                Some(t) => {
                    let days = (run.as_of - t).max(0) / DAY;
                    AGE_BUCKETS
                        .iter()
                        .position(|&(_, upper)| days < upper)
                        .unwrap_or(AGE_BUCKETS.len() - 1)
                }
            };
            ages[bucket] += 1;
        }
        let units: Vec<UnitView> = snap
            .units
            .iter()
            .map(|u| {
                let [never_active, unknown] =
                    per_unit.get(u.id.as_str()).copied().unwrap_or_default();
                UnitView {
                    key: u.key.clone(),
                    kind: u.kind.clone(),
                    used: u.used,
                    purchased: u.purchased,
                    reported_used: u.reported_used,
                    idle: u.idle,
                    never_active: never_active.min(u.idle),
                    unknown,
                    idle_percent: percent(u.idle, u.used),
                    sources: u.covered_by.clone(),
                }
            })
            .collect();
        let mut users: Vec<UserView> = snap.users.iter().map(|u| user_view(snap, u)).collect();
        users.sort_by(|a, b| {
            rank(a.activity)
                .cmp(&rank(b.activity))
                // Longest idle first: no activity at all before any date.
                .then_with(|| a.last_active.is_some().cmp(&b.last_active.is_some()))
                .then_with(|| a.last_active.cmp(&b.last_active))
                .then_with(|| a.label.cmp(&b.label))
        });
        let idle_seats: u32 = units.iter().map(|u| u.idle).sum();
        Overview {
            run_id: run.id,
            connector: run.connector.clone(),
            source: run.source.clone(),
            as_of: run.as_of,
            inactive_days: run.inactive_days,
            complete: run.complete,
            error: run.error.clone(),
            people: run.people,
            memberships: run.memberships,
            multi_unit_people: snap
                .users
                .iter()
                .filter(|u| u.memberships.len() > 1)
                .count() as u32,
            seats_used: run.seats_used,
            seats_purchased: run.seats_purchased,
            idle_seats,
            never_active_seats: units.iter().map(|u| u.never_active).sum(),
            activity: [run.active, run.inactive, run.never_active, run.unknown],
            with_evidence,
            evidence_by_source: by_source.into_iter().collect(),
            mfa_off: [
                snap.users
                    .iter()
                    .filter(|u| u.mfa_enabled == Some(false))
                    .count() as u32,
                snap.users
                    .iter()
                    .filter(|u| u.mfa_enabled.is_none())
                    .count() as u32,
            ],
            cost: seat_price.map(|p| Cost {
                seat_price: p,
                idle_monthly: p * f64::from(idle_seats),
            }),
            units,
            users,
            ages: AGE_BUCKETS
                .iter()
                .map(|(l, _)| l.to_string())
                .chain(["no activity".to_string()])
                .zip(ages)
                .collect(),
        }
    }

    /// The idle users (inactive or never active), longest idle first.
    pub fn idle_users(&self) -> impl Iterator<Item = &UserView> {
        self.users.iter().take_while(|u| u.activity.is_idle())
    }
}

/// `part` of `whole` in whole percent (0 of nothing).
pub fn percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        0
    } else {
        ((u64::from(part) * 100 + u64::from(whole) / 2) / u64::from(whole)) as u32
    }
}
