//! What an embedder may replace of the host's egress, after wasmtime's
//! `WasiHttpHooks`: where requests may go, which headers a guest may set,
//! and how one attempt is sent. [`Allowlist`] is the reference host's policy.

use std::net::IpAddr;

use http::HeaderName;
use http::header;
use url::{Host, Url};

use super::EgressError;
use super::transport::Transport;

/// Request headers a guest may not set: the ones wasmtime's wasi-http
/// forbids by default, and `content-length`, which the transport computes.
pub const DEFAULT_FORBIDDEN_HEADERS: [HeaderName; 10] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    HeaderName::from_static("proxy-connection"),
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::HOST,
    HeaderName::from_static("http2-settings"),
    header::CONTENT_LENGTH,
];

/// The egress decisions an embedder may take over. Every method has a
/// default: nothing may leave, the default forbidden headers, and the
/// built-in transport (rustls, no redirects, the limits' caps).
pub trait EgressHooks: Send + Sync {
    /// Whether a request may go to `url` (already `http` or `https`, with
    /// no user or password); `Err` says why not. Default: nowhere.
    fn check_destination(&self, url: &Url) -> Result<(), String> {
        Err(format!(
            "no destination is allowed (asked for {})",
            url.host_str().unwrap_or("?")
        ))
    }

    /// Whether a guest may set the header `name`.
    fn is_forbidden_header(&self, name: &HeaderName) -> bool {
        DEFAULT_FORBIDDEN_HEADERS.contains(name)
    }

    /// Sends one attempt (retries, rate limits and concurrency are the
    /// egress's). Default: the built-in transport.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        transport: &Transport,
    ) -> Result<http::Response<Vec<u8>>, EgressError> {
        transport.send(request)
    }
}

/// Denies everything: the hooks of an `Io` that must not reach anything.
#[derive(Debug, Default, Clone, Copy)]
pub struct DenyAll;

impl EgressHooks for DenyAll {}

/// One allowed origin: a host, and a port (the scheme's default when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    /// Host name or IP, lower case.
    pub host: String,
    /// Port; none means the scheme's default port.
    pub port: Option<u16>,
}

impl AllowedHost {
    /// The origin of a URL (its host and explicit port).
    pub fn of_url(url: &str) -> Option<Self> {
        let url = Url::parse(url).ok()?;
        Some(AllowedHost {
            host: url.host_str()?.to_ascii_lowercase(),
            port: url.port(),
        })
    }

    /// `HOST` or `HOST:PORT`, as an operator writes it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = Url::parse(&format!("http://{}", text.trim()))
            .map_err(|_| format!("{text:?} is not a HOST or HOST:PORT"))?;
        match (url.host_str(), url.path(), url.username()) {
            (Some(host), "/", "") if url.query().is_none() => Ok(AllowedHost {
                host: host.to_ascii_lowercase(),
                port: url.port(),
            }),
            _ => Err(format!("{text:?} is not a HOST or HOST:PORT")),
        }
    }

    /// A plain host name, default port.
    pub fn host(host: &str) -> Self {
        AllowedHost {
            host: host.to_ascii_lowercase(),
            port: None,
        }
    }

    fn allows(&self, url: &Url) -> bool {
        url.host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(&self.host))
            && url.port() == self.port
    }
}

/// Whether a URL's host is loopback: an IP loopback address, or the name
/// `localhost` (which resolves to loopback). `127.evil.example` is not.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(a)) => IpAddr::V4(a).is_loopback(),
        Some(Host::Ipv6(a)) => IpAddr::V6(a).is_loopback(),
        None => false,
    }
}

/// The reference host's policy: the listed origins and nothing else, over
/// `https`, or plain `http` to a loopback host or to an origin the operator
/// opted in for (an instance inside a company network).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    hosts: Vec<AllowedHost>,
    plain_http: Vec<AllowedHost>,
}

impl Allowlist {
    /// These origins.
    pub fn new(hosts: Vec<AllowedHost>) -> Self {
        Allowlist {
            hosts,
            plain_http: Vec::new(),
        }
    }

