//! Checks of `list-users`: exactness, resume, paging traps, faults.

use std::time::Duration;

use fake_bitbucket::{BodyFault, Faults, NextFault};

use super::Outcome;
use super::kit::{self, Listed, seen};
use saas_runtime::latest::{ConnectorError, SettingValue};
use saas_runtime::merge::Merger;
use saas_runtime::settings::set_setting;
use saas_runtime::{Connector, HostError};

/// A plain listing under the kit's CPU and memory limits.
pub fn sandbox_limits(c: &Connector) -> Outcome {
    let fake = kit::fake(3, 120)?;
    let (io, _) = kit::io(&fake);
    let cfg = kit::config(c, &kit::settings(&fake))?;
    let session = kit::session(c, &io, &cfg)?;
    match kit::list(c, &io, &cfg, &session, None) {
        Listed::Host(e @ (HostError::CpuBudgetExceeded(_) | HostError::MemoryLimitExceeded(_))) => {
            Err(format!("the sandbox stopped the connector: {e}"))
        }
        _ => Ok("a 3 x 120 listing stayed within 3 s of CPU and 128 MiB per call".into()),
    }
}

/// Complete and exact over page-size boundaries.
pub fn exact(c: &Connector) -> Outcome {
    let mut total = 0;
    for members in [0, 1, 99, 100, 101] {
        let fake = kit::fake(3, members)?;
        let (io, _) = kit::io(&fake);
        let users = kit::list_all(c, &io, &kit::settings(&fake))?.users;
        let truth = fake.truth();
        let got = seen(&users);
        if got != truth.users {
            let listed: usize = got.values().map(|w| w.len()).sum();
            return Err(format!(
                "3 x {members}: listed {listed} memberships of {} users, the truth is {} of {}",
                got.len(),
                truth.memberships,
                truth.unique_users
            ));
        }
        total += truth.memberships;
    }
    Ok(format!(
        "3 workspaces x 0, 1, 99, 100, 101 members: all {total} memberships, no gaps, no extras"
    ))
}

/// Resuming from every cursor ends with the same users as an uninterrupted run.
pub fn resume(c: &Connector) -> Outcome {
    let fake = kit::fake(3, 45)?;
    let (io, _) = kit::io(&fake);
    let mut settings = kit::settings(&fake);
    set_setting(&mut settings, "page-size", SettingValue::U32(10));
    set_setting(&mut settings, "max-requests-per-step", SettingValue::U32(4));
    let cfg = kit::config(c, &settings)?;
    let session = kit::session(c, &io, &cfg)?;
    let mut steps = Vec::new();
    let listed = kit::list_observed(c, &io, &cfg, &session, None, &mut |step| {
        steps.push((step.cursor.map(String::from), step.page.users.clone()))
    });
    match listed {
        Listed::Done { .. } => {}
        Listed::Endless => {
            return Err(format!(
                "the listing did not end within {} calls (is the cursor ignored?)",
                kit::MAX_STEPS
            ));
        }
        other => {
            return Err(format!(
                "an uninterrupted listing {}",
                kit::describe(&other)
            ));
        }
    }
    let whole = {
        let mut m = Merger::default();
        steps
            .iter()
            .for_each(|(_, u)| m.add(u.clone(), vec![], vec![]));
        seen(&m.finish().users)
    };
    for i in 1..steps.len() {
        let mut m = Merger::default();
        steps[..i]
            .iter()
            .for_each(|(_, u)| m.add(u.clone(), vec![], vec![]));
        match kit::list(c, &io, &cfg, &session, steps[i].0.clone()) {
            Listed::Done { listing, .. } => {
                m.add(listing.users.to_vec(), listing.units, listing.coverage)
            }
            other => {
                return Err(format!(
                    "resumed from cursor {i}: {}",
                    kit::describe(&other)
                ));
            }
        }
        if seen(&m.finish().users) != whole {
            return Err(format!(
                "resumed from cursor {i} of {}: a different result",
                steps.len()
            ));
        }
    }
    Ok(format!(
        "resumed from each of {} cursors: the same {} users",
        steps.len().saturating_sub(1),
        whole.len()
    ))
}

/// Follows `next` links (no counts) under a fault.
fn follow_with(
    c: &Connector,
    fault: NextFault,
) -> Result<(Listed, fake_bitbucket::FakeBitbucket, saas_runtime::Io), String> {
    let fake = kit::fake_with(1, 35, |f| f.page_counts = false)?;
    let (io, _) = kit::io(&fake);
    let mut settings = kit::settings(&fake);
    // Small pages and steps, so a connector that loops is caught quickly.
    set_setting(&mut settings, "page-size", SettingValue::U32(10));
    set_setting(
        &mut settings,
        "max-requests-per-step",
        SettingValue::U32(10),
    );
    let cfg = kit::config(c, &settings)?;
    let session = kit::session(c, &io, &cfg)?;
    let fault = match fault {
        NextFault::Foreign(_) => NextFault::Foreign(fake.foreign_base_url()),
        other => other,
    };
    fake.set_faults(Faults {
        next: fault,
        ..Faults::default()
    });
    let listed = kit::list(c, &io, &cfg, &session, None);
    Ok((listed, fake, io))
}

