//! The standard `compute-status`: activity verdicts from evidence and
//! coverage, seats per billing unit, and reconciliation. Pure and
//! deterministic: the output depends only on the listing and the policy, and
//! every list in it is sorted. A connector gets it for free through
//! [`crate::Connector::compute_status`] and may override it.
//!
//! The rules, in order:
//! 1. a suspended or deactivated account is `inactive`;
//! 2. the latest evidence over all memberships within
//!    `inactive-after-days` of `as-of` is `active`, older is `inactive`;
//! 3. no evidence, but a source covers one of the user's units and the
//!    connector names no evidence gap for that membership: `never-active`;
//! 4. no evidence and a named gap: `unknown`, with the gap as the reason;
//! 5. otherwise `unknown`;
//! 6. when the listing is incomplete, any verdict but `active` becomes
//!    `unknown` (absence of evidence is not evidence).

use crate::{
    AccessLevel, AccountState, Activity, ActivityCounts, Listing, Membership, MfaCoverage, Policy,
    Reconciliation, SeatSummary, StatusReport, Timestamp, UnitSeats, User, UserStatus,
};

impl Activity {
    /// Whether the seat is idle (a reclamation candidate).
    pub fn is_idle(self) -> bool {
        matches!(self, Activity::Inactive | Activity::NeverActive)
    }
}

/// One user with memberships merged by unit id (first wins, evidence
/// united), in unit-id order.
struct Merged<'a> {
    user: &'a User,
    memberships: Vec<(&'a Membership, Vec<&'a crate::Evidence>)>,
}

/// Users merged by id, in id order. Sorted vectors rather than maps: the
/// same order, and a smaller component (every connector carries this).
fn merge(users: &[User]) -> Vec<Merged<'_>> {
    let mut order: Vec<&User> = users.iter().collect();
    // Stable: of several copies of a user, the first comes first.
    order.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out: Vec<Merged<'_>> = Vec::new();
    for user in order {
        let entry = match out.last_mut() {
            Some(last) if last.user.id == user.id => last,
            _ => {
                out.push(Merged {
                    user,
                    memberships: Vec::new(),
                });
                let at = out.len() - 1;
                &mut out[at]
            }
        };
        for m in &user.memberships {
            match entry
                .memberships
                .iter_mut()
                .find(|(seen, _)| seen.unit.id == m.unit.id)
            {
                Some(slot) => slot.1.extend(m.evidence.iter()),
                None => entry.memberships.push((m, m.evidence.iter().collect())),
            }
        }
    }
    for m in &mut out {
        m.memberships.sort_by(|a, b| a.0.unit.id.cmp(&b.0.unit.id));
    }
    out
}

/// Which sources covered which units: `(unit id, source)`, sorted, unique.
struct Covered<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Covered<'a> {
    fn new(coverage: &'a [crate::Coverage]) -> Self {
        let mut pairs: Vec<(&str, &str)> = coverage
            .iter()
            .map(|c| (c.unit_id.as_str(), c.source.as_str()))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        Covered(pairs)
    }

    /// The sources that covered `unit`, sorted.
    fn sources<'s>(&'s self, unit: &'s str) -> impl Iterator<Item = &'a str> + 's {
        let from = self.0.partition_point(|(u, _)| *u < unit);
        self.0[from..]
            .iter()
            .take_while(move |(u, _)| *u == unit)
            .map(|(_, s)| *s)
    }
}

/// A date as `YYYY-MM-DD` for reasons.
pub fn date(t: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| d.date().to_string())
        .unwrap_or_else(|_| t.to_string())
}

fn verdict(
    m: &Merged<'_>,
    covered: &Covered<'_>,
    policy: &Policy,
    last: Option<(Timestamp, &str)>,
) -> (Activity, String) {
    let status = &m.user.status;
    let upstream = status.upstream.as_deref().unwrap_or("none");
    match status.state {
        AccountState::Suspended => {
            return (
                Activity::Inactive,
                format!("the account is suspended (upstream status {upstream:?})"),
            );
        }
        AccountState::Deactivated => {
            return (
                Activity::Inactive,
                format!("the account is deactivated (upstream status {upstream:?})"),
            );
        }
        AccountState::Active | AccountState::Unknown => {}
    }
    let days = policy.inactive_after_days;
    if let Some((at, source)) = last {
        let threshold = i64::from(days) * 86_400;
        return if policy.as_of - at <= threshold {
            (
                Activity::Active,
                format!("last active {} ({source}), within {days} days", date(at)),
            )
        } else {
            (
                Activity::Inactive,
                format!("last active {} ({source}), over {days} days ago", date(at)),
            )
        };
    }
    // A membership with a known gap is seen by no source, covered or not.
    let covering = m.memberships.iter().find_map(|(ms, _)| {
        covered
            .sources(ms.unit.id.as_str())
            .next()
            .filter(|_| ms.evidence_gap.is_none())
            .map(|source| (ms.unit.key.as_str(), source))
    });
    let gap = m.memberships.iter().find_map(|(ms, _)| {
        ms.evidence_gap
            .as_deref()
            .map(|gap| (ms.unit.key.as_str(), gap))
    });
    match (covering, gap) {
        (Some((unit, source)), _) => (
            Activity::NeverActive,
            format!("{source} reports activity in {unit} but none for this user"),
        ),
        (None, Some((unit, gap))) => (Activity::Unknown, format!("in {unit}, {gap}")),
        (None, None) => (
            Activity::Unknown,
            "no source reports activity for this user's units".to_string(),
        ),
    }
}

