//! `[groups]`: the group functions a scenario calls, each with its
//! arguments, what its contract result must hold, and the upstream
//! requests that carry it out with their answers. A write's request is its
//! effect: the kit checks that it reached the upstream exactly once.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::Answer;

/// A function of the contract's `groups` interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupFunction {
    /// `list-groups(scope)`.
    ListGroups,
    /// `get-group(group)`.
    GetGroup,
    /// `create-group(scope, name)`.
    CreateGroup,
    /// `update-group(group, update)`.
    UpdateGroup,
    /// `delete-group(group)`.
    DeleteGroup,
    /// `list-members(group)`.
    ListMembers,
    /// `add-member(group, user)`.
    AddMember,
    /// `remove-member(group, user)`.
    RemoveMember,
}

impl GroupFunction {
    /// Every function, in the WIT's order.
    pub const ALL: [GroupFunction; 8] = [
        GroupFunction::ListGroups,
        GroupFunction::GetGroup,
        GroupFunction::CreateGroup,
        GroupFunction::UpdateGroup,
        GroupFunction::DeleteGroup,
        GroupFunction::ListMembers,
        GroupFunction::AddMember,
        GroupFunction::RemoveMember,
    ];

    /// The WIT's name.
    pub fn name(self) -> &'static str {
        match self {
            GroupFunction::ListGroups => "list-groups",
            GroupFunction::GetGroup => "get-group",
            GroupFunction::CreateGroup => "create-group",
            GroupFunction::UpdateGroup => "update-group",
            GroupFunction::DeleteGroup => "delete-group",
            GroupFunction::ListMembers => "list-members",
            GroupFunction::AddMember => "add-member",
            GroupFunction::RemoveMember => "remove-member",
        }
    }
}

/// `[groups]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Groups {
    /// The calls, run in order.
    #[serde(default)]
    pub calls: Vec<GroupCall>,
}

/// `update` of an `update-group` call.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct UpdateArgs {
    /// A new name.
    pub name: Option<String>,
    /// A new permission.
    pub permission: Option<String>,
    /// A new auto-add flag.
    pub auto_add: Option<bool>,
}

/// `[[groups.calls]]`: one call of a group function.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct GroupCall {
    /// The function.
    pub function: GroupFunction,
    /// The `scope` argument (list-groups, create-group).
    #[serde(default)]
    pub scope: String,
    /// The `group` argument: a group id as the connector gives them.
    #[serde(default)]
    pub group: String,
    /// The `name` argument (create-group).
    #[serde(default)]
    pub name: String,
    /// The `user` argument (add-member, remove-member).
    #[serde(default)]
    pub user: String,
    /// The `update` argument (update-group).
    #[serde(default)]
    pub update: UpdateArgs,
    /// JSON the result must hold, field by field, in the style of
    /// `saas-host sync --format json` (a list: each given entry matches one
    /// entry of the result, in order). None: any success.
    #[serde(default)]
    pub result: Option<String>,
    /// The contract error the call must give instead (`read-only`).
    #[serde(default)]
    pub error: Option<String>,
    /// The upstream requests that carry the call out, with their answers.
    #[serde(default)]
    pub requests: Vec<Canned>,
}

/// `[[groups.calls.requests]]`: one upstream request and its answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Canned {
    /// The method.
    pub method: String,
    /// The path, exactly (percent-encoded as sent).
    pub path: String,
    /// Query pairs the request must carry.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Form fields the body must carry.
    #[serde(default)]
    pub form: BTreeMap<String, String>,
    /// JSON the body must hold, field by field.
    #[serde(default)]
    pub json: Option<String>,
    /// The answer; `{upstream}` in its body is the replay's origin.
    pub answer: Answer,
    /// Whether this request is the call's effect upstream: it must arrive
    /// exactly once.
    #[serde(default)]
    pub effect: bool,
}

/// Whether `got` holds everything `want` has: objects key by key, lists
/// entry by entry in order (`got` may have more entries), values equal.
pub fn holds(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| holds(gv, v))),
        (Value::Array(g), Value::Array(w)) => {
            let mut rest = g.iter();
            w.iter().all(|wv| rest.any(|gv| holds(gv, wv)))
        }
        _ => got == want,
    }
}

impl Canned {
    /// Whether a request's method and URL are this one's: the method, the
    /// path, the query pairs (the body aside).
    pub fn names(&self, method: &str, url: &url::Url) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && url.path() == self.path
            && self
                .query
                .iter()
                .all(|(k, v)| url.query_pairs().any(|(qk, qv)| qk == *k && qv == *v))
    }

    /// Whether a request fits this one: method, path, the query pairs, the
    /// form fields or JSON of its body.
    pub fn fits(&self, method: &str, url: &url::Url, body: &[u8]) -> bool {
        if !self.names(method, url) {
            return false;
        }
        let has = |pairs: &[(String, String)], (k, v): (&String, &String)| {
            pairs.iter().any(|(pk, pv)| pk == k && pv == v)
        };
        let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        if !self.form.iter().all(|p| has(&form, p)) {
            return false;
        }
        match &self.json {
            None => true,
            Some(want) => {
                let want: Value = serde_json::from_str(want).unwrap_or(Value::Null);
                serde_json::from_slice::<Value>(body).is_ok_and(|got| holds(&got, &want))
            }
        }
    }
}

/// Why `[groups]` cannot be used, if it cannot.
pub fn problems(groups: &Groups) -> Option<String> {
    groups.calls.iter().find_map(|call| {
        let json = |text: &str, what: &str| {
            serde_json::from_str::<Value>(text)
                .err()
                .map(|e| format!("[groups] {}: {what}: {e}", call.function.name()))
        };
        call.result
            .as_deref()
            .and_then(|r| json(r, "result"))
            .or_else(|| {
                call.requests
                    .iter()
                    .find_map(|r| r.json.as_deref().and_then(|j| json(j, "json")))
            })
            .or_else(|| {
                (call.result.is_some() && call.error.is_some())
                    .then(|| format!("[groups] {}: a result and an error", call.function.name()))
            })
    })
}
