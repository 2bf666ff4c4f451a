//! Credentials the upstream renews, kept across restarts of `saas-host`.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::process::{Command, Output, Stdio};

use fake_bitbucket::{FakeBitbucket, FakeConfig};

const BIN: &str = env!("CARGO_BIN_EXE_saas-host");

fn bare(cache: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("XDG_CACHE_HOME", cache)
        .env("XDG_STATE_HOME", cache)
        .stdin(Stdio::null());
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn refresh_token(config: &str) -> String {
    let table: toml::Table = toml::from_str(config).unwrap();
    table["credentials"]["bitbucket"]["refresh-token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_rotated_refresh_token_is_written_back_and_the_next_run_signs_in_with_it() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 5,
        ..FakeConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saas-host.toml");
    std::fs::write(
        &path,
        format!(
            "# Bitbucket of Example Corp\n[settings]\napi-base-url = \"{}\"\ntoken-url = \"{}\"\n\n\
             [credentials.bitbucket]\nclient-id = \"demo-client\"\n\
             client-secret = \"demo-client-secret\"\nrefresh-token = \"demo-refresh-token\" # from the consent\n",
            fake.api_base_url(),
            fake.token_url()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut seen = vec!["demo-refresh-token".to_string()];
    for run in 0..2 {
        let out = bare(dir.path())
            .args(["-vv", "sync", "--format", "json", "--config"])
            .arg(&path)
            .output()
            .unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(0), "run {run}: {all}");
        let config = std::fs::read_to_string(&path).unwrap();
        let token = refresh_token(&config);
        assert!(
            !seen.contains(&token),
            "run {run}: the token was not renewed"
        );
        assert!(
            config.starts_with("# Bitbucket of Example Corp\n"),
            "{config}"
        );
        assert!(all.contains("bitbucket.refresh-token: stored in"), "{all}");
        for secret in seen.iter().chain([&token]) {
            assert!(!all.contains(secret.as_str()), "run {run} shows {secret}");
        }
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        seen.push(token);
    }
    // A spent token is refused: the rotation was real.
    let out = bare(dir.path())
        .args(["sync", "--config"])
        .arg(&path)
        .env("BITBUCKET_REFRESH_TOKEN", &seen[1])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
}

#[test]
fn a_token_from_the_environment_cannot_be_kept_and_the_run_says_so_loudly() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 1,
        members: 3,
        ..FakeConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = bare(dir.path())
        .args(["sync"])
        .env("BITBUCKET_API_BASE_URL", fake.api_base_url())
        .env("BITBUCKET_TOKEN_URL", fake.token_url())
        .env("BITBUCKET_CLIENT_ID", "demo-client")
        .env("BITBUCKET_CLIENT_SECRET", "demo-client-secret")
        .env("BITBUCKET_REFRESH_TOKEN", "demo-refresh-token")
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("was not stored") && all.contains("BITBUCKET_REFRESH_TOKEN"),
        "{all}"
    );
    assert!(!all.contains("fbb-refresh-"), "{all}");
}

#[test]
fn no_verbosity_shows_either_apis_secrets_in_any_form() {
    use base64::Engine as _;
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 8,
        managed_every: 2,
        ..FakeConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (org, key) = fake.admin_key();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let secrets = [
        "demo-client-secret".to_string(),
        key.clone(),
        "fbb-access-".into(),
        "fbb-refresh-".into(),
        b64("demo-client:demo-client-secret"),
        b64(&key),
    ];
    for flags in [&[][..], &["-v"], &["-vv"], &["-vvv"]] {
        let out = bare(dir.path())
            .args(flags)
            .args(["sync", "--format", "json"])
            .env("BITBUCKET_API_BASE_URL", fake.api_base_url())
            .env("BITBUCKET_TOKEN_URL", fake.token_url())
            .env("BITBUCKET_ADMIN_API_BASE_URL", fake.admin_base_url())
            .env("BITBUCKET_CLIENT_ID", "demo-client")
            .env("BITBUCKET_CLIENT_SECRET", "demo-client-secret")
            .env("ATLASSIAN_ADMIN_ORG_ID", &org)
            .env("ATLASSIAN_ADMIN_API_KEY", &key)
            .output()
            .unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(0), "{all}");
        assert!(all.contains("atlassian-admin-last-active"), "{flags:?}");
        for secret in &secrets {
            assert!(!all.contains(secret.as_str()), "{flags:?} shows {secret}");
        }
    }
}

#[test]
fn variables_making_two_kinds_of_credential_are_refused_until_one_is_named() {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let both = |c: &mut Command| {
        c.env("BITBUCKET_EMAIL", "admin@example.com")
            .env("BITBUCKET_API_TOKEN", "demo-api-token")
            .args(["sync", "--format", "json"])
            .output()
            .unwrap()
    };
    let refused = both(&mut common::cmd(&fake, home.path()));
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("more than one credential (basic, oauth-client-credentials)")
            && text(&refused).contains("BITBUCKET_AUTH_KIND"),
        "{}",
        text(&refused)
    );
    let chosen = both(common::cmd(&fake, home.path()).env("BITBUCKET_AUTH_KIND", "api-token"));
    assert!(chosen.status.success(), "{}", text(&chosen));
}
