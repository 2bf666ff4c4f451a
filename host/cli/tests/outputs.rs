//! The machine-readable outputs against data that breaks naive writers:
//! CSV that parses back and never runs in a spreadsheet, SCIM that keeps
//! RFC 7643's rules, and JSON in one style (kebab-case values, RFC 3339
//! times).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::process::Output;

use fake_bitbucket::{AWKWARD_NAMES, FakeBitbucket, FakeConfig};
use serde_json::Value;

fn awkward_fake() -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 40,
        awkward_names: true,
        ..FakeConfig::default()
    })
    .unwrap()
}

fn sync(fake: &FakeBitbucket, format: &str) -> Output {
    let home = tempfile::tempdir().unwrap();
    let out = common::cmd(fake, home.path())
        .args(["sync", "--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Display names by user id, from the JSON output (which carries them
/// unchanged).
fn names(fake: &FakeBitbucket) -> BTreeMap<String, String> {
    let doc: Value = serde_json::from_slice(&sync(fake, "json").stdout).unwrap();
    doc["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_string(),
                u["display_name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn csv_parses_back_exactly_and_neutralises_formulas() {
    let fake = awkward_fake();
    let truth = names(&fake);
    let out = sync(&fake, "csv");
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, display) = (column("id"), column("display_name"));
    let mut seen = BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        assert_eq!(row.len(), headers.len());
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
        seen.insert(row[id].to_string(), row[display].to_string());
    }
    assert_eq!(seen.len(), truth.len(), "one row per user");
    let mut neutralised = 0;
    for (user, name) in &truth {
        let cell = &seen[user];
        if name.starts_with(['=', '+', '-', '@']) {
            assert_eq!(cell, &format!("'{name}"));
            neutralised += 1;
        } else {
            assert_eq!(
                cell, name,
                "commas, quotes, line breaks and non-ASCII survive"
            );
        }
    }
    assert!(neutralised > 0, "the data had formulas");
    for hostile in [",", "\"", "\n", "ë", "李"] {
        assert!(
            truth.values().any(|n| n.contains(hostile)),
            "the data had {hostile:?}"
        );
    }
    assert!(AWKWARD_NAMES.iter().all(|a| {
        let first = a.split_whitespace().next().unwrap();
        truth.values().any(|n| n.starts_with(first))
    }));
}

/// RFC 7643 section 2.1: `ATTRNAME = ALPHA *(nameChar)`.
fn is_attribute_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$')
}

#[test]
fn scim_keeps_rfc_7643s_rules() {
    let fake = awkward_fake();
    let doc: Value = serde_json::from_slice(&sync(&fake, "scim").stdout).unwrap();
    assert_eq!(
        doc["schemas"],
        serde_json::json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    let resources = doc["Resources"].as_array().unwrap();
    assert_eq!(doc["totalResults"].as_u64(), Some(resources.len() as u64));
    assert_eq!(doc["startIndex"].as_u64(), Some(1));
    let (mut ids, mut user_names) = (HashSet::new(), HashSet::new());
    for r in resources {
        let schemas: BTreeSet<&str> = r["schemas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert!(schemas.contains("urn:ietf:params:scim:schemas:core:2.0:User"));
        for key in r.as_object().unwrap().keys() {
            // Extension attributes sit under their schema's URN, which the
            // resource must list (section 3).
            if key.starts_with("urn:") {
                assert!(schemas.contains(key.as_str()), "{key} is not in schemas");
            } else {
                assert!(is_attribute_name(key), "{key:?} is no attribute name");
            }
        }
        let id = r["id"].as_str().unwrap();
        assert!(
            !id.is_empty() && ids.insert(id.to_string()),
            "ids are unique"
        );
        // userName is required and unique, case-insensitively (4.1.1).
        let user_name = r["userName"].as_str().unwrap();
        assert!(
            !user_name.is_empty() && user_names.insert(user_name.to_lowercase()),
            "userName {user_name:?} is not unique"
        );
        assert!(r["active"].is_boolean());
        assert_eq!(r["meta"]["resourceType"], "User");
        if let Some(created) = r["meta"]["created"].as_str() {
            assert!(
                time::OffsetDateTime::parse(
                    created,
                    &time::format_description::well_known::Rfc3339
                )
                .is_ok()
            );
        }
        for email in r["emails"].as_array().into_iter().flatten() {
            assert!(email["value"].as_str().is_some_and(|e| e.contains('@')));
        }
        for group in r["groups"].as_array().unwrap() {
            assert!(group["value"].is_string());
            assert!(
                matches!(group["type"].as_str(), Some("direct" | "indirect")),
                "group type {:?} is not one of RFC 7643's",
                group["type"]
            );
        }
    }
}

/// Every value under `key` anywhere in `v`.
fn values_at<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == key {
                    out.push(v);
                }
                values_at(v, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| values_at(v, key, out)),
        _ => {}
    }
}

#[test]
fn json_and_ndjson_speak_kebab_case_values_and_rfc_3339_times() {
    let fake = awkward_fake();
    let json: Value = serde_json::from_slice(&sync(&fake, "json").stdout).unwrap();
    let ndjson: Vec<Value> = String::from_utf8(sync(&fake, "ndjson").stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for doc in std::iter::once(&json).chain(&ndjson) {
        for key in ["kind", "state", "level", "activity"] {
            let mut found = Vec::new();
            values_at(doc, key, &mut found);
            for v in found {
                let s = v.as_str().unwrap();
                assert!(
                    s.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                    "{key}: {s:?}"
                );
            }
        }
        for key in ["as_of", "at", "added_at", "created_at", "last_active"] {
            let mut found = Vec::new();
            values_at(doc, key, &mut found);
            for v in found.into_iter().filter(|v| !v.is_null()) {
                let s = v.as_str().unwrap_or_else(|| panic!("{key}: {v}"));
                assert!(
                    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                        .is_ok(),
                    "{key}: {s:?}"
                );
            }
        }
    }
    assert_eq!(json["summary"]["units"][0]["unit"]["kind"], "workspace");
}
