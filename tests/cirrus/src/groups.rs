//! Cirrus groups (`/v2/groups`): read and write, no membership changes.
//! A group of a directory-managed scope answers writes with 403
//! `managed_by_directory`, which is `read-only`.

use saas_connector_sdk::http::{self, HttpClient, Method, Request, Response};
use saas_connector_sdk::{ConnectorError, Group, GroupMember, GroupUpdate, Result, error};
use serde_json::{Value, json};

use crate::defect::Defect;
use crate::member::UNIT_KEY;

/// One signed-in client of the group API.
pub struct Groups<'a> {
    /// The API's base URL.
    pub base: &'a str,
    /// The access token.
    pub token: &'a str,
    /// The defect built in.
    pub defect: Defect,
}

fn group(v: &Value) -> Result<Group> {
    let id = v["id"]
        .as_str()
        .ok_or_else(|| ConnectorError::MalformedResponse("a group without an id".into()))?;
    Ok(Group {
        id: id.into(),
        scope: UNIT_KEY.into(),
        name: v["name"].as_str().unwrap_or_default().into(),
        permission: v["role"].as_str().map(String::from),
        auto_add: v["auto_join"].as_bool(),
        writable: v["managed"].as_bool().map(|m| !m),
        members: Vec::new(),
    })
}

fn data(body: &Value) -> Result<&Vec<Value>> {
    body["data"]
        .as_array()
        .ok_or_else(|| ConnectorError::MalformedResponse("no data array".into()))
}

impl Groups<'_> {
    fn send(&self, method: Method, path: &str, body: Option<Value>) -> Result<Response> {
        let what = format!("{} /v2/groups{path}", http::method_name(method));
        let mut request = Request::get(
            format!("{}/v2/groups{path}", self.base),
            &format!("Bearer {}", self.token),
        );
        request.method = method;
        if let Some(body) = body {
            request = request.body("application/json", body.to_string().into_bytes());
        }
        let mut response = http::client().send(request.clone());
        if self.defect == Defect::RetryCreate
            && method == Method::Post
            && response.as_ref().is_ok_and(|r| r.status >= 500)
        {
            response = http::client().send(request);
        }
        let response = response.map_err(error::from_http)?;
        if response.is_success() {
            return Ok(response);
        }
        let managed = response.status == 403
            && serde_json::from_slice::<Value>(&response.body)
                .is_ok_and(|b| b["error"] == "managed_by_directory");
        if managed && self.defect != Defect::ReadOnlyAsForbidden {
            return Err(error::read_only(
                format!("{what}: the group is managed by the company directory"),
                "change it in the directory that syncs to Cirrus",
            ));
        }
        Err(error::from_status(&response, what))
    }

    fn json(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value> {
        let response = self.send(method, path, body)?;
        serde_json::from_slice(&response.body)
            .map_err(|e| ConnectorError::MalformedResponse(format!("/v2/groups{path}: {e}")))
    }

    /// Every group of the unit.
    pub fn list(&self, scope: &str) -> Result<Vec<Group>> {
        if scope != UNIT_KEY {
            return Err(ConnectorError::NotFound(format!("no scope {scope:?}")));
        }
        data(&self.json(Method::Get, "", None)?)?
            .iter()
            .map(group)
            .collect()
    }

    /// One group.
    pub fn get(&self, id: &str) -> Result<Group> {
        group(&self.json(Method::Get, &format!("/{}", segment(id)), None)?)
    }

    /// Creates a group.
    pub fn create(&self, scope: &str, name: &str) -> Result<Group> {
        if scope != UNIT_KEY {
            return Err(ConnectorError::NotFound(format!("no scope {scope:?}")));
        }
        if self.defect == Defect::GroupsNoEffect {
            return Ok(Group {
                id: format!("local-{name}"),
                scope: UNIT_KEY.into(),
                name: name.into(),
                permission: None,
                auto_add: None,
                writable: None,
                members: Vec::new(),
            });
        }
        group(&self.json(Method::Post, "", Some(json!({ "name": name })))?)
    }

    /// Changes a group.
    pub fn update(&self, id: &str, update: &GroupUpdate) -> Result<Group> {
        let mut body = serde_json::Map::new();
        if let Some(name) = &update.name {
            body.insert("name".into(), json!(name));
        }
        if let Some(role) = &update.permission {
            body.insert("role".into(), json!(role));
        }
        if let Some(auto) = update.auto_add {
            body.insert("auto_join".into(), json!(auto));
        }
        let path = format!("/{}", segment(id));
        group(&self.json(Method::Patch, &path, Some(Value::Object(body)))?)
    }

    /// Deletes a group.
    pub fn delete(&self, id: &str) -> Result<()> {
        self.send(Method::Delete, &format!("/{}", segment(id)), None)
            .map(drop)
    }

    /// A group's members.
    pub fn members(&self, id: &str) -> Result<Vec<GroupMember>> {
        let body = self.json(Method::Get, &format!("/{}/members", segment(id)), None)?;
        Ok(data(&body)?
            .iter()
            .map(|m| GroupMember {
                user_id: m["user_id"].as_str().map(String::from),
                account_id: None,
                display_name: m["full_name"].as_str().map(String::from),
                email: m["mail"].as_str().map(String::from),
            })
            .collect())
    }
}

/// A group id as one path segment: Cirrus ids are `g-` and digits; anything
/// else is refused rather than sent.
fn segment(id: &str) -> &str {
    if id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        id
    } else {
        "-"
    }
}
