//! The connector's settings and the URLs built on the instance's base URL
//! (which may carry a context path, `https://host:7990/bitbucket`).

use crate::{Error, Result};
use saas_connector_sdk::{Setting, settings};

/// Items asked for per page. Bitbucket clamps it to its `page.max.*`
/// properties (1000 by default) and says so in each page's `limit`.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
/// The largest page of a permission-filtered user list that stays clear of
/// BSERV-11884 (above half of `page.max.users`, users go missing).
pub const FILTERED_PAGE_SIZE: u32 = 500;
/// Requests in one listing step, by default.
pub const DEFAULT_STEP_BUDGET: u32 = 25;

/// An `http(s)` base URL, split. Hand-parsed: the `url` crate's IDNA
/// tables would double the component, and a base URL needs no more than
/// this (host names are ASCII or punycode here).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Base {
    /// `http` or `https`.
    scheme: String,
    /// Host, lower case (IPv6 in brackets).
    host: String,
    /// An explicit port.
    port: Option<u16>,
    /// The context path, without a trailing slash (empty at the root).
    path: String,
}

impl Base {
    fn parse(text: &str) -> std::result::Result<Self, String> {
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| "it is not an absolute URL".to_string())?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(format!("the scheme {scheme:?} is not http or https"));
        }
        if rest.contains(['?', '#']) {
            return Err("it must not have a query or a fragment".into());
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.contains('@') {
            return Err("it must not carry credentials: give them in the bitbucket-dc slot".into());
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| format!("the port {p:?} is not a number"))?;
                (h, Some(port))
            }
            _ => (authority, None),
        };
        let valid = |c: char| c.is_ascii_alphanumeric() || "-._[]:".contains(c);
        if host.is_empty() || !host.chars().all(valid) {
            return Err(format!("the host {host:?} is not a host name or address"));
        }
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("the path has spaces or control characters".into());
        }
        Ok(Base {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path: path.trim_end_matches('/').to_string(),
        })
    }
}

/// The validated settings of one call.
#[derive(Debug, Clone)]
pub struct Config {
    base: Base,
    /// Items asked for per page.
    pub page_size: u32,
    /// Requests per listing step.
    pub step_budget: u32,
}

impl Config {
    /// Reads and checks the settings; `invalid-config` names what is wrong.
    pub fn from_settings(config: &[Setting]) -> Result<Self> {
        let Some(base) = settings::url(config, "base-url")? else {
            return Err(Error::InvalidConfig(
                "the setting base-url is required: the instance's URL, with its context path \
                 (https://bitbucket.example.com or https://host:7990/bitbucket)"
                    .into(),
            ));
        };
        let base = Base::parse(base.trim())
            .map_err(|why| Error::InvalidConfig(format!("base-url {base:?}: {why}")))?;
        let page_size = settings::u32(config, "page-size")?.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=DEFAULT_PAGE_SIZE).contains(&page_size) {
            return Err(Error::InvalidConfig(format!(
                "page-size {page_size} is outside 1..=1000"
            )));
        }
        let step_budget = settings::u32(config, "max-requests-per-step")?
            .unwrap_or(DEFAULT_STEP_BUDGET)
            .max(1);
        Ok(Config {
            base,
            page_size,
            step_budget,
        })
    }

    /// The base URL without a trailing slash: the billing unit's id.
    pub fn base(&self) -> String {
        format!("{}://{}{}", self.base.scheme, self.host(), self.base.path)
    }

    /// The instance's host (and port, when not the default): the unit's key.
    pub fn host(&self) -> String {
        let default = if self.base.scheme == "https" { 443 } else { 80 };
        match self.base.port.filter(|&p| p != default) {
            Some(port) => format!("{}:{port}", self.base.host),
            None => self.base.host.clone(),
        }
    }

    /// A URL of the core REST API: `path` (from `/`) under `/rest/api/1.0`,
    /// with `query` encoded.
    pub fn api(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}/rest/api/1.0{path}", self.base());
        if !query.is_empty() {
            url.push('?');
            url.push_str(
                &form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(query)
                    .finish(),
            );
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use saas_connector_sdk::SettingValue;

    fn config(base: &str) -> Result<Config> {
        Config::from_settings(&[Setting {
            name: "base-url".into(),
            value: SettingValue::Url(base.into()),
        }])
    }

    #[test]
    fn urls_keep_the_context_path_and_encode_the_query() {
        let c = config("https://bb.example.com:7990/bitbucket/").unwrap();
        assert_eq!(c.base(), "https://bb.example.com:7990/bitbucket");
        assert_eq!(c.host(), "bb.example.com:7990");
        assert_eq!(
            c.api("/admin/groups", &[("name", "a b&c")]),
            "https://bb.example.com:7990/bitbucket/rest/api/1.0/admin/groups?name=a+b%26c"
        );
        let root = config("https://bb.example.com").unwrap();
        assert_eq!(
            root.api("/users", &[]),
            "https://bb.example.com/rest/api/1.0/users"
        );
    }

    #[test]
    fn bad_base_urls_are_invalid_config() {
        for bad in [
            "ftp://x",
            "https://u:p@x",
            "not a url",
            "https://x/?q=1",
            "https://x:99999",
            "https://",
            "https://a b/",
        ] {
            assert!(matches!(config(bad), Err(Error::InvalidConfig(_))), "{bad}");
        }
        assert!(matches!(
            Config::from_settings(&[]),
            Err(Error::InvalidConfig(m)) if m.contains("base-url")
        ));
    }
}
