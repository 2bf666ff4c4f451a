//! The terminal's answer first: seats, idle seats and what they cost,
//! evidence coverage, then the units, then the people who are idle longest
//! (everyone with `--all`). Dates are in the local time zone, shown.

use std::io::Write;

use anyhow::Result;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use saas_report::when;
use saas_report::{Overview, UserView, percent};

/// Idle people shown without `--all`.
const TOP_IDLE: usize = 15;

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    t
}

fn people(users: &[&UserView], tz: &jiff::tz::TimeZone) -> Table {
    let mut t = table(&[
        "Person",
        "Activity",
        "Last active",
        "Days idle",
        "Source",
        "Units",
        "Evidence",
    ]);
    for u in users {
        t.add_row([
            match &u.email {
                Some(e) => format!("{} <{e}>", u.label),
                None => u.label.clone(),
            },
            u.activity.as_str().to_string(),
            u.last_active.map_or("never".into(), |t| when::day(t, tz)),
            u.idle_days.map_or("-".into(), |d| d.to_string()),
            u.source.clone().unwrap_or_else(|| "-".into()),
            u.units.join(", "),
            u.reason.clone(),
        ]);
    }
    t
}

fn seats_line(o: &Overview) -> String {
    let purchased = match o.seats_purchased {
        Some(p) if p >= o.seats_used => format!(" of {p} purchased ({} unused)", p - o.seats_used),
        Some(p) => format!(" of {p} purchased: OVER BY {}", o.seats_used - p),
        None => String::new(),
    };
    format!(
        "Seats: {} in use{purchased}; {} idle ({}%), {} of them never active",
        o.seats_used,
        o.idle_seats,
        percent(o.idle_seats, o.seats_used),
        o.never_active_seats
    )
}

/// Writes the summary of `o`; `all` lists everyone instead of the top
/// idle people.
pub fn write(out: &mut dyn Write, o: &Overview, all: bool) -> Result<()> {
    let tz = when::zone();
    writeln!(
        out,
        "{} ({}) as of {}: {}",
        o.connector,
        o.source,
        when::minute(o.as_of, &tz),
        if o.complete {
            "complete listing".to_string()
        } else {
            format!(
                "PARTIAL: {}; nobody is called idle",
                o.error.as_deref().unwrap_or("the listing stopped early")
            )
        }
    )?;
    writeln!(out, "{}", seats_line(o))?;
    if let Some(c) = o.cost {
        writeln!(
            out,
            "Idle seats cost {:.2} a month (at {:.2} a seat)",
            c.idle_monthly, c.seat_price
        )?;
    }
    writeln!(
        out,
        "People: {} in {} units ({} in several; {} memberships, {} more than people)",
        o.people,
        o.units.len(),
        o.multi_unit_people,
        o.memberships,
        o.memberships.saturating_sub(o.people)
    )?;
    let sources: Vec<String> = o
        .evidence_by_source
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    writeln!(
        out,
        "Evidence: {} of {} people ({}%) have activity data{}",
        o.with_evidence,
        o.people,
        percent(o.with_evidence, o.people),
        if sources.is_empty() {
            String::new()
        } else {
            format!(" ({})", sources.join(", "))
        }
    )?;
    let [active, inactive, never, unknown] = o.activity;
    writeln!(
        out,
        "Activity: {active} active, {inactive} inactive, {never} never active, {unknown} unknown \
         (idle after {} days); 2FA off for {} ({} unknown)",
        o.inactive_days, o.mfa_off[0], o.mfa_off[1]
    )?;
    let mut units = table(&[
        "Unit",
        "Seats",
        "Idle",
        "Idle %",
        "Never active",
        "Unknown",
        "Purchased",
        "Upstream count",
        "Activity sources",
    ]);
    for u in &o.units {
        units.add_row([
            u.key.clone(),
            u.used.to_string(),
            u.idle.to_string(),
            u.idle_percent.to_string(),
            u.never_active.to_string(),
            u.unknown.to_string(),
            u.purchased.map_or("-".into(), |p| p.to_string()),
            u.reported_used.map_or("-".into(), |n| n.to_string()),
            if u.sources.is_empty() {
                "none".into()
            } else {
                u.sources.join(", ")
            },
        ]);
    }
    writeln!(out, "{units}")?;
    for u in &o.units {
        if let Some(reported) = u.reported_used.filter(|&n| n != u.used) {
            writeln!(
                out,
                "{}: the upstream counts {reported} seats in use, the listing {}: {} {} (users \
                 changed during the listing, or a seat path the connector cannot see)",
                u.key,
                u.used,
                reported.abs_diff(u.used),
                if reported > u.used {
                    "more upstream"
                } else {
                    "fewer upstream"
                }
            )?;
        }
    }
    let idle: Vec<&UserView> = o.idle_users().collect();
    if all {
        let everyone: Vec<&UserView> = o.users.iter().collect();
        writeln!(
            out,
            "Everyone ({}), idle first, longest idle first:",
            everyone.len()
        )?;
        writeln!(out, "{}", people(&everyone, &tz))?;
    } else if idle.is_empty() {
        writeln!(
            out,
            "Nobody is idle. `--all` lists everyone ({}).",
            o.users.len()
        )?;
    } else {
        let top = &idle[..idle.len().min(TOP_IDLE)];
        writeln!(
            out,
            "Idle people, longest idle first ({} of {}; `--all` lists everyone):",
            top.len(),
            idle.len()
        )?;
        writeln!(out, "{}", people(top, &tz))?;
    }
    Ok(())
}
