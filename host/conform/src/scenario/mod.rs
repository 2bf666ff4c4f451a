//! A scenario: what a connector author ships next to the component so the
//! kit can replay the upstream API and hold the connector to a truth. One
//! folder: `scenario.toml` (the routes and how they page, the credentials,
//! the answers to a refused or expired credential), JSONL files of upstream
//! items, and `truth/users.jsonl` (every user the listing must yield, as
//! contract records in the style of `saas-host sync --format ndjson`).
//! The README's "Writing a scenario" documents every key.

mod groups;
mod paging;
mod route;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

pub use groups::{Canned, GroupCall, GroupFunction, Groups, UpdateArgs, holds};
pub use paging::{PageRequest, Paging, PagingStyle, cursor_of, page_body, set_at, with_param};
pub use route::{Role, Route};

/// A scenario as read from its folder.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The folder it came from.
    pub dir: PathBuf,
    /// `scenario.toml`.
    pub file: ScenarioFile,
    /// The items of each listing route, by file name.
    pub items: BTreeMap<String, Vec<Value>>,
    /// The documents of `body-file` routes, by file name.
    pub documents: BTreeMap<String, String>,
    /// The users the listing must yield, sorted by id.
    pub truth: Vec<Value>,
    /// Every user's activity under `file.status`, sorted by id.
    pub statuses: Vec<ExpectedStatus>,
}

/// `scenario.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ScenarioFile {
    /// The connector's `info().name`.
    pub connector: String,
    /// Settings by name, as text; `{upstream}` is replaced by the replay
    /// upstream's origin (`http://127.0.0.1:PORT`).
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// The credentials the upstream accepts and some it refuses.
    pub credentials: Credentials,
    /// How requests carry credentials, and the answers to bad ones.
    #[serde(default)]
    pub auth: Auth,
    /// The upstream's routes, tried in order.
    pub routes: Vec<Route>,
    /// The policy of `truth/statuses.jsonl`, when the scenario has one.
    #[serde(default)]
    pub status: Option<StatusPolicy>,
    /// How the kit aims its faults and bounds a step.
    #[serde(default)]
    pub kit: KitOptions,
    /// Unit filters and the units each leaves.
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// The group functions' calls, when the connector manages groups.
    #[serde(default)]
    pub groups: Option<Groups>,
}

/// `[kit]`: how the kit aims its faults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct KitOptions {
    /// The path of the listing that page faults aim at (a concrete path,
    /// not a template); by default the listing path of the most pages.
    #[serde(default)]
    pub aim: Option<String>,
    /// Most requests one `list-users` step may send, counted at the
    /// host's egress; by default [`DEFAULT_STEP_BUDGET`].
    #[serde(default)]
    pub step_budget: Option<u32>,
}

/// The request budget of one listing step when the scenario names none:
/// a step is bounded, whatever the size of the upstream.
pub const DEFAULT_STEP_BUDGET: u32 = 100;

/// `[[filters]]`: settings that narrow a listing to some billing units.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Filter {
    /// Settings by name, as text, added to (or replacing) the scenario's.
    pub settings: BTreeMap<String, String>,
    /// The keys of the units the listing must then hold, and no others.
    pub units: Vec<String>,
}

/// `[status]`: the policy under which `truth/statuses.jsonl` holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StatusPolicy {
    /// The as-of time, in Unix seconds.
    pub as_of: i64,
    /// Days after which evidence is stale.
    pub inactive_after_days: u32,
}

/// One line of `truth/statuses.jsonl`: a user's expected activity.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ExpectedStatus {
    /// The user's id.
    pub user_id: String,
    /// `active`, `inactive`, `never-active` or `unknown`.
    pub activity: String,
}

/// Credentials by slot, each a table of fields as in the config file's
/// `[credentials.<slot>]` (`token`, `client-id`, `username`...).
pub type SlotFields = BTreeMap<String, BTreeMap<String, String>>;

/// `[credentials]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Credentials {
    /// Accepted by the upstream.
    pub valid: SlotFields,
    /// Refused by the upstream with `auth.refused`.
    pub invalid: SlotFields,
    /// More accepted credentials, typically one of each other kind a slot
    /// takes (`auth-matrix` signs in with each).
    #[serde(default)]
    pub also: Vec<OtherCredential>,
}

