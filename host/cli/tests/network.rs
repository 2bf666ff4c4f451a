//! `saas-host` inside a company network: the CA bundle from the command
//! line or the config file, the proxy from the usual environment variables,
//! plain http only where opted in.

use std::process::{Command, Output, Stdio};

use fake_bitbucket_dc::network::{ConnectProxy, test_ca};
use fake_bitbucket_dc::{ADMIN, DcConfig, FakeDc};

const BIN: &str = env!("CARGO_BIN_EXE_saas-host");

fn sync(cache: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("XDG_CACHE_HOME", cache)
        .env("XDG_STATE_HOME", cache)
        .env("BITBUCKET_DC_USERNAME", ADMIN.0)
        .env("BITBUCKET_DC_PASSWORD", ADMIN.1)
        .envs(env.iter().copied())
        .args([
            "sync",
            "--connector",
            "bitbucket-dc",
            "--format",
            "json",
            "--no-progress",
        ])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn users(out: &Output) -> usize {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["users"].as_array().unwrap().len()
}

#[test]
fn https_through_the_environments_proxy_with_the_internal_ca() {
    let ca = test_ca(&["bitbucket.internal"]).unwrap();
    let fake = FakeDc::start_tls(DcConfig::default(), ca.server.clone()).unwrap();
    let proxy = ConnectProxy::start(fake.addr()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, &ca.ca_pem).unwrap();
    let base = fake.base_url_as("bitbucket.internal");
    let env = [
        ("HTTPS_PROXY", proxy.url()),
        ("BITBUCKET_DC_BASE_URL", base.clone()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let listed = users(&sync(
        dir.path(),
        &env,
        &["--ca-bundle", bundle.to_str().unwrap()],
    ));
    assert_eq!(listed, fake.truth(90).users.len());
    assert!(!proxy.targets().is_empty());
    let untrusted = sync(dir.path(), &env, &[]);
    assert!(!untrusted.status.success());
    let stderr = String::from_utf8_lossy(&untrusted.stderr).to_lowercase();
    assert!(stderr.contains("certificate"), "{stderr}");
    let bypassed = sync(
        dir.path(),
        &env,
        &["--ca-bundle", bundle.to_str().unwrap(), "--proxy", "none"],
    );
    assert!(
        !bypassed.status.success(),
        "--proxy none goes direct, where the name does not resolve"
    );
}

#[test]
fn plain_http_needs_the_config_files_opt_in() {
    let fake = FakeDc::start(DcConfig::default()).unwrap();
    let proxy = ConnectProxy::start(fake.addr()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base = fake.base_url_as("bitbucket.internal");
    let config = dir.path().join("dc.toml");
    let write = |opt_in: &str| {
        std::fs::write(
            &config,
            format!(
                "proxy = \"{}\"\n{opt_in}\n[settings]\nbase-url = \"{base}\"\n",
                proxy.url()
            ),
        )
        .unwrap()
    };
    write("");
    let refused = sync(dir.path(), &[], &["--config", config.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("plain http"));
    assert!(
        proxy.targets().is_empty(),
        "refused before anything was sent"
    );
    write(&format!(
        "allow_plain_http = [\"bitbucket.internal:{}\"]",
        fake.addr().port()
    ));
    let listed = users(&sync(
        dir.path(),
        &[],
        &["--config", config.to_str().unwrap()],
    ));
    assert_eq!(listed, fake.truth(90).users.len());
}
