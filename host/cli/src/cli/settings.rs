//! Where a command's settings and credentials come from: a TOML file and
//! environment variables (credentials never from command-line arguments,
//! which other users can read), named after what the connector declares.
//!
//! The file has `[settings]` (keys: the connector's setting names) and one
//! `[credentials.<slot>]` table per credential slot. Variables are
//! `<CONNECTOR>_<SETTING>` and `<SLOT>_<FIELD>` in upper snake case, and
//! override the file. Files of saas-host 0.1 (settings at the top level, one
//! flat `[credentials]` table) still read: top-level keys are settings, and
//! a flat table goes to the first slot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use saas_runtime::egress::{AllowedHost, Allowlist, Egress, EgressLimits, Network, ProxyChoice};
use saas_runtime::imports::{Events, Io};
use saas_runtime::latest::{Setting, SettingType, SettingValue, SlotCredential};
use saas_runtime::redact::Redactor;
use saas_runtime::settings::{self as declared, Problem, env_name, parse_value, type_name};
use saas_runtime::{Config, Connector, Runtime, RuntimeOptions};

/// What the settings file and the environment say, before the connector's
/// declarations give it types.
#[derive(Debug, Default, Clone)]
pub struct FileSettings {
    /// The host's own request budget (`requests_per_hour`).
    pub requests_per_hour: Option<u32>,
    /// The longest wait after a rate limit, in seconds (`max_rate_limit_wait`).
    pub max_rate_limit_wait: Option<u64>,
    /// Settings by name, as written.
    pub settings: Vec<(String, toml::Value)>,
    /// Credential fields by slot; the empty slot name is a 0.1 flat table.
    pub credentials: BTreeMap<String, BTreeMap<String, String>>,
    /// Whether variables override the file (not for the demo).
    pub read_env: bool,
    /// The file, when one was read (renewed credentials are written back).
    pub path: Option<PathBuf>,
    /// Network options of the file (`ca_bundle`, `proxy`, `no_proxy`,
    /// `allow_plain_http`).
    pub network: NetworkSettings,
}

/// How the host reaches upstreams inside a company network, from the file
/// or the command line (which wins).
#[derive(Debug, Default, Clone)]
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

impl NetworkSettings {
    /// The egress's network and the plain-`http` opt-ins.
    fn resolve(&self) -> Result<(Network, Vec<AllowedHost>)> {
        let ca_certificates = match &self.ca_bundle {
            Some(path) => Network::read_ca_bundle(path).map_err(|e| anyhow!(e))?,
            None => Vec::new(),
        };
        let proxy = match self.proxy.as_deref().map(str::trim) {
            None => ProxyChoice::FromEnvironment,
            Some("none" | "direct" | "") => ProxyChoice::Direct,
            Some(url) => ProxyChoice::Via {
                url: url.to_string(),
                no_proxy: self.no_proxy.clone(),
            },
        };
        let plain = self
            .allow_plain_http
            .iter()
            .map(|h| AllowedHost::parse(h).map_err(|e| anyhow!("allow_plain_http: {e}")))
            .collect::<Result<_>>()?;
        Ok((
            Network {
                ca_certificates,
                proxy,
            },
            plain,
        ))
    }
}

fn string_list(value: toml::Value, what: &str) -> Result<Vec<String>> {
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
                _ => bail!("{what} takes strings"),
            })
            .collect(),
        _ => bail!("{what} takes a list of strings"),
    }
}

fn strings(table: &toml::Table, what: &str) -> Result<BTreeMap<String, String>> {
    table
        .iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k.clone(), s.clone())),
            _ => bail!("{what}: the field {k} must be a string"),
        })
        .collect()
}

