//! Unit filters: the scenario's `[[filters]]` settings narrow a listing to
//! the units each names, and a cursor does not carry a listing across them.

use serde_json::Value;

use super::{Miss, Outcome, Subject, truth};
use crate::kit::{self, Listed};
use crate::scenario::Filter;

/// The truth with only the memberships of `units`, and only the users who
/// keep one.
fn narrowed(truth: Vec<Value>, units: &[String]) -> Vec<Value> {
    truth
        .into_iter()
        .filter_map(|mut user| {
            let memberships = user.get_mut("memberships")?.as_array_mut()?;
            memberships.retain(|m| {
                m["unit"]["key"]
                    .as_str()
                    .is_some_and(|k| units.iter().any(|u| u == k))
            });
            (!memberships.is_empty()).then_some(user)
        })
        .collect()
}

/// One filter: the listing under its settings equals the narrowed truth
/// and describes no other unit.
fn one(s: &Subject<'_>, filter: &Filter) -> Result<String, Miss> {
    let b = s.bench()?;
    let settings = b.settings_with(&filter.settings)?;
    let config =
        b.c.config(&settings)
            .map_err(|e| Miss::Skip(format!("the filter's settings: {e}")))?;
    let session = b.session(&config)?;
    let listing = match b.list(&config, &session) {
        Listed::Done { listing, .. } => listing,
        other => {
            return Err(Miss::Fail(format!(
                "with {:?}, the listing {}",
                filter.settings,
                kit::describe(&other)
            )));
        }
    };
    if let Some(unit) = listing
        .units
        .iter()
        .find(|u| !filter.units.contains(&u.unit.key))
    {
        return Err(Miss::Fail(format!(
            "with {:?}, the listing describes the unit {}",
            filter.settings, unit.unit.key
        )));
    }
    let want = narrowed(b.truth().to_vec(), &filter.units);
    let matched = truth::compare(&listing.users, &want)
        .map_err(|why| format!("with {:?}: {why}", filter.settings))?;
    Ok(format!(
        "{:?} leaves {:?}: {matched}",
        filter.settings, filter.units
    ))
}

/// Each `[[filters]]` entry's listing holds exactly the truth's users and
/// memberships of its units, every field equal, and describes no other
/// unit.
pub fn units(s: &Subject<'_>) -> Outcome {
    if s.scenario.file.filters.is_empty() {
        return Err(Miss::Skip("the scenario has no [[filters]]".into()));
    }
    let evidence = s
        .scenario
        .file
        .filters
        .iter()
        .map(|f| one(s, f))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(evidence.join("; "))
}
