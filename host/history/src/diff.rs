//! What changed between two runs: who joined, who left, who became idle,
//! who came back, and the seats gained or lost per unit. Pure: it compares
//! two snapshots and asks nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::model::{Activity, RunInfo, Snapshot, UserRow};

/// One person in a diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The user's stable id.
    pub user_id: String,
    /// The name to show.
    pub label: String,
    /// The email, when known.
    pub email: Option<String>,
    /// The verdict before (none for someone who joined).
    pub before: Option<Activity>,
    /// The verdict after (none for someone who left).
    pub after: Option<Activity>,
    /// The latest activity known, from the later run that has the user.
    pub last_active: Option<i64>,
    /// Its source.
    pub last_active_source: Option<String>,
    /// The units (keys) the user belongs to in that run.
    pub units: Vec<String>,
}

/// A unit's seats before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitChange {
    /// The unit's key.
    pub key: String,
    /// Seats in use before (none: the unit was not listed).
    pub used_before: Option<u32>,
    /// Seats in use after.
    pub used_after: Option<u32>,
    /// Idle seats before.
    pub idle_before: Option<u32>,
    /// Idle seats after.
    pub idle_after: Option<u32>,
}

impl UnitChange {
    /// Seats gained (positive) or lost (negative).
    pub fn seats_delta(&self) -> i64 {
        i64::from(self.used_after.unwrap_or(0)) - i64::from(self.used_before.unwrap_or(0))
    }
}

/// The changes from one run to a later one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The earlier run.
    pub before: RunInfo,
    /// The later run.
    pub after: RunInfo,
    /// People in the later run only.
    pub joined: Vec<Change>,
    /// People in the earlier run only (empty when the later run is partial:
    /// a partial listing misses people who are still there).
    pub left: Vec<Change>,
    /// Not idle before, idle (inactive or never active) after.
    pub became_idle: Vec<Change>,
    /// Idle before, active after.
    pub came_back: Vec<Change>,
    /// Seats per unit, by key.
    pub units: Vec<UnitChange>,
    /// Why some changes were not computed (a partial run), when they were not.
    pub caveats: Vec<String>,
}

fn change(
    snap: &Snapshot,
    u: &UserRow,
    before: Option<Activity>,
    after: Option<Activity>,
) -> Change {
    let mut units: Vec<String> = u
        .memberships
        .iter()
        .map(|m| snap.unit_key(&m.unit_id).to_string())
        .collect();
    units.sort();
    Change {
        user_id: u.id.clone(),
        label: u.label().to_string(),
        email: u.email.clone(),
        before,
        after,
        last_active: u.last_active,
        last_active_source: u.last_active_source.clone(),
        units,
    }
}

/// Compares `before` with `after`. Verdict changes (became idle, came back)
/// need both runs complete; departures need the later one complete. What
/// was not compared is said in [`Diff::caveats`].
pub fn diff(before: &Snapshot, after: &Snapshot) -> Diff {
    let old: HashMap<&str, &UserRow> = before.users.iter().map(|u| (u.id.as_str(), u)).collect();
    let new: HashMap<&str, &UserRow> = after.users.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut caveats = Vec::new();
    let verdicts = before.run.complete && after.run.complete;
    if !verdicts {
        let partial: Vec<String> = [&before.run, &after.run]
            .iter()
            .filter(|r| !r.complete)
            .map(|r| format!("run {}", r.id))
            .collect();
        caveats.push(format!(
            "{} is partial: nobody is called idle or back from a partial listing",
            partial.join(" and ")
        ));
    }
    let mut d = Diff {
        before: before.run.clone(),
        after: after.run.clone(),
        joined: Vec::new(),
        left: Vec::new(),
        became_idle: Vec::new(),
        came_back: Vec::new(),
        units: Vec::new(),
        caveats,
    };
    for u in &after.users {
        match old.get(u.id.as_str()) {
            None => d.joined.push(change(after, u, None, Some(u.activity))),
            Some(was) if verdicts => {
                let (b, a) = (was.activity, u.activity);
                if !b.is_idle() && a.is_idle() {
                    d.became_idle.push(change(after, u, Some(b), Some(a)));
                } else if b.is_idle() && a == Activity::Active {
                    d.came_back.push(change(after, u, Some(b), Some(a)));
                }
            }
            Some(_) => {}
        }
    }
    if after.run.complete {
        d.left = before
            .users
            .iter()
            .filter(|u| !new.contains_key(u.id.as_str()))
            .map(|u| change(before, u, Some(u.activity), None))
            .collect();
    } else {
        d.caveats.push(format!(
            "run {} is partial: nobody is said to have left",
            after.run.id
        ));
    }
    for list in [
        &mut d.joined,
        &mut d.left,
        &mut d.became_idle,
        &mut d.came_back,
    ] {
        list.sort_by(|a, b| {
            a.label
                .cmp(&b.label)
                .then_with(|| a.user_id.cmp(&b.user_id))
        });
    }
    let keys: BTreeSet<&str> = before
        .units
        .iter()
        .chain(&after.units)
        .map(|u| u.key.as_str())
        .collect();
    let by_key = |s: &Snapshot| -> BTreeMap<String, (u32, u32)> {
        s.units
            .iter()
            .map(|u| (u.key.clone(), (u.used, u.idle)))
            .collect()
    };
    let (b, a) = (by_key(before), by_key(after));
    d.units = keys
        .into_iter()
        .map(|k| UnitChange {
            key: k.to_string(),
            used_before: b.get(k).map(|x| x.0),
            used_after: a.get(k).map(|x| x.0),
            idle_before: b.get(k).map(|x| x.1),
            idle_after: a.get(k).map(|x| x.1),
        })
        .collect();
    d
}
