//! Where things are: base URLs from the config, and the URLs built on them.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use crate::{Error, Result};
use saas_connector_sdk::{Setting, settings};

/// The connector's settings, read from the contract's config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `api-base-url`.
    pub api_base_url: Option<String>,
    /// `token-url`.
    pub token_url: Option<String>,
    /// `page-size`: items per page (1 to 100).
    pub page_size: Option<u32>,
    /// `include-workspaces`: only these slugs, when not empty.
    pub include_workspaces: Vec<String>,
    /// `exclude-workspaces`: never these slugs.
    pub exclude_workspaces: Vec<String>,
    /// `max-requests-per-step`: the request budget of one listing step.
    pub max_requests_per_step: Option<u32>,
    /// `admin-api-base-url`: the Atlassian Admin API's base.
    pub admin_api_base_url: Option<String>,
    /// `authorize-url`: the consent page, which the host opens; read only
    /// to refuse a value that is no URL.
    pub authorize_url: Option<String>,
}

impl Config {
    /// Reads the declared settings; a value of the wrong type is `invalid-config`.
    pub fn from_settings(config: &[Setting]) -> Result<Self> {
        Ok(Config {
            api_base_url: settings::url(config, "api-base-url")?,
            token_url: settings::url(config, "token-url")?,
            page_size: settings::u32(config, "page-size")?,
            include_workspaces: settings::strings(config, "include-workspaces")?,
            exclude_workspaces: settings::strings(config, "exclude-workspaces")?,
            max_requests_per_step: settings::u32(config, "max-requests-per-step")?,
            admin_api_base_url: settings::url(config, "admin-api-base-url")?,
            authorize_url: settings::url(config, "authorize-url")?,
        })
    }

    /// A hash of the settings that decide what a listing visits and how:
    /// the workspace filters (case-insensitively, in any order), the page
    /// size and the Admin API base. A cursor carries it, so that one made
    /// under other settings is refused instead of resumed into a different
    /// listing.
    pub fn listing_hash(&self) -> u64 {
        let canonical = |list: &[String]| {
            let mut list: Vec<String> = list.iter().map(|s| s.to_ascii_lowercase()).collect();
            list.sort();
            list.dedup();
            list.join(",")
        };
        let text = format!(
            "include={};exclude={};page-size={:?};admin={:?}",
            canonical(&self.include_workspaces),
            canonical(&self.exclude_workspaces),
            self.page_size,
            self.admin_api_base_url,
        );
        crate::cursor::url_hash(&text)
    }
}

/// Bitbucket Cloud's REST API.
pub const DEFAULT_API_BASE: &str = "https://api.bitbucket.org";
/// Bitbucket Cloud's OAuth 2.0 token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://bitbucket.org/site/oauth2/access_token";

/// The consent page of the authorization-code flow (the host opens it).
pub const DEFAULT_AUTHORIZE_URL: &str = "https://bitbucket.org/site/oauth2/authorize";
/// Largest page Bitbucket serves.
pub const MAX_PAGE_SIZE: u32 = 100;
/// Default request budget of one listing step.
pub const DEFAULT_STEP_BUDGET: u32 = 100;

/// Characters escaped in a path segment: all but unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Escapes one path segment (slugs, uuids with braces).
pub fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// The validated endpoints of one config.
#[derive(Debug, Clone)]
pub struct Endpoints {
    api: Url,
    /// The token endpoint.
    pub token_url: String,
    /// Items per page.
    pub page_size: u32,
    /// Requests per listing step.
    pub step_budget: u32,
}

pub(crate) fn http_url(s: &str, what: &str) -> Result<Url> {
    let url = Url::parse(s).map_err(|e| Error::InvalidConfig(format!("{what} {s:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::InvalidConfig(format!(
            "{what} {s:?} is not an http(s) URL"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidConfig(format!(
            "{what} must not carry credentials"
        )));
    }
    Ok(url)
}

impl Endpoints {
    /// Validates a config.
    pub fn new(config: &Config) -> Result<Self> {
        let api_str = config.api_base_url.as_deref().unwrap_or(DEFAULT_API_BASE);
        let api = http_url(api_str.trim_end_matches('/'), "api-base-url")?;
        let token_url = config.token_url.as_deref().unwrap_or(DEFAULT_TOKEN_URL);
        http_url(token_url, "token-url")?;
        // Read only with an admin credential, but a typo is refused now,
        // not on the day one is added.
        if let Some(admin) = config.admin_api_base_url.as_deref() {
            http_url(admin, "admin-api-base-url")?;
        }
        if let Some(page) = config.authorize_url.as_deref() {
            http_url(page, "authorize-url")?;
        }
        let page_size = config.page_size.unwrap_or(MAX_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(Error::InvalidConfig(format!(
                "page-size {page_size} is outside 1..=100"
            )));
        }
        let step_budget = config
            .max_requests_per_step
            .unwrap_or(DEFAULT_STEP_BUDGET)
            .max(1);
        Ok(Endpoints {
            api,
            token_url: token_url.to_string(),
            page_size,
            step_budget,
        })
    }

    /// The API base without a trailing slash.
    pub fn api_base(&self) -> String {
        self.api.as_str().trim_end_matches('/').to_string()
    }

    /// A URL under the API base: `path` starts with `/`.
    pub fn api(&self, path: &str) -> String {
        format!("{}{}", self.api_base(), path)
    }

    /// Whether `link` stays on the API's scheme, host and port, so that the
    /// session's credentials may be sent to it.
    pub fn check_same_origin(&self, link: &str) -> Result<()> {
        let url = Url::parse(link)
            .map_err(|_| Error::Pagination(format!("unparseable next link {link:?}")))?;
        let same = url.scheme() == self.api.scheme()
            && url.host_str() == self.api.host_str()
            && url.port_or_known_default() == self.api.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none();
        if same {
            Ok(())
        } else {
            Err(Error::Pagination(format!(
                "a next link leaves the API ({}://{}); not followed, no credentials sent",
                url.scheme(),
                url.host_str().unwrap_or("?")
            )))
        }
    }

    /// The URL of page `page` of a listing whose first page is `first`;
    /// `first` comes from a cursor, so an unparseable one is `invalid-cursor`.
    pub fn page_url(first: &str, page: u64) -> Result<String> {
        let mut url = Url::parse(first)
            .map_err(|_| Error::InvalidCursor(format!("unparseable page URL {first:?}")))?;
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("page", &page.to_string());
        Ok(url.to_string())
    }
}
