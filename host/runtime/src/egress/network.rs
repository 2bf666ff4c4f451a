//! How the egress reaches upstreams that sit inside a company network:
//! the certificate roots it trusts (an internal CA's bundle) and the proxy
//! it goes through (given, taken from the usual environment variables, or
//! none). Loopback never goes through a proxy.

use std::path::Path;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::{Proxy, ProxyProtocol};
use url::Url;

/// Where the proxy comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProxyChoice {
    /// `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY` (or their lower-case
    /// forms), with `NO_PROXY`; direct when none is set.
    #[default]
    FromEnvironment,
    /// Never a proxy, whatever the environment says.
    Direct,
    /// This proxy (`http://host:port`, or `https://` for a proxy spoken to
    /// over TLS), with these `NO_PROXY`-style exceptions.
    Via {
        /// The proxy's URL; a user and password in it authenticate to it.
        url: String,
        /// Hosts reached directly (`.corp.example`, `*.internal`, a name).
        no_proxy: Vec<String>,
    },
}

/// The network side of an egress.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Trust exactly these roots (DER certificates) instead of the public
    /// web roots, like `curl --cacert`; empty: the public roots.
    pub ca_certificates: Vec<Vec<u8>>,
    /// The proxy.
    pub proxy: ProxyChoice,
}

/// Hosts no proxy is used for: loopback, by exact name. (A `127.` entry
/// would be a prefix to the proxy crate, and send `127.evil.example`
/// around the proxy.)
const LOOPBACK: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "::1"];

impl Network {
    /// Reads a PEM bundle of CA certificates (the form `ca-certificates`,
    /// `openssl` and every internal CA hand out).
    pub fn read_ca_bundle(path: &Path) -> Result<Vec<Vec<u8>>, String> {
        let pem = std::fs::read(path)
            .map_err(|e| format!("reading the CA bundle {}: {e}", path.display()))?;
        let certs: Vec<Vec<u8>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(c)) => Some(c.der().to_vec()),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(format!(
                "the CA bundle {} holds no PEM certificate",
                path.display()
            ));
        }
        Ok(certs)
    }

    /// The TLS settings: the bundle's roots, or the public ones.
    pub(super) fn tls(&self) -> TlsConfig {
        let builder = TlsConfig::builder();
        if self.ca_certificates.is_empty() {
            return builder.build();
        }
        let roots: Vec<Certificate<'static>> = self
            .ca_certificates
            .iter()
            .map(|der| Certificate::from_der(der).to_owned())
            .collect();
        builder
            .root_certs(RootCerts::new_with_certs(&roots))
            .build()
    }

    /// The proxy in force, with loopback always reached directly; `Err`
    /// says why a proxy URL cannot be used.
    pub fn proxy(&self) -> Result<Option<Proxy>, String> {
        match &self.proxy {
            ProxyChoice::Direct => Ok(None),
            ProxyChoice::Via { url, no_proxy } => build(url, no_proxy).map(Some),
            ProxyChoice::FromEnvironment => match from_environment() {
                None => Ok(None),
                Some((url, no_proxy)) => build(&url, &no_proxy)
                    .map(Some)
                    .map_err(|e| format!("the proxy environment variable: {e}")),
            },
        }
    }

    /// The password in the proxy's URL (given or from the environment),
    /// when it has one: a secret for the host to mask.
    pub fn proxy_password(&self) -> Option<String> {
        let url = match &self.proxy {
            ProxyChoice::Direct => return None,
            ProxyChoice::Via { url, .. } => url.clone(),
            ProxyChoice::FromEnvironment => from_environment()?.0,
        };
        let url = Url::parse(&url).ok()?;
        let password = url.password()?;
        Some(
            percent_encoding::percent_decode_str(password)
                .decode_utf8_lossy()
                .into_owned(),
        )
    }
}

/// The proxy URL and `NO_PROXY` list of the environment, when one is set.
fn from_environment() -> Option<(String, Vec<String>)> {
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
    };
    let url = var(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
        .or_else(|| var(&["HTTP_PROXY", "http_proxy"]))?;
    let no_proxy = var(&["NO_PROXY", "no_proxy"])
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    Some((url, no_proxy))
}

/// The proxy's host and port, for messages (never its user or password).
pub fn describe(proxy: &Proxy) -> String {
    format!("{}:{}", proxy.host(), proxy.port())
}

fn build(text: &str, no_proxy: &[String]) -> Result<Proxy, String> {
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let url = Url::parse(&with_scheme).map_err(|_| "the proxy URL does not parse".to_string())?;
    let protocol = match url.scheme() {
        "http" => ProxyProtocol::Http,
        "https" => ProxyProtocol::Https,
        other => {
            return Err(format!(
                "proxies of scheme {other:?} are not supported (http or https)"
            ));
        }
    };
    let host = url
        .host_str()
        .ok_or_else(|| "the proxy URL has no host".to_string())?;
    let mut builder = Proxy::builder(protocol).host(host);
    if let Some(port) = url.port() {
        builder = builder.port(port);
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    if !url.username().is_empty() {
        builder = builder.username(&decode(url.username()));
    }
    if let Some(password) = url.password() {
        builder = builder.password(&decode(password));
    }
    for host in LOOPBACK
        .iter()
        .copied()
        .chain(no_proxy.iter().map(String::as_str))
    {
        builder = builder.no_proxy(host);
    }
    builder
        .build()
        .map_err(|e| format!("the proxy URL cannot be used: {e}"))
}
