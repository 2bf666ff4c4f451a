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

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use saas_host_files::config_file::{self, FileSettings as ConfigFile, NetworkSettings};
use saas_runtime::egress::{AllowedHost, Allowlist, Egress, EgressLimits, Network, ProxyChoice};
use saas_runtime::imports::{Events, Io};
use saas_runtime::latest::{Setting, SettingType, SettingValue};
use saas_runtime::redact::Redactor;
use saas_runtime::settings::{self as declared, Problem, env_name, parse_value, type_name};
use saas_runtime::{Config, Connector, Runtime, RuntimeOptions};

/// What the settings file and the environment say, before the connector's
/// declarations give it types.
#[derive(Debug, Default, Clone)]
pub struct FileSettings {
    /// What the file says (nothing without a file).
    pub contents: ConfigFile,
    /// Whether variables override the file (not for the demo).
    pub read_env: bool,
    /// The file, when one was read (renewed credentials are written back).
    pub path: Option<PathBuf>,
}

/// The egress's network and the plain-`http` opt-ins of network settings.
fn resolve(net: &NetworkSettings) -> Result<(Network, Vec<AllowedHost>)> {
    let ca_certificates = match &net.ca_bundle {
        Some(path) => Network::read_ca_bundle(path).map_err(|e| anyhow!(e))?,
        None => Vec::new(),
    };
    let proxy = match net.proxy.as_deref().map(str::trim) {
        None => ProxyChoice::FromEnvironment,
        Some("none" | "direct" | "") => ProxyChoice::Direct,
        Some(url) => ProxyChoice::Via {
            url: url.to_string(),
            no_proxy: net.no_proxy.clone(),
        },
    };
    let plain = net
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
    out.contents = config_file::parse(&text, path.parent().unwrap_or(Path::new(".")))
        .map_err(|e| anyhow!("the config file {}: {e}", path.display()))?;
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
    /// Most requests in flight at once to one upstream host; fewer when the
    /// connector suggests fewer, or the hourly budget allows fewer at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Most requests per hour (the connector's own budget applies when
    /// lower); 0 for no hourly budget at all (a local fake, say).
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
    /// Where renewed credentials go, and the connections it read.
    pub stored: Arc<super::stored::RunStore>,
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
    for (name, value) in &file.contents.settings {
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
        let mut net = file.contents.network.clone();
        net.ca_bundle = self.ca_bundle.clone().or(net.ca_bundle);
        net.proxy = self.proxy.clone().or(net.proxy);
        net.allow_plain_http
            .extend(self.allow_plain_http.iter().cloned());
        let (network, plain_http) = resolve(&net)?;
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
                self.requests_per_hour.or(file.contents.requests_per_hour),
                budgets.requests_per_hour,
            ),
            request_timeout: Duration::from_secs(self.timeout.max(1)),
            ..EgressLimits::default()
        };
        let egress = Egress::with_network(limits, network, allowlist).map_err(|e| anyhow!(e))?;
        let file_store = super::credential_file::ConfigFileStore {
            path: file.path.clone(),
            read_env: file.read_env,
        };
        // The demo reads no environment, and keeps nothing either.
        let connections = if file.read_env {
            super::stored::connection_store()?
        } else {
            None
        };
        let stored = Arc::new(super::stored::RunStore::new(
            file_store,
            connections,
            &connector.info().name,
        ));
        let io = Io {
            egress: Arc::new(egress),
            redactor: Arc::new(redactor),
            events,
            credentials: stored.clone(),
        };
        Ok(Ready {
            _runtime: runtime,
            connector,
            io,
            settings,
            config,
            file,
            stored,
        })
    }
}