    /// The origins of these URLs; a plain `http` URL to anything but
    /// loopback is refused here, before anything is sent.
    pub fn of_urls<'a>(urls: impl IntoIterator<Item = &'a Url>) -> Result<Self, String> {
        Self::of_urls_with(urls, Vec::new())
    }

    /// [`Allowlist::of_urls`], with plain `http` also allowed to the
    /// origins in `plain_http` (the operator's explicit opt-in).
    pub fn of_urls_with<'a>(
        urls: impl IntoIterator<Item = &'a Url>,
        plain_http: Vec<AllowedHost>,
    ) -> Result<Self, String> {
        let mut hosts = Vec::new();
        for url in urls {
            if url.scheme() == "http"
                && !is_loopback(url)
                && !plain_http.iter().any(|a| a.allows(url))
            {
                return Err(format!(
                    "{url}: plain http is allowed only to loopback and to hosts opted in for it \
                     (allow_plain_http); use https"
                ));
            }
            let host =
                AllowedHost::of_url(url.as_str()).ok_or_else(|| format!("{url} has no host"))?;
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        Ok(Allowlist { hosts, plain_http })
    }

    /// The allowed origins.
    pub fn hosts(&self) -> &[AllowedHost] {
        &self.hosts
    }
}

impl EgressHooks for Allowlist {
    fn check_destination(&self, url: &Url) -> Result<(), String> {
        if url.scheme() == "http"
            && !is_loopback(url)
            && !self.plain_http.iter().any(|a| a.allows(url))
        {
            return Err(format!(
                "plain http to {} is not allowed (only to loopback and to hosts opted in for it)",
                url.host_str().unwrap_or("?")
            ));
        }
        if self.hosts.iter().any(|a| a.allows(url)) {
            return Ok(());
        }
        let host = url.host_str().unwrap_or("?");
        Err(match url.port() {
            Some(p) => format!("host {host}:{p} is not in the allowlist"),
            None => format!("host {host} is not in the allowlist"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn plain_http_goes_only_to_loopback() {
        let list = Allowlist::new(vec![
            AllowedHost::host("127.evil.example"),
            AllowedHost::of_url("http://127.0.0.1:8080").unwrap(),
            AllowedHost::host("api.example.com"),
        ]);
        assert!(
            list.check_destination(&url("http://127.0.0.1:8080/x"))
                .is_ok()
        );
        assert!(
            list.check_destination(&url("http://127.evil.example/x"))
                .is_err()
        );
        assert!(
            list.check_destination(&url("https://127.evil.example/x"))
                .is_ok()
        );
        assert!(
            list.check_destination(&url("http://api.example.com/"))
                .is_err()
        );
        assert!(
            list.check_destination(&url("https://api.example.com/"))
                .is_ok()
        );
        assert!(
            list.check_destination(&url("https://api.example.com:444/"))
                .is_err()
        );
        assert!(Allowlist::of_urls([&url("http://127.evil.example")]).is_err());
        assert!(Allowlist::of_urls([&url("http://[::1]:9")]).is_ok());
        assert!(Allowlist::of_urls([&url("http://localhost:9")]).is_ok());
    }

    #[test]
    fn plain_http_goes_elsewhere_only_to_opted_in_origins() {
        let opted = vec![AllowedHost::parse("bitbucket.internal:7990").unwrap()];
        let internal = url("http://bitbucket.internal:7990/");
        let list = Allowlist::of_urls_with([&internal], opted.clone()).unwrap();
        assert!(list.check_destination(&internal).is_ok());
        assert!(
            list.check_destination(&url("http://bitbucket.internal/"))
                .is_err()
        );
        assert!(Allowlist::of_urls_with([&url("http://other.internal:7990")], opted).is_err());
        assert!(Allowlist::of_urls([&internal]).is_err());
        for bad in ["", "a/b", "u@h", "h:x"] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad}");
        }
    }
}
