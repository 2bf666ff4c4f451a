//! The HTML report: the overview and the history's trend rendered through
//! one template (minijinja, with HTML escaping on), the charts inlined.

use minijinja::value::Serde;
use minijinja::{Environment, context};
use saas_history::{RunInfo, Snapshot};
use serde::Serialize;

use crate::charts::{self, ChartError};
use crate::overview::{Overview, percent};
use crate::when;

const TEMPLATE: &str = include_str!("../templates/report.html");

/// The report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A chart failed.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// The template failed (a bug: it is compiled in).
    #[error("rendering the report: {0}")]
    Template(#[from] minijinja::Error),
}

/// A user row with its times already in the reader's zone.
#[derive(Serialize)]
struct IdleRow<'a> {
    label: &'a str,
    email: Option<&'a str>,
    activity: &'static str,
    last_active: String,
    idle_days: String,
    source: &'a str,
    units: String,
    reason: &'a str,
}

/// A run of the trend table.
#[derive(Serialize)]
struct TrendRow {
    id: i64,
    when: String,
    used: u32,
    idle: u32,
    people: u32,
    complete: bool,
}

/// Renders the report of `snap`; `history` is every run of its source
/// (for the trend), `seat_price` prices idle seats, `version` names the
/// host that made it.
pub fn render(
    snap: &Snapshot,
    history: &[RunInfo],
    seat_price: Option<f64>,
    version: &str,
) -> Result<String, ReportError> {
    let o = Overview::of(snap, seat_price);
    let tz = when::zone();
    let idle: Vec<IdleRow<'_>> = o
        .idle_users()
        .map(|u| IdleRow {
            label: &u.label,
            email: u.email.as_deref(),
            activity: u.activity.as_str(),
            last_active: u.last_active.map_or("never".into(), |t| when::day(t, &tz)),
            idle_days: u.idle_days.map_or("-".into(), |d| d.to_string()),
            source: u.source.as_deref().unwrap_or("-"),
            units: u.units.join(", "),
            reason: &u.reason,
        })
        .collect();
    let trend: Vec<TrendRow> = history
        .iter()
        .map(|r| TrendRow {
            id: r.id,
            when: when::minute(r.as_of, &tz),
            used: r.seats_used,
            idle: r.seats_idle,
            people: r.people,
            complete: r.complete,
        })
        .collect();
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    let page = env.get_template("report.html")?.render(context! {
        o => Serde(&o),
        version => version,
        as_of => when::minute(o.as_of, &tz),
        idle_percent => percent(o.idle_seats, o.seats_used),
        evidence_percent => percent(o.with_evidence, o.people),
        extra_memberships => o.memberships.saturating_sub(o.people),
        cost => Serde(o.cost.map(|c| (format!("{:.2}", c.idle_monthly), format!("{:.2}", c.seat_price)))),
        idle => Serde(idle),
        trend => Serde(trend),
        seats_svg => charts::seats(&o)?,
        activity_svg => charts::activity(&o)?,
        ages_svg => charts::ages(&o)?,
        trend_svg => charts::trend(history)?,
    })?;
    Ok(page)
}
