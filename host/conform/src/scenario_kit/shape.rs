//! The component's shape: its world, its `info`, the hosts it may reach.

use super::{Miss, Outcome, Subject};
use crate::kit::Listed;

/// The component's imports and exports fit its contract version's world:
/// the contract's interfaces and functions, and no WASI interface outside
/// `saas_runtime::contract::ALLOWED_WASI`.
pub fn world_types(s: &Subject<'_>) -> Outcome {
    let c = s.c;
    let mismatches = saas_runtime::contract::world_mismatches(c.surface(), c.contract_version());
    if !mismatches.is_empty() {
        return Err(Miss::Fail(mismatches.join("; ")));
    }
    Ok(format!(
        "{} imports and {} exports fit saas:connector@{} (WASI only from {})",
        c.surface().imports.len(),
        c.surface().exports.len(),
        c.contract_version(),
        saas_runtime::contract::ALLOWED_WASI.join(" ")
    ))
}

/// `info` is well formed (semver, kebab-case names, typed defaults, slots
/// that accept a kind) and names the scenario's connector.
pub fn info(s: &Subject<'_>) -> Outcome {
    let i = s.c.info();
    let mut problems = crate::shape::info_problems(s.c);
    if i.name != s.scenario.file.connector {
        problems.push(format!(
            "it is {:?}, the scenario is for {:?}",
            i.name, s.scenario.file.connector
        ));
    }
    if !problems.is_empty() {
        return Err(Miss::Fail(problems.join("; ")));
    }
    Ok(format!(
        "{} {} (contract {}), {} settings, {} credential slots",
        i.name,
        i.version,
        i.contract_version,
        i.settings.len(),
        i.credential_slots.len()
    ))
}

/// A whole listing reaches only the origins of the connector's own URL
/// settings: no attempt is denied, and every attempt that left went there.
pub fn declared_hosts(s: &Subject<'_>) -> Outcome {
    let b = s.bench()?;
    let config = b.config()?;
    let session = b.session(&config)?;
    let listed = b.list(&config, &session);
    let denied = b.egress.counts().denied;
    if denied > 0 {
        return Err(Miss::Fail(format!(
            "{denied} requests went to hosts outside the connector's URL settings"
        )));
    }
    if !matches!(listed, Listed::Done { .. }) {
        return Err(Miss::Skip(format!(
            "the listing {} (see fields-fidelity)",
            crate::kit::describe(&listed)
        )));
    }
    let origin = b.replay.origin();
    let sent = b.requests();
    if let Some(x) = sent.iter().find(|x| !x.url.starts_with(origin)) {
        return Err(Miss::Fail(format!(
            "{} left for another origin",
            x.describe()
        )));
    }
    Ok(format!(
        "all {} requests of a listing went to {origin}, none denied",
        sent.len()
    ))
}