/// Reads the settings file, if given.
pub fn load_file(path: Option<&Path>) -> Result<FileSettings> {
    let mut out = FileSettings {
        read_env: true,
        ..FileSettings::default()
    };
    let Some(path) = path else { return Ok(out) };
    out.path = Some(path.to_path_buf());
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the config file {}", path.display()))?;
    let table: toml::Table = toml::from_str(&text)
        .with_context(|| format!("parsing the config file {}", path.display()))?;
    for (key, value) in table {
        match (key.as_str(), value) {
            ("requests_per_hour" | "requests-per-hour", toml::Value::Integer(n)) => {
                out.requests_per_hour = Some(
                    u32::try_from(n)
                        .map_err(|_| anyhow!("requests_per_hour {n} is out of range"))?,
                );
            }
            ("max_rate_limit_wait" | "max-rate-limit-wait", toml::Value::Integer(n)) => {
                out.max_rate_limit_wait = Some(
                    u64::try_from(n)
                        .map_err(|_| anyhow!("max_rate_limit_wait {n} is out of range"))?,
                );
            }
            ("ca_bundle" | "ca-bundle", toml::Value::String(s)) => {
                // Relative to the file, as an operator reads it.
                let base = path.parent().unwrap_or(Path::new("."));
                out.network.ca_bundle = Some(base.join(s));
            }
            ("proxy", toml::Value::String(s)) => out.network.proxy = Some(s),
            ("no_proxy" | "no-proxy", v) => out.network.no_proxy = string_list(v, "no_proxy")?,
            ("allow_plain_http" | "allow-plain-http", v) => {
                out.network.allow_plain_http = string_list(v, "allow_plain_http")?;
            }
            ("settings", toml::Value::Table(t)) => out.settings.extend(t),
            ("credentials", toml::Value::Table(t)) => {
                let (slots, flat): (toml::Table, toml::Table) =
                    t.into_iter().partition(|(_, v)| v.is_table());
                if !flat.is_empty() {
                    out.credentials
                        .insert(String::new(), strings(&flat, "[credentials]")?);
                }
                for (slot, fields) in slots {
                    let fields = fields.as_table().expect("partitioned on tables");
                    let what = format!("[credentials.{slot}]");
                    out.credentials.insert(slot, strings(fields, &what)?);
                }
            }
            (_, value) => out.settings.push((key, value)),
        }
    }
    Ok(out)
}

/// Options shared by every command that runs a connector.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectorArgs {
    /// The connector component, or the name of a bundled one (`bitbucket`,
    /// the default, or `bitbucket-dc`).
    #[arg(long, value_name = "WASM")]
    pub connector: Option<PathBuf>,
    /// Settings file (TOML): [settings] and [credentials.<slot>].
    #[arg(long, value_name = "FILE", env = "SAAS_HOST_CONFIG")]
    pub config: Option<PathBuf>,
    /// Sets one of the connector's settings (`inspect` lists them); repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Folder for compiled components.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile every time, without the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Most requests in flight at once (the connector's own budget may be lower).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Most requests per hour (the connector's own budget applies when lower).
    #[arg(long)]
    pub requests_per_hour: Option<u32>,
    /// Timeout of one HTTP request, in seconds.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Guest CPU budget of one call, in seconds.
    #[arg(long, default_value_t = 30)]
    pub cpu_budget: u64,
    /// Longest one call of the connector may take, HTTP waits included, in seconds.
    #[arg(long, default_value_t = 900)]
    pub call_timeout: u64,
    /// Guest memory cap, in MiB.
    #[arg(long, default_value_t = 256)]
    pub memory_mib: usize,
    /// A PEM bundle of CA certificates to trust instead of the public roots
    /// (an internal CA); the config file's `ca_bundle`.
    #[arg(long, value_name = "FILE", env = "SAAS_HOST_CA_BUNDLE")]
    pub ca_bundle: Option<PathBuf>,
    /// The proxy (`http://proxy.example:3128`; `none` for direct); by
    /// default HTTPS_PROXY, HTTP_PROXY or ALL_PROXY with NO_PROXY. Loopback
    /// is always direct.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Lets plain http reach HOST[:PORT] (loopback always may); repeatable.
    #[arg(long = "allow-plain-http", value_name = "HOST[:PORT]")]
    pub allow_plain_http: Vec<String>,
}

