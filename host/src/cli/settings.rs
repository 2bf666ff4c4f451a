//! Where a command's settings come from: a TOML file and environment
//! variables (never command-line arguments, which other users can read).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use saas_host::bindings::{
    ApiToken, AppPassword, Config, Credentials, OauthClient, OauthCode, OauthRefresh,
};
use saas_host::egress::{AllowedHost, Egress, EgressPolicy};
use saas_host::imports::{Events, Io};
use saas_host::redact::Redactor;
use saas_host::{Connector, Runtime, RuntimeOptions};
use serde::Deserialize;

/// The settings file (`--config`), all fields optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    /// API base URL.
    pub api_base_url: Option<String>,
    /// OAuth token URL.
    pub token_url: Option<String>,
    /// Page size.
    pub page_size: Option<u32>,
    /// Request budget of one listing step (smaller steps, finer checkpoints).
    pub max_requests_per_step: Option<u32>,
    /// Requests per hour.
    pub requests_per_hour: Option<u32>,
    /// Credentials.
    #[serde(default)]
    pub credentials: CredentialSettings,
}

/// Credential fields, from the file or the environment.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialSettings {
    /// Which kind; inferred from the fields present when absent.
    pub kind: Option<String>,
    /// OAuth consumer key.
    pub client_id: Option<String>,
    /// OAuth consumer secret.
    pub client_secret: Option<String>,
    /// OAuth refresh token.
    pub refresh_token: Option<String>,
    /// OAuth authorization code.
    pub auth_code: Option<String>,
    /// Redirect URI of the authorization request.
    pub redirect_uri: Option<String>,
    /// Account email (API tokens).
    pub email: Option<String>,
    /// API token.
    pub api_token: Option<String>,
    /// Access token.
    pub access_token: Option<String>,
    /// Username (app passwords).
    pub username: Option<String>,
    /// App password.
    pub app_password: Option<String>,
}

/// Environment variables for each credential field.
pub const ENV_VARS: [(&str, &str); 11] = [
    ("kind", "BITBUCKET_AUTH_KIND"),
    ("client_id", "BITBUCKET_CLIENT_ID"),
    ("client_secret", "BITBUCKET_CLIENT_SECRET"),
    ("refresh_token", "BITBUCKET_REFRESH_TOKEN"),
    ("auth_code", "BITBUCKET_AUTH_CODE"),
    ("redirect_uri", "BITBUCKET_REDIRECT_URI"),
    ("email", "BITBUCKET_EMAIL"),
    ("api_token", "BITBUCKET_API_TOKEN"),
    ("access_token", "BITBUCKET_ACCESS_TOKEN"),
    ("username", "BITBUCKET_USERNAME"),
    ("app_password", "BITBUCKET_APP_PASSWORD"),
];

impl CredentialSettings {
    fn field(&mut self, name: &str) -> &mut Option<String> {
        match name {
            "kind" => &mut self.kind,
            "client_id" => &mut self.client_id,
            "client_secret" => &mut self.client_secret,
            "refresh_token" => &mut self.refresh_token,
            "auth_code" => &mut self.auth_code,
            "redirect_uri" => &mut self.redirect_uri,
            "email" => &mut self.email,
            "api_token" => &mut self.api_token,
            "access_token" => &mut self.access_token,
            "username" => &mut self.username,
            _ => &mut self.app_password,
        }
    }

    /// Overrides fields from the environment.
    pub fn apply_env(&mut self) {
        for (name, var) in ENV_VARS {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                *self.field(name) = Some(v);
            }
        }
    }

    /// Builds the credentials.
    pub fn credentials(&self) -> Result<Credentials> {
        let need = |v: &Option<String>, what: &str| -> Result<String> {
            v.clone().with_context(|| {
                format!(
                    "the credentials need {what} (in the config file or its environment variable)"
                )
            })
        };
        let client = || -> Result<OauthClient> {
            Ok(OauthClient {
                client_id: need(&self.client_id, "client_id")?,
                client_secret: need(&self.client_secret, "client_secret")?,
            })
        };
        let kind = match &self.kind {
            Some(k) => k.clone(),
            None if self.access_token.is_some() => "access-token".into(),
            None if self.api_token.is_some() => "api-token".into(),
            None if self.app_password.is_some() => "app-password".into(),
            None if self.refresh_token.is_some() => "oauth-refresh-token".into(),
            None if self.auth_code.is_some() => "oauth-authorization-code".into(),
            None if self.client_id.is_some() => "oauth-client-credentials".into(),
            None => bail!(
                "no credentials: set them in the config file's [credentials] table or in BITBUCKET_* environment variables"
            ),
        };
        Ok(match kind.as_str() {
            "oauth-client-credentials" => Credentials::OauthClientCredentials(client()?),
            "oauth-refresh-token" => Credentials::OauthRefreshToken(OauthRefresh {
                client: client()?,
                refresh_token: need(&self.refresh_token, "refresh_token")?,
            }),
            "oauth-authorization-code" => Credentials::OauthAuthorizationCode(OauthCode {
                client: client()?,
                code: need(&self.auth_code, "auth_code")?,
                redirect_uri: self.redirect_uri.clone(),
            }),
            "api-token" => Credentials::ApiToken(ApiToken {
                email: need(&self.email, "email")?,
                token: need(&self.api_token, "api_token")?,
            }),
            "access-token" => Credentials::AccessToken(need(&self.access_token, "access_token")?),
            "app-password" => Credentials::AppPassword(AppPassword {
                username: need(&self.username, "username")?,
                password: need(&self.app_password, "app_password")?,
            }),
            other => bail!("unknown credential kind {other:?}"),
        })
    }
}