impl Credentials {
    /// Every accepted credential's fields: `valid`, then `also`.
    pub fn accepted(&self) -> impl Iterator<Item = &BTreeMap<String, String>> {
        self.valid
            .values()
            .chain(self.also.iter().map(|o| &o.fields))
    }

    /// Every credential's fields, accepted or refused.
    pub fn all(&self) -> impl Iterator<Item = &BTreeMap<String, String>> {
        self.accepted().chain(self.invalid.values())
    }
}

/// `[[credentials.also]]`: one more accepted credential.
#[derive(Debug, Clone, Deserialize)]
pub struct OtherCredential {
    /// The slot it is for.
    pub slot: String,
    /// Its fields, as in `valid` (a `kind` field picks the kind when the
    /// fields alone do not).
    #[serde(flatten)]
    pub fields: BTreeMap<String, String>,
}

/// A fixed answer: a status and a body.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body (JSON, usually).
    #[serde(default)]
    pub body: String,
}

/// `[auth]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Auth {
    /// The header that carries the credential.
    pub header: String,
    /// What comes before a token in it.
    pub prefix: String,
    /// The answer to a request without an accepted credential.
    pub refused: Answer,
    /// The answer to a request with a token the kit marked expired.
    pub expired: Answer,
    /// The answer to a request whose credential lacks a scope, when the
    /// API tells that apart from a plain 403.
    #[serde(default)]
    pub lacks_scope: Option<ScopeAnswer>,
}

/// `[auth] lacks-scope`: the answer to a credential without a scope.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ScopeAnswer {
    /// The HTTP status (403, usually).
    pub status: u16,
    /// The body, naming the scopes.
    pub body: String,
    /// Scopes the body says are required: the error must name them.
    #[serde(default)]
    pub required: Vec<String>,
}

impl Default for Auth {
    fn default() -> Self {
        Auth {
            header: "authorization".into(),
            prefix: "Bearer ".into(),
            refused: Answer {
                status: 401,
                body: r#"{"error":"invalid credentials"}"#.into(),
            },
            expired: Answer {
                status: 401,
                body: r#"{"error":"token expired"}"#.into(),
            },
            lacks_scope: None,
        }
    }
}

/// Why a scenario cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A file is missing or unreadable.
    #[error("{0}: {1}")]
    Read(String, std::io::Error),
    /// `scenario.toml` is not what the format says.
    #[error("scenario.toml: {0}")]
    Toml(String),
    /// A JSONL line is not a JSON value.
    #[error("{file} line {line}: {why}")]
    Jsonl {
        /// The file.
        file: String,
        /// The line, from 1.
        line: usize,
        /// Why.
        why: String,
    },
    /// The scenario contradicts itself.
    #[error("{0}")]
    Invalid(String),
}

fn read(dir: &Path, name: &str) -> Result<String, ScenarioError> {
    std::fs::read_to_string(dir.join(name)).map_err(|e| ScenarioError::Read(name.into(), e))
}

/// The JSON values of a JSONL text, one a line; blank lines are skipped.
pub fn jsonl(file: &str, text: &str) -> Result<Vec<Value>, ScenarioError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| ScenarioError::Jsonl {
                file: file.into(),
                line: i + 1,
                why: e.to_string(),
            })
        })
        .collect()
}

fn user_id(user: &Value) -> &str {
    user.get("id").and_then(Value::as_str).unwrap_or_default()
}