/// A value of type `ty` from TOML.
fn toml_value(ty: SettingType, value: &toml::Value) -> Result<SettingValue, Problem> {
    match (ty, value) {
        (SettingType::Bool, toml::Value::Boolean(b)) => Ok(SettingValue::Bool(*b)),
        (SettingType::U32 | SettingType::Duration, toml::Value::Integer(n)) => {
            let n = u32::try_from(*n).map_err(|_| format!("{n} is out of range"))?;
            Ok(match ty {
                SettingType::U32 => SettingValue::U32(n),
                _ => SettingValue::Duration(u64::from(n)),
            })
        }
        (SettingType::StringList, toml::Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(String::from)
                    .ok_or_else(|| "a list of strings is expected".to_string())
            })
            .collect::<Result<_, _>>()
            .map(SettingValue::StringList),
        (_, toml::Value::String(s)) => parse_value(ty, s),
        (_, other) => Err(format!("{other} is not a {}", type_name(ty))),
    }
}

/// A loaded connector with everything needed to call it.
pub struct Ready {
    /// The runtime (keeps the epoch ticker alive).
    pub _runtime: Runtime,
    /// The connector.
    pub connector: Connector,
    /// Its I/O.
    pub io: Io,
    /// Its effective settings, in the latest model.
    pub settings: Vec<Setting>,
    /// The same, in the connector's contract version.
    pub config: Config,
    /// What the settings file and the environment said.
    pub file: FileSettings,
}

fn lowest(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The settings given in the file, the variables and `extra`, typed by the
/// connector's declarations, over its defaults.
fn settings_for(
    connector: &Connector,
    file: &FileSettings,
    extra: &[(String, String)],
) -> Result<Vec<Setting>> {
    let info = connector.info();
    let spec = |name: &str| {
        let name = name.replace('_', "-");
        info.settings
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = info.settings.iter().map(|s| s.name.as_str()).collect();
                anyhow!(
                    "the connector {} has no setting {name:?} (it has: {})",
                    info.name,
                    known.join(", ")
                )
            })
    };
    let mut given = Vec::new();
    for (name, value) in &file.settings {
        let s = spec(name)?;
        let value =
            toml_value(s.type_, value).map_err(|e| anyhow!("the setting {}: {e}", s.name))?;
        given.push(Setting {
            name: s.name.clone(),
            value,
        });
    }
    let mut texts: Vec<(String, String)> = Vec::new();
    if file.read_env {
        for s in &info.settings {
            if let Ok(v) = std::env::var(env_name(&info.name, &s.name)) {
                texts.push((s.name.clone(), v));
            }
        }
    }
    texts.extend(extra.iter().cloned());
    for (name, text) in texts {
        let s = spec(&name)?;
        let value = declared::parse_value(s.type_, &text)
            .map_err(|e| anyhow!("the setting {}: {e}", s.name))?;
        given.push(Setting {
            name: s.name.clone(),
            value,
        });
    }
    declared::effective(&info.settings, &given).map_err(|e| anyhow!(e))
}

impl ConnectorArgs {
    /// `--set` as name and value pairs.
    fn sets(&self) -> Result<Vec<(String, String)>> {
        self.set
            .iter()
            .map(|s| {
                s.split_once('=')
                    .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                    .ok_or_else(|| anyhow!("--set takes NAME=VALUE, not {s:?}"))
            })
            .collect()
    }

