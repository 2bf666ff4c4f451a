//! The settings file (TOML), parsed into what it says before a connector's
//! declarations give the settings their types.
//!
//! The file has `[settings]` (keys: the connector's setting names) and one
//! `[credentials.<slot>]` table per credential slot, and the host's own
//! keys at the top level (`requests_per_hour`, `max_rate_limit_wait`,
//! `ca_bundle`, `proxy`, `no_proxy`, `allow_plain_http`, `history_db`,
//! `retain_days`, `seat_price`). Files of
//! saas-host 0.1 (settings at the top level, one flat `[credentials]`
//! table) still read: other top-level keys are settings, and a flat table
//! goes to the first slot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the settings file says.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileSettings {
    /// The host's own request budget (`requests_per_hour`).
    pub requests_per_hour: Option<u32>,
    /// The longest wait after a rate limit, in seconds (`max_rate_limit_wait`).
    pub max_rate_limit_wait: Option<u64>,
    /// Settings by name, as written.
    pub settings: Vec<(String, toml::Value)>,
    /// Credential fields by slot; the empty slot name is a 0.1 flat table.
    pub credentials: BTreeMap<String, BTreeMap<String, String>>,
    /// Network options (`ca_bundle`, `proxy`, `no_proxy`, `allow_plain_http`).
    pub network: NetworkSettings,
    /// What is kept of each sync (`history_db`, `retain_days`, `seat_price`).
    pub history: HistorySettings,
}

/// What the history keeps and what the summary prices, from the file or
/// the command line (which wins).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct HistorySettings {
    /// The database file (`history_db`), relative to the file's folder.
    pub db: Option<PathBuf>,
    /// Runs older than this many days are forgotten (`retain_days`).
    pub retain_days: Option<u32>,
    /// The monthly price of one seat (`seat_price`), to cost idle seats.
    pub seat_price: Option<f64>,
}

/// How the host reaches upstreams inside a company network, from the file
/// or the command line (which wins).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NetworkSettings {
    /// A PEM bundle of the CA certificates to trust instead of the public roots.
    pub ca_bundle: Option<PathBuf>,
    /// The proxy URL; `none` for direct, whatever the environment says.
    pub proxy: Option<String>,
    /// Hosts reached without the proxy.
    pub no_proxy: Vec<String>,
    /// Origins (`HOST` or `HOST:PORT`) that plain `http` may reach.
    pub allow_plain_http: Vec<String>,
}

/// A list of strings: a TOML array of strings, or one comma-separated string.
fn string_list(value: toml::Value, what: &str) -> Result<Vec<String>, String> {
    match value {
        toml::Value::String(s) => Ok(s
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()),
        toml::Value::Array(items) => items
            .into_iter()
            .map(|i| match i {
                toml::Value::String(s) => Ok(s),
                _ => Err(format!("{what} takes strings")),
            })
            .collect(),
        _ => Err(format!("{what} takes a list of strings")),
    }
}

/// A table whose values are all strings.
fn strings(table: &toml::Table, what: &str) -> Result<BTreeMap<String, String>, String> {
    table
        .iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(format!("{what}: the field {k} must be a string")),
        })
        .collect()
}

/// A whole number of the host's own keys, in range of `T`.
fn whole<T: TryFrom<i64>>(key: &str, value: toml::Value) -> Result<T, String> {
    match value {
        toml::Value::Integer(n) => T::try_from(n).map_err(|_| format!("{key} {n} is out of range")),
        _ => Err(format!("{key} takes a whole number")),
    }
}

