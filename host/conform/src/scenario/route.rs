//! One route of a scenario's API: what it is for, how a request fits it
//! (method, path template, query), and which files answer it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Paging;

/// What a route is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Trades the valid credential for a token (`{token}` in the body).
    Token,
    /// A fixed document (an account, a workspace's details).
    Document,
    /// A page of a listing.
    Listing,
}

/// One `[[routes]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Route {
    /// What the route is for.
    pub role: Role,
    /// The method; GET unless said (POST for a token route).
    pub method: Option<String>,
    /// The path; `{name}` matches one segment and names it for `items`.
    pub path: String,
    /// Query parameters the request must carry: a value in braces
    /// (`{group}`) matches any value and names it, like a path segment.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// The body template (JSON): a document's whole answer, a listing
    /// page's frame, a token's answer with `{token}` in it.
    #[serde(default)]
    pub body: Option<String>,
    /// A document's answer from a file in the scenario folder instead of
    /// `body`; `{name}` is replaced as in `items` (no such file: 404).
    #[serde(default)]
    pub body_file: Option<String>,
    /// A listing's items: a JSONL file in the scenario folder, in which
    /// `{name}` is replaced by the path's segment of that name; no such
    /// file answers 404.
    #[serde(default)]
    pub items: Option<String>,
    /// How a listing pages.
    #[serde(default)]
    pub paging: Option<Paging>,
}

impl Route {
    /// The route's method, upper case.
    pub fn method(&self) -> String {
        self.method.clone().map_or_else(
            || {
                if self.role == Role::Token {
                    "POST"
                } else {
                    "GET"
                }
                .into()
            },
            |m| m.to_ascii_uppercase(),
        )
    }

    /// The path's segment values by name, when `path` fits this route.
    pub fn captures(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let (t, p): (Vec<_>, Vec<_>) = (self.path.split('/').collect(), path.split('/').collect());
        if t.len() != p.len() {
            return None;
        }
        let mut out = BTreeMap::new();
        for (t, p) in t.iter().zip(&p) {
            match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                Some(name) if !p.is_empty() => {
                    out.insert(name.to_string(), p.to_string());
                }
                _ if t == p => {}
                _ => return None,
            }
        }
        Some(out)
    }

    /// The captures of `url` (path and query), when it fits this route.
    pub fn matches(&self, url: &url::Url) -> Option<BTreeMap<String, String>> {
        let mut out = self.captures(url.path())?;
        for (key, want) in &self.query {
            let (_, given) = url.query_pairs().find(|(k, _)| k == key)?;
            match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) => {
                    out.insert(name.to_string(), given.into_owned());
                }
                None if *want == given => {}
                None => return None,
            }
        }
        Some(out)
    }

    /// The query pairs of `url` that this route requires, in order: what
    /// tells one listing of the route from another.
    pub fn query_of(&self, url: &url::Url) -> Vec<(String, String)> {
        url.query_pairs()
            .filter(|(k, _)| self.query.contains_key(k.as_ref()))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The items file for these captures.
    pub fn items_file(&self, captures: &BTreeMap<String, String>) -> Option<String> {
        self.items.as_deref().map(|n| fill(n, captures))
    }

    /// The body file for these captures.
    pub fn body_file(&self, captures: &BTreeMap<String, String>) -> Option<String> {
        self.body_file.as_deref().map(|n| fill(n, captures))
    }
}

/// `template` with each `{name}` replaced by its capture.
fn fill(template: &str, captures: &BTreeMap<String, String>) -> String {
    captures.iter().fold(template.to_string(), |name, (k, v)| {
        name.replace(&format!("{{{k}}}"), v)
    })
}
