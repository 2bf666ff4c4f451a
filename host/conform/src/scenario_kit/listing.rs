//! The plain listing: every field against the truth, pure calls, cursors.

use saas_runtime::latest::{Capability, Listing, Policy};
use saas_runtime::listing::{self, LoopOptions, Start};

use super::auth::{expect_kind, no_requests};
use super::{Miss, Outcome, Subject, truth};
use crate::kit::{self, Listed};

/// A whole listing yields every user and membership of the truth, each
/// field equal, and nothing else.
pub fn fidelity(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let config = b.config()?;
    let session = b.session(&config)?;
    match b.list(&config, &session) {
        Listed::Done { listing, steps, .. } => {
            let matched = truth::compare(&listing.users, b.truth())?;
            Ok(format!("{matched}, in {steps} steps"))
        }
        other => Err(Miss::Fail(format!("the listing {}", kit::describe(&other)))),
    }
}

/// The truth as a contract listing, for `compute-status`.
pub fn truth_listing(b: &super::Bench<'_>) -> Result<Listing, Miss> {
    let config = b.config()?;
    let session = b.session(&config)?;
    match b.list(&config, &session) {
        Listed::Done { listing, .. } => Ok(Listing {
            users: listing.users.to_vec(),
            units: listing.units,
            coverage: listing.coverage,
            complete: true,
        }),
        other => Err(Miss::Skip(format!(
            "the listing {} (see fields-fidelity)",
            kit::describe(&other)
        ))),
    }
}

/// `compute-status` makes no request (nor does loading `info`).
pub fn pure_calls(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let listing = truth_listing(&b)?;
    b.faults.reset();
    let policy = Policy {
        as_of: 1_796_083_200,
        inactive_after_days: 90,
        purchased_seats: None,
    };
    let before = b.egress.counts();
    match s.c.compute_status(&b.io, &listing, policy) {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(Miss::Skip(format!("compute-status: {}", e.describe()))),
        Err(e) => return Err(Miss::Fail(format!("compute-status: {e}"))),
    }
    no_requests(&b, "compute-status")?;
    let after = b.egress.counts();
    if after.denied > before.denied {
        return Err(Miss::Fail(format!(
            "compute-status asked for {} requests, which the host denied",
            after.denied - before.denied
        )));
    }
    Ok(format!(
        "compute-status of {} users made no request",
        listing.users.len()
    ))
}

/// With `resumable-listing` declared, resuming from each cursor with a new
/// session ends with the truth's memberships.
pub fn resume(s: &Subject<'_>) -> Outcome {
    if !s.c.info().has(Capability::ResumableListing) {
        return Err(Miss::Skip("resumable-listing is not declared".into()));
    }
    let b = s.bench()?;
    let (config, session) = b.control()?;
    let mut cursors = Vec::new();
    let mut pages = Vec::new();
    let first = kit::list_observed(s.c, &b.io, &config, &session, None, &mut |step| {
        cursors.extend(step.page.next_cursor.clone());
        pages.push(step.page.users.clone());
    });
    if !matches!(first, Listed::Done { .. }) {
        return Err(Miss::Skip(format!("the listing {}", kit::describe(&first))));
    }
    for (i, cursor) in cursors.iter().enumerate() {
        let fresh = b.session(&config)?;
        let mut merger = saas_runtime::merge::Merger::default();
        for users in &pages[..=i] {
            merger.add(users.clone(), Vec::new(), Vec::new());
        }
        let resumed = listing::run(
            s.c,
            &b.io,
            &config,
            fresh,
            Start::at(Some(cursor.clone())),
            &LoopOptions::strict(kit::MAX_STEPS as u32),
            None,
            &mut |step| merger.add(step.page.users.clone(), Vec::new(), Vec::new()),
        );
        if let Some(stop) = &resumed.stop {
            return Err(Miss::Fail(format!(
                "resuming after step {}: {}",
                i + 1,
                stop.describe()
            )));
        }
        truth::compare(&merger.finish().users, b.truth())
            .map_err(|why| Miss::Fail(format!("resuming after step {}: {why}", i + 1)))?;
    }
    Ok(format!(
        "resumed from each of {} cursors with a new session: the truth each time",
        cursors.len()
    ))
}