/// Parses a settings file's text; relative paths in it (`ca_bundle`) are
/// taken from `dir`, the file's folder, as an operator reads them.
pub fn parse(text: &str, dir: &Path) -> Result<FileSettings, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = FileSettings::default();
    for (key, value) in table {
        match key.as_str() {
            "requests_per_hour" | "requests-per-hour" => {
                out.requests_per_hour = Some(whole("requests_per_hour", value)?);
            }
            "max_rate_limit_wait" | "max-rate-limit-wait" => {
                out.max_rate_limit_wait = Some(whole("max_rate_limit_wait", value)?);
            }
            "history_db" | "history-db" => match value {
                toml::Value::String(s) => out.history.db = Some(dir.join(s)),
                _ => return Err("history_db takes a path".into()),
            },
            "retain_days" | "retain-days" => {
                out.history.retain_days = Some(whole("retain_days", value)?);
            }
            "seat_price" | "seat-price" => {
                let price = match value {
                    toml::Value::Integer(n) => n as f64,
                    toml::Value::Float(f) => f,
                    _ => return Err("seat_price takes a number".into()),
                };
                if !(price.is_finite() && price >= 0.0) {
                    return Err(format!("seat_price {price} is not a price"));
                }
                out.history.seat_price = Some(price);
            }
            "ca_bundle" | "ca-bundle" => match value {
                toml::Value::String(s) => out.network.ca_bundle = Some(dir.join(s)),
                _ => return Err("ca_bundle takes a path".into()),
            },
            "proxy" => match value {
                toml::Value::String(s) => out.network.proxy = Some(s),
                _ => return Err("proxy takes a URL or \"none\"".into()),
            },
            "no_proxy" | "no-proxy" => out.network.no_proxy = string_list(value, "no_proxy")?,
            "allow_plain_http" | "allow-plain-http" => {
                out.network.allow_plain_http = string_list(value, "allow_plain_http")?;
            }
            "settings" => match value {
                toml::Value::Table(t) => out.settings.extend(t),
                _ => return Err("settings must be a table: [settings]".into()),
            },
            "credentials" => {
                let toml::Value::Table(t) = value else {
                    return Err("credentials must be a table: [credentials.<slot>]".into());
                };
                for (slot, fields) in t.iter().filter_map(|(k, v)| Some((k, v.as_table()?))) {
                    let what = format!("[credentials.{slot}]");
                    out.credentials
                        .insert(slot.clone(), strings(fields, &what)?);
                }
                let flat: toml::Table = t.into_iter().filter(|(_, v)| !v.is_table()).collect();
                if !flat.is_empty() {
                    out.credentials
                        .insert(String::new(), strings(&flat, "[credentials]")?);
                }
            }
            _ => out.settings.push((key, value)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hosts_keys_slots_and_0_1_files_all_read() {
        let text = r#"
            requests_per_hour = 900
            ca_bundle = "corp.pem"
            no_proxy = "a.corp, b.corp"
            page-size = 50
            history_db = "runs/history.sqlite"
            retain_days = 400
            seat_price = 15.5
            [settings]
            include-workspaces = ["acme"]
            [credentials]
            client_id = "flat"
            [credentials.atlassian-admin]
            org-id = "o1"
        "#;
        let f = parse(text, Path::new("/etc/saas")).unwrap();
        assert_eq!(f.requests_per_hour, Some(900));
        assert_eq!(
            f.network.ca_bundle,
            Some(PathBuf::from("/etc/saas/corp.pem"))
        );
        assert_eq!(f.network.no_proxy, ["a.corp", "b.corp"]);
        assert_eq!(f.settings.len(), 2);
        assert_eq!(f.credentials[""]["client_id"], "flat");
        assert_eq!(f.credentials["atlassian-admin"]["org-id"], "o1");
        assert_eq!(
            f.history,
            HistorySettings {
                db: Some(PathBuf::from("/etc/saas/runs/history.sqlite")),
                retain_days: Some(400),
                seat_price: Some(15.5),
            }
        );
    }

    #[test]
    fn wrong_types_and_ranges_are_errors_naming_the_key() {
        for (text, says) in [
            ("seat_price = -3", "seat_price -3 is not a price"),
            ("seat_price = \"cheap\"", "seat_price takes a number"),
            (
                "requests_per_hour = -1",
                "requests_per_hour -1 is out of range",
            ),
            (
                "requests_per_hour = \"many\"",
                "requests_per_hour takes a whole number",
            ),
            ("proxy = 3", "proxy takes"),
            ("settings = 1", "settings must be a table"),
            (
                "[credentials.x]\nsecret = 1",
                "[credentials.x]: the field secret",
            ),
            ("no_proxy = [1]", "no_proxy takes strings"),
            ("a = ", "expected"),
        ] {
            let err = parse(text, Path::new(".")).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