impl Scenario {
    /// Reads and checks the scenario in `dir`.
    pub fn load(dir: &Path) -> Result<Self, ScenarioError> {
        let file: ScenarioFile = toml::from_str(&read(dir, "scenario.toml")?)
            .map_err(|e| ScenarioError::Toml(e.to_string()))?;
        let (mut items, mut documents) = (BTreeMap::new(), BTreeMap::new());
        for entry in std::fs::read_dir(dir).map_err(|e| ScenarioError::Read(".".into(), e))? {
            let name = entry
                .map_err(|e| ScenarioError::Read(".".into(), e))?
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".jsonl") {
                items.insert(name.clone(), jsonl(&name, &read(dir, &name)?)?);
            } else if name.ends_with(".json") {
                let text = read(dir, &name)?;
                serde_json::from_str::<Value>(&text).map_err(|e| ScenarioError::Jsonl {
                    file: name.clone(),
                    line: e.line(),
                    why: e.to_string(),
                })?;
                documents.insert(name, text);
            }
        }
        let mut truth = jsonl("truth/users.jsonl", &read(dir, "truth/users.jsonl")?)?;
        truth.sort_by(|a, b| user_id(a).cmp(user_id(b)));
        let mut statuses = Vec::new();
        if file.status.is_some() {
            let name = "truth/statuses.jsonl";
            for (i, v) in jsonl(name, &read(dir, name)?)?.into_iter().enumerate() {
                statuses.push(serde_json::from_value(v).map_err(|e| ScenarioError::Jsonl {
                    file: name.into(),
                    line: i + 1,
                    why: e.to_string(),
                })?);
            }
        }
        statuses.sort_by(|a: &ExpectedStatus, b| a.user_id.cmp(&b.user_id));
        let scenario = Scenario {
            dir: dir.to_path_buf(),
            file,
            items,
            documents,
            truth,
            statuses,
        };
        scenario.validate()?;
        Ok(scenario)
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        let invalid = |why: String| Err(ScenarioError::Invalid(why));
        if !self.file.routes.iter().any(|r| r.role == Role::Listing) {
            return invalid("no route has the role \"listing\"".into());
        }
        for r in &self.file.routes {
            if r.role == Role::Listing && (r.items.is_none() || r.paging.is_none()) {
                return invalid(format!(
                    "the listing route {} needs items and paging",
                    r.path
                ));
            }
            if let Some(body) = &r.body
                && serde_json::from_str::<Value>(&body.replace("{token}", "t")).is_err()
            {
                return invalid(format!("the body of {} is not JSON", r.path));
            }
            if let Some(p) = &r.paging {
                p.validate().map_err(ScenarioError::Invalid)?;
            }
        }
        if let Some(u) = self.truth.iter().find(|u| user_id(u).is_empty()) {
            return invalid(format!("a truth user has no id: {u}"));
        }
        if let Some(w) = self
            .truth
            .windows(2)
            .find(|w| user_id(&w[0]) == user_id(&w[1]))
        {
            return invalid(format!("the truth lists {} twice", user_id(&w[0])));
        }
        const ACTIVITIES: [&str; 4] = ["active", "inactive", "never-active", "unknown"];
        if let Some(e) = self
            .statuses
            .iter()
            .find(|e| !ACTIVITIES.contains(&e.activity.as_str()))
        {
            return invalid(format!("{} has no activity {:?}", e.user_id, e.activity));
        }
        let ids: Vec<&str> = self.statuses.iter().map(|e| e.user_id.as_str()).collect();
        if self.file.status.is_some() && ids != self.truth.iter().map(user_id).collect::<Vec<_>>() {
            return invalid("truth/statuses.jsonl must name each truth user once".into());
        }
        if self.file.credentials.valid.is_empty() {
            return invalid("no valid credential".into());
        }
        if let Some(other) = self.file.credentials.also.iter().find(|o| {
            !self.file.credentials.valid.contains_key(&o.slot)
                || o.fields.keys().all(|k| k == "kind")
        }) {
            return invalid(format!(
                "[[credentials.also]] for {}: its slot needs a valid credential, and it \
                 needs fields",
                other.slot
            ));
        }
        if self.file.filters.iter().any(|f| f.units.is_empty()) {
            return invalid("a [[filters]] entry leaves no unit".into());
        }
        if let Some(why) = self.file.groups.as_ref().and_then(groups::problems) {
            return invalid(why);
        }
        Ok(())
    }

    /// The routes with `role`.
    pub fn routes(&self, role: Role) -> impl Iterator<Item = &Route> {
        self.file.routes.iter().filter(move |r| r.role == role)
    }

    /// How many memberships the truth holds.
    pub fn truth_memberships(&self) -> usize {
        self.truth
            .iter()
            .map(|u| u["memberships"].as_array().map_or(0, Vec::len))
            .sum()
    }
}

#[cfg(test)]
mod tests;