/// Cursors that are garbage, cut short, bit-flipped or made under other
/// settings give `invalid-cursor`, with no request and no trap.
pub fn cursor_invalid(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let (config, session) = b.control()?;
    let mut cursor = None;
    let _ = kit::list_observed(s.c, &b.io, &config, &session, None, &mut |step| {
        if cursor.is_none() {
            cursor = step.page.next_cursor.clone();
        }
    });
    let Some(cursor) = cursor else {
        return Err(Miss::Skip(
            "the listing has one step: no cursor to damage".into(),
        ));
    };
    let mut flipped = cursor.clone().into_bytes();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 1;
    let flipped = String::from_utf8_lossy(&flipped).into_owned();
    let mut cases = vec![
        ("garbage", "\u{1}not a cursor at all\u{7f}".to_string()),
        ("truncated", cursor[..cursor.len() / 2].to_string()),
        ("bit-flipped", flipped),
        ("empty", String::new()),
    ];
    // The same cursor under other settings (another origin).
    let other = other_bench(&b);
    for (what, bad) in cases.drain(..) {
        b.faults.reset();
        check_refused(&b, &config, &session, what, &bad)?;
    }
    if let Some((other_b, other_config, other_session)) = other {
        other_b.faults.reset();
        check_refused(
            &other_b,
            &other_config,
            &other_session,
            "from other settings",
            &cursor,
        )?;
    }
    Ok(
        "garbage, truncated, bit-flipped, empty and foreign cursors: invalid-cursor, no request"
            .into(),
    )
}

fn check_refused(
    b: &super::Bench<'_>,
    config: &saas_runtime::Config,
    session: &saas_runtime::Session,
    what: &str,
    bad: &str,
) -> Result<(), Miss> {
    match b.c.list_users(&b.io, config, session, Some(bad)) {
        Ok(Err(e)) => expect_kind(&e, "invalid-cursor")
            .map_err(|w| Miss::Fail(format!("a {what} cursor: {w}"))),
        Ok(Ok(_)) => Err(Miss::Fail(format!("a {what} cursor was taken"))),
        Err(e) => Err(Miss::Fail(format!("a {what} cursor: {e}"))),
    }?;
    no_requests(b, &format!("a {what} cursor"))
}

/// A second bench on another replay upstream (so other settings), signed
/// in, for cursors made elsewhere.
fn other_bench<'a>(
    b: &super::Bench<'a>,
) -> Option<(
    super::Bench<'a>,
    saas_runtime::Config,
    saas_runtime::Session,
)> {
    let other = super::Bench::new(b.c, &b.scenario).ok()?;
    let config = other.config().ok()?;
    let session = other.session(&config).ok()?;
    Some((other, config, session))
}

/// Every step of a fault-free listing sends at most the scenario's step
/// budget of requests, counted at the host's egress, and reports in its
/// `stats` exactly the requests the egress saw. The egress fetches nothing
/// ahead here (a host may ignore every `prefetch`), so each attempt
/// belongs to the step it falls in.
pub fn step_budget(s: &Subject<'_>) -> Outcome {
    let b = s.bench_without_prefetch()?;
    let config = b.config()?;
    let session = b.session(&config)?;
    let budget = s
        .scenario
        .file
        .kit
        .step_budget
        .unwrap_or(crate::scenario::DEFAULT_STEP_BUDGET);
    let mut seen = b.requests().len();
    // Per step: the attempts the egress saw, and the count it reported.
    let mut steps: Vec<(Vec<String>, u32)> = Vec::new();
    let listed = kit::list_observed(s.c, &b.io, &config, &session, None, &mut |step| {
        let all = b.requests();
        let sent = all[seen.min(all.len())..].iter().map(|x| x.describe());
        steps.push((sent.collect(), step.page.stats.requests));
        seen = all.len();
    });
    if !matches!(listed, Listed::Done { .. }) {
        return Err(Miss::Skip(format!(
            "the listing {} (see fields-fidelity)",
            kit::describe(&listed)
        )));
    }
    for (n, (sent, said)) in steps.iter().enumerate() {
        let seen = |why: String| {
            Miss::Fail(format!(
                "step {}: the egress saw {} requests, {why} ({})",
                n + 1,
                sent.len(),
                sent.join(", ")
            ))
        };
        if sent.len() > budget as usize {
            return Err(seen(format!("over the budget of {budget}")));
        }
        if sent.len() != *said as usize {
            return Err(seen(format!("the step reported {said}")));
        }
    }
    let most = steps.iter().map(|(sent, _)| sent.len()).max().unwrap_or(0);
    Ok(format!(
        "{} steps of at most {most} requests (budget {budget}), each reported exactly",
        steps.len()
    ))
}