/// Computes the report.
pub fn compute(listing: &Listing, policy: &Policy) -> StatusReport {
    let users = merge(&listing.users);
    let covered = Covered::new(&listing.coverage);
    // The last description of a unit with seat facts wins.
    let facts = |unit_id: &str| {
        listing
            .units
            .iter()
            .rev()
            .find(|u| u.unit.id == unit_id && u.seats.is_some())
            .and_then(|u| u.seats.as_ref())
    };

    let mut statuses = Vec::with_capacity(users.len());
    let mut counts = ActivityCounts {
        active: 0,
        inactive: 0,
        never_active: 0,
        unknown: 0,
    };
    let mut mfa = MfaCoverage {
        enabled: 0,
        disabled: 0,
        unknown: 0,
    };
    let mut per_unit: Vec<UnitSeats> = Vec::new();
    // `per_unit`'s positions by unit id, sorted by it.
    let mut unit_index: Vec<(&str, usize)> = Vec::new();
    let (mut membership_sum, mut unique, mut multi) = (0u32, 0u32, 0u32);

    for m in &users {
        let id = m.user.id.as_str();
        let last = m
            .memberships
            .iter()
            .flat_map(|(_, ev)| ev.iter())
            .map(|e| (e.at, e.source.as_str()))
            .max();
        let (mut activity, mut reason) = verdict(m, &covered, policy, last);
        if !listing.complete && activity != Activity::Active {
            reason = format!("the listing is incomplete; would be {activity:?}: {reason}");
            activity = Activity::Unknown;
        }
        match activity {
            Activity::Active => counts.active += 1,
            Activity::Inactive => counts.inactive += 1,
            Activity::NeverActive => counts.never_active += 1,
            Activity::Unknown => counts.unknown += 1,
        }
        match m.user.mfa_enabled {
            Some(true) => mfa.enabled += 1,
            Some(false) => mfa.disabled += 1,
            None => mfa.unknown += 1,
        }
        let mut units: Vec<String> = Vec::new();
        for (ms, _) in &m.memberships {
            let unit_id = ms.unit.id.as_str();
            // Found by binary search over the units seen: a linear scan
            // cost every membership a pass over up to every unit.
            let at = match unit_index.binary_search_by(|(id, _)| (*id).cmp(unit_id)) {
                Ok(found) => unit_index[found].1,
                Err(slot) => {
                    unit_index.insert(slot, (unit_id, per_unit.len()));
                    per_unit.push(UnitSeats {
                        unit: ms.unit.clone(),
                        used: 0,
                        purchased: facts(unit_id).and_then(|f| f.purchased),
                        reported_used: facts(unit_id).and_then(|f| f.used),
                        non_billable: 0,
                        admins: Vec::new(),
                        idle: 0,
                        covered_by: covered.sources(unit_id).map(String::from).collect(),
                    });
                    per_unit.len() - 1
                }
            };
            let seats = &mut per_unit[at];
            if matches!(ms.level, Some(AccessLevel::Admin | AccessLevel::Owner)) {
                seats.admins.push(id.to_string());
            }
            if !ms.billable {
                seats.non_billable += 1;
                continue;
            }
            seats.used += 1;
            if activity.is_idle() {
                seats.idle += 1;
            }
            units.push(ms.unit.key.clone());
        }
        units.sort();
        units.dedup();
        membership_sum += units.len() as u32;
        unique += u32::from(!units.is_empty());
        multi += u32::from(units.len() > 1);
        statuses.push(UserStatus {
            user_id: id.to_string(),
            display_name: m.user.display_name.clone(),
            email: m.user.email.clone(),
            activity,
            reason,
            last_active: last.map(|(at, _)| at),
            last_active_source: last.map(|(_, s)| s.to_string()),
            units,
            mfa_enabled: m.user.mfa_enabled,
        });
    }

    per_unit.sort_by(|a, b| (&a.unit.key, &a.unit.id).cmp(&(&b.unit.key, &b.unit.id)));
    // The units' own purchases add up only when every unit seen reports one.
    let reported: Option<u32> = if per_unit.is_empty() {
        None
    } else {
        per_unit.iter().map(|u| u.purchased).sum()
    };
    let purchased = policy.purchased_seats.or(reported);
    StatusReport {
        as_of: policy.as_of,
        users: statuses,
        counts,
        seats: SeatSummary {
            purchased,
            used: membership_sum,
            unused: purchased.and_then(|p| p.checked_sub(membership_sum)),
            used_exceeds_purchased: purchased.is_some_and(|p| membership_sum > p),
            unique_users: unique,
            per_unit,
        },
        reconciliation: Reconciliation {
            membership_sum,
            unique_users: unique,
            multi_unit_users: multi,
            extra_memberships: membership_sum - unique,
        },
        mfa,
    }
}
