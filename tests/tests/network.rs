//! Self-hosted networks: an internal CA (made at test time), a CONNECT
//! proxy that alone knows the instance's name, and plain http only where
//! the operator opted in. Loopback stays the only default.

use std::sync::Arc;

use e2e::datacenter::{basic, dc};
use e2e::kit::{Listed, list};
use e2e::{Recorder, limits};
use fake_bitbucket_dc::network::{ConnectProxy, TestCa, test_ca};
use fake_bitbucket_dc::{ADMIN, DcConfig, FakeDc};
use saas_runtime::egress::{AllowedHost, Allowlist, Egress, Network, ProxyChoice};
use saas_runtime::imports::Io;
use saas_runtime::latest::{ConnectorError, Setting, SettingValue};
use saas_runtime::redact::Redactor;

/// The CA's certificates as the host reads them from a bundle file.
fn bundle(ca: &TestCa) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("internal-ca.pem");
    std::fs::write(&path, &ca.ca_pem).unwrap();
    Network::read_ca_bundle(&path).unwrap()
}

fn io(network: Network, allowlist: Allowlist) -> Io {
    Io {
        egress: Arc::new(Egress::with_network(limits(), network, allowlist).unwrap()),
        redactor: Arc::new(Redactor::new()),
        events: Arc::new(Recorder::default()),
        credentials: Arc::new(saas_runtime::credentials::NotStored),
    }
}

/// Signs in at `base` and lists everything; the users listed or the error.
fn sync(io: &Io, base: &str) -> Result<usize, ConnectorError> {
    let settings = vec![Setting {
        name: "base-url".into(),
        value: SettingValue::Url(base.into()),
    }];
    let config = dc().config(&settings).unwrap();
    let session = dc().authenticate(io, &config, &basic(ADMIN)).unwrap()?;
    match list(dc(), io, &config, &session, None) {
        Listed::Done { listing, .. } => Ok(listing.users.len()),
        Listed::Failed(e) => Err(e),
        other => panic!("{}", e2e::kit::describe(&other)),
    }
}

fn allow(base: &str) -> Allowlist {
    Allowlist::of_urls([&url::Url::parse(base).unwrap()]).unwrap()
}

/// Through `proxy`, trusting `ca`.
fn via(proxy: &ConnectProxy, ca: Vec<Vec<u8>>) -> Network {
    Network {
        ca_certificates: ca,
        proxy: ProxyChoice::Via {
            url: proxy.url(),
            no_proxy: Vec::new(),
        },
    }
}

fn direct(ca: Vec<Vec<u8>>) -> Network {
    Network {
        ca_certificates: ca,
        proxy: ProxyChoice::Direct,
    }
}

#[test]
fn an_internal_ca_is_trusted_only_when_given() {
    let ca = test_ca(&["localhost"]).unwrap();
    let fake = FakeDc::start_tls(DcConfig::default(), ca.server.clone()).unwrap();
    let base = fake.base_url();
    assert!(base.starts_with("https://localhost:"));
    let users = sync(&io(direct(bundle(&ca)), allow(&base)), &base).unwrap();
    assert_eq!(users, fake.truth(90).users.len());
    let refused = sync(&io(direct(Vec::new()), allow(&base)), &base).unwrap_err();
    assert!(
        matches!(&refused, ConnectorError::Transport(m) if m.to_lowercase().contains("certificate")),
        "{refused:?}"
    );
    let other = test_ca(&["localhost"]).unwrap();
    assert!(
        sync(&io(direct(bundle(&other)), allow(&base)), &base).is_err(),
        "another CA is not trusted"
    );
}

#[test]
fn a_proxy_reaches_an_instance_whose_name_only_it_knows() {
    let ca = test_ca(&["bitbucket.internal"]).unwrap();
    let fake = FakeDc::start_tls(DcConfig::default(), ca.server.clone()).unwrap();
    let proxy = ConnectProxy::start(fake.addr()).unwrap();
    let base = fake.base_url_as("bitbucket.internal");
    let via = via(&proxy, bundle(&ca));
    let users = sync(&io(via, allow(&base)), &base).unwrap();
    assert_eq!(users, fake.truth(90).users.len());
    let port = fake.addr().port();
    let targets = proxy.targets();
    assert!(
        !targets.is_empty()
            && targets
                .iter()
                .all(|t| *t == format!("bitbucket.internal:{port}")),
        "{targets:?}"
    );
    let unreachable = sync(&io(direct(bundle(&ca)), allow(&base)), &base).unwrap_err();
    assert!(
        matches!(unreachable, ConnectorError::Transport(_)),
        "without the proxy the name does not resolve"
    );
}

#[test]
fn plain_http_leaves_loopback_only_for_hosts_opted_in() {
    let fake = FakeDc::start(DcConfig::default()).unwrap();
    let proxy = ConnectProxy::start(fake.addr()).unwrap();
    let base = fake.base_url_as("bitbucket.internal");
    let internal = url::Url::parse(&base).unwrap();
    let refused = Allowlist::of_urls([&internal]).unwrap_err();
    assert!(refused.contains("plain http"), "{refused}");
    let opted = AllowedHost::parse(&format!("bitbucket.internal:{}", fake.addr().port())).unwrap();
    let allowlist = Allowlist::of_urls_with([&internal], vec![opted]).unwrap();
    let via = via(&proxy, Vec::new());
    assert_eq!(
        sync(&io(via, allowlist), &base).unwrap(),
        fake.truth(90).users.len()
    );
    assert!(!proxy.targets().is_empty());
}

#[test]
fn loopback_never_goes_through_the_proxy() {
    let fake = FakeDc::start(DcConfig::default()).unwrap();
    let proxy = ConnectProxy::start(fake.addr()).unwrap();
    let base = fake.base_url();
    let via = via(&proxy, Vec::new());
    assert_eq!(
        sync(&io(via, allow(&base)), &base).unwrap(),
        fake.truth(90).users.len()
    );
    assert!(proxy.targets().is_empty(), "{:?}", proxy.targets());
}