/// A repeated `next` ends in an error, not a loop.
pub fn repeat(c: &Connector) -> Outcome {
    let (listed, fake, _) = follow_with(c, NextFault::Repeat)?;
    let requests = fake.requests().len();
    match listed {
        Listed::Failed(e) => Ok(format!(
            "stopped after {requests} requests with {}",
            e.describe()
        )),
        Listed::Endless => Err(format!(
            "still following after {} calls and {requests} requests",
            kit::MAX_STEPS
        )),
        other => Err(format!("a repeated next link: {}", kit::describe(&other))),
    }
}

/// A `next` to a foreign host is refused by the connector itself.
pub fn foreign(c: &Connector) -> Outcome {
    let (listed, fake, io) = follow_with(c, NextFault::Foreign(String::new()))?;
    let denied = io.egress.counts().denied;
    let reached = fake.foreign_requests().len();
    if reached > 0 {
        return Err(format!("{reached} requests reached the foreign host"));
    }
    if denied > 0 {
        return Err(format!(
            "the connector tried to follow a next link to a foreign host; the host denied {denied} requests"
        ));
    }
    match listed {
        Listed::Failed(e) => Ok(format!("refused without a request: {}", e.describe())),
        other => Err(format!("a foreign next link: {}", kit::describe(&other))),
    }
}

/// 429 and 5xx are survived with the host's retries; a storm is a typed rate limit.
pub fn rate_limits(c: &Connector) -> Outcome {
    let fake = kit::fake(3, 150)?;
    let (io, _) = kit::io(&fake);
    let settings = kit::settings(&fake);
    let cfg = kit::config(c, &settings)?;
    let baseline = kit::list_all(c, &io, &settings)?.users;
    fake.set_faults(Faults {
        rate_limit_every: Some(3),
        server_error_every: Some((5, 503)),
        ..Faults::default()
    });
    let faulty = kit::list_all(c, &io, &settings)
        .map_err(|e| format!("with 429s and 503s: {e}"))?
        .users;
    if seen(&faulty) != seen(&baseline) {
        return Err("with 429s and 503s the result differs".into());
    }
    let session = kit::session(c, &io, &cfg)?;
    fake.set_faults(Faults {
        rate_limit_for: Some(Duration::from_secs(2)),
        retry_after: Some(2),
        ..Faults::default()
    });
    match c.list_users(&io, &cfg, &session, None) {
        Ok(Err(ConnectorError::RateLimited(r))) => Ok(format!(
            "retried {} times to the same result; a 429 storm gave rate-limited (retry-after hint: {:?})",
            io.egress.counts().retries,
            r.retry_after
        )),
        Ok(Err(e)) => Err(format!(
            "a 429 storm gave {}, not rate-limited",
            e.describe()
        )),
        Ok(Ok(_)) => Err("a 429 storm gave a page".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// An access token expiring mid-listing is refreshed once.
pub fn token_refresh(c: &Connector) -> Outcome {
    let fake = kit::fake(3, 250)?;
    let (io, _) = kit::io(&fake);
    let settings = kit::settings(&fake);
    let cfg = kit::config(c, &settings)?;
    let baseline = kit::list_all(c, &io, &settings)?.users;
    let session = kit::session(c, &io, &cfg)?;
    fake.set_faults(Faults {
        expire_tokens_after: Some(4),
        ..Faults::default()
    });
    match kit::list(c, &io, &cfg, &session, None) {
        Listed::Done {
            listing,
            refreshes: 1,
            ..
        } if seen(&listing.users) == seen(&baseline) => {
            Ok("the token expired mid-listing: refreshed once, same result".into())
        }
        Listed::Done { refreshes, .. } => Err(format!(
            "finished with {refreshes} refreshes or another result"
        )),
        other => Err(format!(
            "after the token expired: {}",
            kit::describe(&other)
        )),
    }
}

/// Malformed, HTML, empty, wrongly typed and non-UTF-8 bodies give typed errors.
pub fn malformed(c: &Connector) -> Outcome {
    let faults = [
        BodyFault::MalformedJson,
        BodyFault::Html,
        BodyFault::Empty,
        BodyFault::WrongTypes,
        BodyFault::NotUtf8,
    ];
    let mut kinds = Vec::new();
    for body in faults {
        let fake = kit::fake(1, 10)?;
        let (io, _) = kit::io(&fake);
        let settings = kit::settings(&fake);
        let cfg = kit::config(c, &settings)?;
        let session = kit::session(c, &io, &cfg)?;
        fake.set_faults(Faults {
            body,
            ..Faults::default()
        });
        match kit::list(c, &io, &cfg, &session, None) {
            Listed::Failed(e) => kinds.push(e.kind()),
            other => return Err(format!("{body:?} body: {}", kit::describe(&other))),
        }
    }
    Ok(format!(
        "5 corrupt bodies gave typed errors: {}",
        kinds.join(", ")
    ))
}
