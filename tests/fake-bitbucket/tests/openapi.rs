//! The fake's answers validate against the schemas of Atlassian's public
//! OpenAPI description of Bitbucket Cloud, for every endpoint it describes.
//! `/2.0/user/workspaces` (2026) and the 1.0 groups API are not in it.
//!
//! The schemas come from `fixtures/bitbucket-openapi-subset.json`: the
//! responses of the endpoints served and every schema they reference,
//! extracted from `../shared/reference/bitbucket-cloud-openapi.yml`; a test
//! checks the extract against that file whenever it is present.

use std::path::PathBuf;

use fake_bitbucket::{FakeBitbucket, FakeConfig};
use serde_json::Value;

fn spec() -> Value {
    serde_json::from_str(include_str!("fixtures/bitbucket-openapi-subset.json"))
        .expect("valid JSON")
}

#[test]
fn the_extract_matches_the_shared_openapi_description() {
    // `shared/` sits beside the repository (the workspace's parent folder).
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let found = manifest
        .ancestors()
        .map(|d| d.join("shared/reference/bitbucket-cloud-openapi.yml"))
        .find(|p| p.exists());
    let Some(path) = found else {
        eprintln!(
            "no shared/reference/bitbucket-cloud-openapi.yml above the crate: the committed extract is used as it is"
        );
        return;
    };
    let text = std::fs::read_to_string(&path).expect("the shared description reads");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
    let full = serde_json::to_value(yaml).expect("YAML as JSON");
    let extract = spec();
    for (name, schema) in extract["components"]["schemas"].as_object().unwrap() {
        assert_eq!(
            &full["components"]["schemas"][name], schema,
            "schema {name} drifted"
        );
    }
    for (path, item) in extract["paths"].as_object().unwrap() {
        assert_eq!(
            full["paths"][path]["get"]["responses"], item["get"]["responses"],
            "{path} drifted"
        );
    }
}

/// A small JSON Schema (OpenAPI 3.0 subset) validator: `$ref`, `allOf`,
/// `type`, `properties`, `required`, `additionalProperties: false`,
/// `items`, `enum`, `minimum` and `format: date-time`.
struct Validator {
    spec: Value,
}

impl Validator {
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let pointer = r.trim_start_matches('#');
                self.resolve(
                    self.spec
                        .pointer(pointer)
                        .unwrap_or_else(|| panic!("unresolved {r}")),
                )
            }
            None => schema,
        }
    }

    fn check(&self, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.check(s, v, at, errors);
            }
        }
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                _ => true,
            };
            if !ok {
                errors.push(format!("{at}: expected {t}, got {v}"));
                return;
            }
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array)
            && !values.contains(v)
        {
            errors.push(format!("{at}: {v} is not one of {values:?}"));
        }
        if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64())
            && n < min
        {
            errors.push(format!("{at}: {n} is below {min}"));
        }
        if schema.get("format").and_then(Value::as_str) == Some("date-time")
            && let Some(s) = v.as_str()
            && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .is_err()
        {
            errors.push(format!("{at}: {s:?} is not a date-time"));
        }
        if let Some(obj) = v.as_object() {
            let props = schema.get("properties").and_then(Value::as_object);
            for key in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let key = key.as_str().unwrap_or_default();
                if !obj.contains_key(key) {
                    errors.push(format!("{at}: missing required {key}"));
                }
            }
            if let Some(props) = props {
                for (k, sub) in props {
                    if let Some(child) = obj.get(k) {
                        self.check(sub, child, &format!("{at}.{k}"), errors);
                    }
                }
                if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
                    for k in obj.keys().filter(|k| !props.contains_key(*k)) {
                        errors.push(format!("{at}: {k} is not allowed"));
                    }
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
            for (i, item) in arr.iter().enumerate() {
                self.check(items, item, &format!("{at}[{i}]"), errors);
            }
        }
    }

    fn validate(&self, schema_name: &str, v: &Value) {
        let schema = self.spec["components"]["schemas"][schema_name].clone();
        assert!(!schema.is_null(), "no schema {schema_name}");
        let mut errors = Vec::new();
        self.check(&schema, v, schema_name, &mut errors);
        assert!(errors.is_empty(), "{schema_name}: {errors:#?}");
    }

    /// The schema of a documented response.
    fn response_schema(&self, path: &str, status: &str) -> Value {
        self.spec["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"].clone()
    }
}

fn get(url: &str) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .get(url)
        .header("Authorization", "Bearer demo-access-token")
        .call()
        .unwrap();
    (
        r.status().as_u16(),
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap(),
    )
}

#[test]
fn answers_validate_against_the_openapi_schemas() {
    let v = Validator { spec: spec() };
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 5,
        members: 30,
        legacy_workspaces_gone: false,
        ..FakeConfig::default()
    })
    .unwrap();
    let base = fake.api_base_url();
    // The documented response schemas of the endpoints we serve.
    for (path, url) in [
        (
            "/workspaces/{workspace}",
            format!("{base}/2.0/workspaces/workspace-004"),
        ),
        (
            "/workspaces/{workspace}/members",
            format!("{base}/2.0/workspaces/workspace-001/members?pagelen=7&page=2"),
        ),
        (
            "/workspaces/{workspace}/permissions",
            format!("{base}/2.0/workspaces/workspace-004/permissions?pagelen=30"),
        ),
        (
            "/workspaces/{workspace}/permissions",
            format!("{base}/2.0/workspaces/workspace-000/permissions?page=3"),
        ),
        ("/workspaces", format!("{base}/2.0/workspaces?pagelen=2")),
    ] {
        let schema = v.response_schema(path, "200");
        assert!(!schema.is_null(), "{path} has a documented 200 answer");
        let (status, body) = get(&url);
        assert_eq!(status, 200, "{url}");
        let mut errors = Vec::new();
        v.check(&schema, &body, path, &mut errors);
        assert!(errors.is_empty(), "{url}: {errors:#?}");
    }
    // Items by name, as a cross-check of the references above.
    let (_, page) = get(&format!("{base}/2.0/workspaces/workspace-002/permissions"));
    for item in page["values"].as_array().unwrap() {
        v.validate("workspace_membership", item);
        v.validate("user", &item["user"]);
    }
    // Error answers use the documented error shape.
    for url in [
        format!("{base}/2.0/workspaces/nope"),
        format!("{base}/2.0/nothing-here"),
    ] {
        let (status, body) = get(&url);
        assert_eq!(status, 404);
        v.validate("error", &body);
    }
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let v = Validator { spec: spec() };
    let mut errors = Vec::new();
    let bad = serde_json::json!({"type": "workspace", "slug": 7, "created_on": "yesterday", "links": {"html": {"href": "x", "bogus": 1}}});
    v.check(
        &v.spec["components"]["schemas"]["workspace"].clone(),
        &bad,
        "workspace",
        &mut errors,
    );
    assert_eq!(errors.len(), 3, "{errors:#?}");
}