/// Reads the settings file (if given) and applies the environment.
pub fn load_file(path: Option<&Path>) -> Result<FileSettings> {
    let mut settings = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading the config file {}", p.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("parsing the config file {}", p.display()))?
        }
        None => FileSettings::default(),
    };
    if let Ok(v) = std::env::var("BITBUCKET_API_BASE_URL") {
        settings.api_base_url = Some(v);
    }
    if let Ok(v) = std::env::var("BITBUCKET_TOKEN_URL") {
        settings.token_url = Some(v);
    }
    settings.credentials.apply_env();
    Ok(settings)
}

/// Options shared by every command that runs a connector.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectorArgs {
    /// The connector component; the bundled Bitbucket connector when absent.
    #[arg(long, value_name = "WASM")]
    pub connector: Option<PathBuf>,
    /// Settings file (TOML): URLs and credentials.
    #[arg(long, value_name = "FILE", env = "SAAS_HOST_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder for compiled components.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile every time, without the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Most requests per hour (Bitbucket allows about 1,000 per user).
    #[arg(long)]
    pub requests_per_hour: Option<u32>,
    /// Timeout of one HTTP request, in seconds.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Guest CPU budget of one call, in seconds.
    #[arg(long, default_value_t = 30)]
    pub cpu_budget: u64,
    /// Guest memory cap, in MiB.
    #[arg(long, default_value_t = 256)]
    pub memory_mib: usize,
}

/// A loaded connector with everything needed to call it.
pub struct Ready {
    /// The runtime (keeps the epoch ticker alive).
    pub _runtime: Runtime,
    /// The connector.
    pub connector: Connector,
    /// Its I/O.
    pub io: Io,
    /// Its config.
    pub config: Config,
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "::1"
}

impl ConnectorArgs {
    /// Loads the connector and builds its sandboxed I/O.
    pub fn ready(
        &self,
        config: Config,
        settings: FileSettings,
        events: Arc<dyn Events>,
    ) -> Result<Ready> {
        let runtime = Runtime::new(RuntimeOptions {
            cache_dir: if self.no_cache {
                None
            } else {
                self.cache_dir
                    .clone()
                    .or_else(saas_host::cache::default_dir)
            },
            memory_limit: self.memory_mib * 1024 * 1024,
            cpu_budget: Duration::from_secs(self.cpu_budget.max(1)),
        })?;
        let connector = match &self.connector {
            Some(path) => runtime.load_file(path),
            None => runtime.load(saas_host::BUNDLED_CONNECTOR),
        }
        .context("loading the connector")?;
        // Allowed: the configured URLs' hosts, else what the connector declares.
        let configured: Vec<&String> = config
            .api_base_url
            .iter()
            .chain(config.token_url.iter())
            .collect();
        let allowed: Vec<AllowedHost> = if configured.is_empty() {
            connector
                .info()
                .hosts
                .iter()
                .map(|h| AllowedHost::host(h))
                .collect()
        } else {
            configured
                .iter()
                .map(|u| AllowedHost::of_url(u).with_context(|| format!("{u:?} is not a URL")))
                .collect::<Result<_>>()?
        };
        let allow_http = configured.iter().any(|u| u.starts_with("http://"))
            && allowed.iter().all(|a| is_loopback(&a.host));
        let egress = Egress::new(EgressPolicy {
            allowed,
            allow_http,
            concurrency: self.concurrency.max(1),
            requests_per_hour: self.requests_per_hour.or(settings.requests_per_hour),
            request_timeout: Duration::from_secs(self.timeout.max(1)),
            ..EgressPolicy::default()
        });
        let io = Io {
            egress: Arc::new(egress),
            redactor: Arc::new(Redactor::new()),
            events,
        };
        Ok(Ready {
            _runtime: runtime,
            connector,
            io,
            config,
        })
    }
}

/// The connector config from the settings and command options.
pub fn connector_config(settings: &FileSettings, include: &[String], exclude: &[String]) -> Config {
    Config {
        api_base_url: settings.api_base_url.clone(),
        token_url: settings.token_url.clone(),
        page_size: settings.page_size,
        include_workspaces: include.to_vec(),
        exclude_workspaces: exclude.to_vec(),
        max_requests_per_step: settings.max_requests_per_step,
    }
}
