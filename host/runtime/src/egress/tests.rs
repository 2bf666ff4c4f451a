use super::test_server::{get, response, scripted};
use super::*;

/// A server answering every request with `body` after `delay`.
fn server(delay: Duration, body: &'static str) -> (Url, Arc<super::test_server::Seen>) {
    scripted(delay, move || response("200 OK", "", body.as_bytes()))
}

#[test]
fn a_forbidden_header_is_denied_before_anything_is_sent() {
    let (url, hits) = server(Duration::ZERO, "ok");
    let egress = Egress::new(EgressLimits::default(), Allowlist::of_urls([&url]).unwrap());
    assert_eq!(egress.send(&get(&url)).unwrap().body(), b"ok");
    for name in [
        "host",
        "Transfer-Encoding",
        "proxy-authorization",
        "content-length",
    ] {
        let mut r = get(&url);
        r.headers_mut().insert(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_static("1"),
        );
        assert!(
            matches!(egress.send(&r), Err(EgressError::Denied(_))),
            "{name}"
        );
    }
    assert_eq!(hits.hits.load(Ordering::SeqCst), 1);
    assert_eq!(egress.counts().denied, 4);
}

#[test]
fn a_guests_own_timeout_is_capped_by_the_hosts() {
    let (url, _) = server(Duration::from_secs(3), "late");
    let limits = EgressLimits {
        request_timeout: Duration::from_millis(300),
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..EgressLimits::default()
    };
    let egress = Egress::new(limits, Allowlist::of_urls([&url]).unwrap());
    let mut r = get(&url);
    r.extensions_mut().insert(Timeout(Duration::from_secs(60)));
    assert_eq!(egress.send(&r).unwrap_err(), EgressError::Timeout);
}

/// An embedder's hooks: its own destination rule and its own transport.
struct Canned;

impl EgressHooks for Canned {
    fn check_destination(&self, url: &Url) -> Result<(), String> {
        (url.host_str() == Some("api.example.com"))
            .then_some(())
            .ok_or_else(|| "only api.example.com".into())
    }

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        _: &Transport,
    ) -> Result<http::Response<Vec<u8>>, EgressError> {
        let timeout = request.extensions().get::<Timeout>().copied();
        Ok(http::Response::new(format!("{timeout:?}").into_bytes()))
    }
}

#[test]
fn an_embedder_replaces_the_destination_rule_and_the_transport() {
    let egress = Egress::new(EgressLimits::default(), Canned);
    let ok = Url::parse("https://api.example.com/x").unwrap();
    let answer = egress.send(&get(&ok)).unwrap();
    // The host's own timeout reaches the embedder's transport.
    assert_eq!(answer.body(), b"Some(Timeout(60s))");
    let other = Url::parse("https://elsewhere.example/x").unwrap();
    assert_eq!(
        egress.send(&get(&other)).unwrap_err(),
        EgressError::Denied("only api.example.com".into())
    );
    let creds = Url::parse("https://u:p@api.example.com/").unwrap();
    assert!(matches!(
        egress.send(&get(&creds)),
        Err(EgressError::Denied(_))
    ));
}

#[test]
fn a_given_proxys_password_is_known_for_masking() {
    use super::{Network, ProxyChoice};
    let network = Network {
        ca_certificates: Vec::new(),
        proxy: ProxyChoice::Via {
            url: "http://ops:s%3Acret@proxy.corp:3128".into(),
            no_proxy: Vec::new(),
        },
    };
    assert_eq!(network.proxy_password().as_deref(), Some("s:cret"));
    assert!(network.proxy().unwrap().is_some());
    let direct = Network {
        ca_certificates: Vec::new(),
        proxy: ProxyChoice::Direct,
    };
    assert_eq!(direct.proxy_password(), None);
}

#[test]
fn only_loopback_itself_bypasses_a_proxy_not_names_that_look_like_it() {
    use super::{Network, ProxyChoice};
    let network = Network {
        ca_certificates: Vec::new(),
        proxy: ProxyChoice::Via {
            url: "http://proxy.corp:3128".into(),
            no_proxy: vec![".intra.corp".into()],
        },
    };
    let proxy = network.proxy().unwrap().unwrap();
    let bypasses = |url: &str| proxy.is_no_proxy(&url.parse().unwrap());
    for direct in [
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "http://[::1]:7990/x",
        "https://git.intra.corp/x",
    ] {
        assert!(bypasses(direct), "{direct} should go direct");
    }
    for proxied in [
        "https://127.evil.example/x",
        "https://localhost.evil.example/x",
        "https://api.bitbucket.org/x",
    ] {
        assert!(!bypasses(proxied), "{proxied} should use the proxy");
    }
}