    /// Loads the connector, resolves its settings (`extra` after `--set`)
    /// and builds its sandboxed I/O, allowed to reach exactly the hosts of
    /// its `url` settings.
    pub fn ready(
        &self,
        file: FileSettings,
        extra: &[(String, String)],
        events: Arc<dyn Events>,
    ) -> Result<Ready> {
        let runtime = Runtime::new(RuntimeOptions {
            cache_dir: if self.no_cache {
                None
            } else {
                self.cache_dir
                    .clone()
                    .or_else(saas_runtime::cache::default_dir)
            },
            memory_limit: self.memory_mib * 1024 * 1024,
            cpu_budget: Duration::from_secs(self.cpu_budget.max(1)),
            wall_limit: Duration::from_secs(self.call_timeout.max(1)),
        })?;
        let connector = super::bundled::load(&runtime, self.connector.as_deref())
            .context("loading the connector")?;
        let mut extra = extra.to_vec();
        extra.extend(self.sets()?);
        let settings = settings_for(&connector, &file, &extra)?;
        let config = connector.config(&settings)?;
        let mut net = file.network.clone();
        net.ca_bundle = self.ca_bundle.clone().or(net.ca_bundle);
        net.proxy = self.proxy.clone().or(net.proxy);
        net.allow_plain_http
            .extend(self.allow_plain_http.iter().cloned());
        let (network, plain_http) = net.resolve()?;
        let redactor = Redactor::new();
        if let Some(password) = network.proxy_password() {
            redactor.add(&password);
        }
        let allowlist = Allowlist::of_urls_with(&connector.egress_urls(&settings), plain_http)
            .map_err(|e| anyhow!(e))?;
        let budgets = &connector.info().budgets;
        let concurrency = lowest(
            u32::try_from(self.concurrency).ok(),
            budgets.max_concurrency,
        );
        let limits = EgressLimits {
            concurrency: concurrency.unwrap_or(1).max(1) as usize,
            requests_per_hour: lowest(
                self.requests_per_hour.or(file.requests_per_hour),
                budgets.requests_per_hour,
            ),
            request_timeout: Duration::from_secs(self.timeout.max(1)),
            ..EgressLimits::default()
        };
        let egress = Egress::with_network(limits, network, allowlist).map_err(|e| anyhow!(e))?;
        let io = Io {
            egress: Arc::new(egress),
            redactor: Arc::new(redactor),
            events,
            credentials: Arc::new(super::credential_file::ConfigFileStore {
                path: file.path.clone(),
                read_env: file.read_env,
            }),
        };
        Ok(Ready {
            _runtime: runtime,
            connector,
            io,
            settings,
            config,
            file,
        })
    }
}

impl Ready {
    /// The credential of every slot given in the file or the variables;
    /// a required slot with nothing given is an error naming where to put it.
    pub fn credentials(&self) -> Result<Vec<SlotCredential>> {
        let info = self.connector.info();
        let mut out = Vec::new();
        for (i, slot) in info.credential_slots.iter().enumerate() {
            let mut fields = self
                .file
                .credentials
                .get(&slot.name)
                .cloned()
                .unwrap_or_default();
            if i == 0
                && let Some(flat) = self.file.credentials.get("")
            {
                fields.extend(flat.clone());
            }
            if self.file.read_env {
                let mut names = declared::field_names(slot);
                names.push(("auth-kind".into(), "kind".into()));
                for (name, _) in names {
                    if let Ok(v) = std::env::var(env_name(&slot.name, &name))
                        && !v.is_empty()
                    {
                        fields.insert(
                            if name == "auth-kind" {
                                "kind".into()
                            } else {
                                name
                            },
                            v,
                        );
                    }
                }
            }
            if fields.is_empty() {
                if slot.required {
                    bail!(
                        "no credentials for the slot {0}: set them in the config file's [credentials.{0}] \
                         table or in {1}_* variables ({2})",
                        slot.name,
                        env_name(&slot.name, "").trim_end_matches('_'),
                        slot.description
                    );
                }
                continue;
            }
            let credential = declared::credential(slot, &fields).map_err(|e| anyhow!(e))?;
            out.push(SlotCredential {
                slot: slot.name.clone(),
                credential,
            });
        }
        Ok(out)
    }
}
