//! A listing held to the scenario's truth, field by field: each user as
//! `saas-host sync` prints it (restyled), nulls dropped on both sides (a
//! truth may leave absent fields out), memberships and evidence in a fixed
//! order. The first difference is the evidence.

use serde_json::Value;

use saas_runtime::json_style::restyle;
use saas_runtime::roster::Roster;

/// Drops nulls and orders what has no order of its own.
pub fn normalise(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(normalise);
            for key in ["memberships", "evidence"] {
                if let Some(Value::Array(items)) = map.get_mut(key) {
                    items.sort_by_key(|v| v.to_string());
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

/// The first place where `got` and `want` differ, as a JSON path.
pub fn first_difference(got: &Value, want: &Value, at: &str) -> Option<String> {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let mut keys: Vec<&String> = g.keys().chain(w.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| match (g.get(k), w.get(k)) {
                (Some(a), Some(b)) => first_difference(a, b, &format!("{at}.{k}")),
                (a, b) => Some(format!(
                    "{at}.{k}: {} where the truth has {}",
                    a.map_or("nothing".into(), Value::to_string),
                    b.map_or("nothing".into(), Value::to_string)
                )),
            })
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => g
            .iter()
            .zip(w)
            .enumerate()
            .find_map(|(i, (a, b))| first_difference(a, b, &format!("{at}[{i}]"))),
        _ if got == want => None,
        _ => Some(format!("{at}: {got} where the truth has {want}")),
    }
}

/// Every listed user against the truth: `Ok` says how many matched.
pub fn compare(users: &Roster, truth: &[Value]) -> Result<String, String> {
    let mut got: Vec<Value> = users
        .iter()
        .map(|u| {
            let mut v = serde_json::to_value(&u).unwrap_or_default();
            restyle(&mut v);
            normalise(&mut v);
            v
        })
        .collect();
    got.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut want = truth.to_vec();
    want.iter_mut().for_each(normalise);
    let ids = |v: &[Value]| -> Vec<String> {
        v.iter()
            .map(|u| u["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let (got_ids, want_ids) = (ids(&got), ids(&want));
    if let Some(missing) = want_ids.iter().find(|id| !got_ids.contains(id)) {
        return Err(format!(
            "{} users listed where the truth has {}; {missing} is missing",
            got.len(),
            want.len()
        ));
    }
    if let Some(extra) = got_ids.iter().find(|id| !want_ids.contains(id)) {
        return Err(format!("{extra} is listed but not in the truth"));
    }
    if let Some(diff) = got
        .iter()
        .zip(&want)
        .find_map(|(g, w)| first_difference(g, w, g["id"].as_str().unwrap_or("?")))
    {
        return Err(diff);
    }
    let memberships: usize = want
        .iter()
        .map(|u| u["memberships"].as_array().map_or(0, Vec::len))
        .sum();
    Ok(format!(
        "all {} users and {memberships} memberships equal the truth, field by field",
        want.len()
    ))
}
