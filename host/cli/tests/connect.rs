//! `saas-host connect` end to end against the fake's consent flow, with an
//! HTTP client standing in for the browser: the state check, PKCE, the
//! connection kept in a 0600 file, a sync a week later (by the fake's
//! clock) that rotates the stored refresh token, two syncs at once, and
//! `disconnect`. No token ever reaches an output or a checkpoint.

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use common::cmd;
use fake_bitbucket::{FakeBitbucket, FakeConfig, Faults};

const WEEK: i64 = 7 * 86_400;

/// `saas-host` with a config folder under `home` (connections are kept
/// in its file) and the fake's consent page.
fn host(fake: &FakeBitbucket, home: &Path) -> Command {
    let mut c = cmd(fake, home);
    c.env("XDG_CONFIG_HOME", home.join("config"))
        .env("SAAS_HOST_CREDENTIAL_STORE", "file")
        .env("BITBUCKET_AUTHORIZE_URL", fake.authorize_url());
    c
}

/// A later run: the stored connection alone, no client in the variables.
fn later(fake: &FakeBitbucket, home: &Path) -> Command {
    let mut c = host(fake, home);
    c.env_remove("BITBUCKET_CLIENT_ID")
        .env_remove("BITBUCKET_CLIENT_SECRET");
    c
}

fn index(home: &Path) -> PathBuf {
    home.join("config/saas-host/connections.toml")
}

/// The stored refresh token.
fn stored_token(home: &Path) -> String {
    let text = std::fs::read_to_string(index(home)).unwrap();
    let doc: toml::Value = toml::from_str(&text).unwrap();
    doc["connection"][0]["fields"]["refresh-token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `connect` started, with the consent page it asks the person to open.
struct Started {
    child: Child,
    page: url::Url,
    stderr: Vec<String>,
}

fn start_connect(fake: &FakeBitbucket, home: &Path) -> Started {
    let mut child = host(fake, home)
        .args(["connect", "--no-browser", "--port", "0", "--wait", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stderr = Vec::new();
    let page = loop {
        let line = lines.next().expect("connect prints the page").unwrap();
        stderr.push(line.clone());
        if let Some(at) = line.find(&fake.authorize_url()) {
            break url::Url::parse(line[at..].trim()).unwrap();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Started {
        child,
        page,
        stderr,
    }
}

fn param(url: &url::Url, k: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.into_owned())
}

fn browser() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// Opens `url` as a browser would, without following; status and
/// `Location`.
fn open(url: &str) -> (u16, Option<String>) {
    let r = browser().get(url).call().unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    (r.status().as_u16(), location)
}

/// Consents on the fake's page and follows the redirect to the loopback;
/// `connect`'s end.
fn consent(started: &mut Started) -> Output {
    let (status, back) = open(started.page.as_str());
    assert_eq!(status, 302);
    let (status, _) = open(&back.unwrap());
    assert_eq!(status, 200);
    finish(&mut started.child)
}

/// The child's exit status and stdout (its stderr was read already).
fn finish(child: &mut Child) -> Output {
    use std::io::Read as _;
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    Output {
        status: child.wait().unwrap(),
        stdout,
        stderr: Vec::new(),
    }
}

/// Connects and returns `connect`'s stdout.
fn connected(fake: &FakeBitbucket, home: &Path) -> String {
    let mut started = start_connect(fake, home);
    let out = consent(&mut started);
    assert!(out.status.success(), "{:?}", started.stderr);
    String::from_utf8(out.stdout).unwrap()
}

/// Every file under `dir`, as text, for the canary search.
fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    out
}

#[test]
fn connect_keeps_a_private_connection_that_a_sync_a_week_later_renews() {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut started = start_connect(&fake, home.path());
    // The request: our loopback, a state, and an S256 challenge.
    let redirect = param(&started.page, "redirect_uri").unwrap();
    assert!(redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/callback"));
    assert_eq!(
        param(&started.page, "client_id").as_deref(),
        Some("demo-client")
    );
    assert_eq!(
        param(&started.page, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(param(&started.page, "state").unwrap().len() >= 43);
    let out = consent(&mut started);
    assert!(out.status.success(), "{:?}", started.stderr);
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.starts_with("connected bitbucket as User 18 (user18) to 3 workspaces (workspace-000"),
        "{said}"
    );
    assert!(said.contains("scopes read:workspace:bitbucket"), "{said}");
    assert_eq!(fake.pkce_verified(), 1, "the exchange proved the verifier");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(index(home.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let first = stored_token(home.path());
    assert!(fake.live_refresh_tokens().contains(&first));
    let listed = later(&fake, home.path())
        .arg("connections")
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.starts_with("bitbucket/bitbucket: User 18 (user18)"),
        "{listed}"
    );
    assert!(listed.contains(", lapses unless used by 20"), "{listed}");

    fake.advance_clock(WEEK);
    let synced = later(&fake, home.path())
        .args(["-vvv", "sync", "--format", "json", "--no-progress"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&synced.stderr).into_owned();
    assert!(synced.status.success(), "{stderr}");
    assert!(
        stderr.contains("using the stored connection of the slot bitbucket"),
        "{stderr}"
    );
    let second = stored_token(home.path());
    assert_ne!(first, second, "the rotated token replaced the spent one");
    let live = fake.live_refresh_tokens();
    assert!(live.contains(&second) && !live.contains(&first), "{live:?}");
    // The canaries: the refresh tokens, the client secret.
    let stdout = String::from_utf8_lossy(&synced.stdout);
    for secret in [first.as_str(), second.as_str(), "demo-client-secret"] {
        for (name, text) in [
            ("stdout", &*stdout),
            ("stderr", &stderr),
            ("connect", &said),
            ("connections", &listed),
        ] {
            assert!(!text.contains(secret), "{secret} in {name}");
        }
        for (path, text) in files_under(home.path()) {
            if path != index(home.path()) {
                assert!(!text.contains(secret), "{secret} in {}", path.display());
            }
        }
    }
}

#[test]
fn a_forged_state_is_refused_and_nothing_is_stored() {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut started = start_connect(&fake, home.path());
    let redirect = param(&started.page, "redirect_uri").unwrap();
    let (status, _) = open(&format!("{redirect}?code=stolen&state=forged"));
    assert_eq!(status, 400);
    let out = finish(&mut started.child);
    assert_eq!(out.status.code(), Some(3));
    assert!(!index(home.path()).exists() || stored_is_empty(home.path()));
    // The person declines: a clear refusal, nothing stored either.
    fake.deny_consent(true);
    let mut started = start_connect(&fake, home.path());
    let (_, back) = open(started.page.as_str());
    assert_eq!(open(&back.unwrap()).0, 400);
    assert_eq!(finish(&mut started.child).status.code(), Some(3));
    assert!(!index(home.path()).exists() || stored_is_empty(home.path()));
}

fn stored_is_empty(home: &Path) -> bool {
    !std::fs::read_to_string(index(home))
        .unwrap()
        .contains("[[connection]]")
}

#[test]
fn two_syncs_at_once_keep_the_newest_token() {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    let home = tempfile::tempdir().unwrap();
    connected(&fake, home.path());
    // Slow answers, so that the two runs surely overlap: without the
    // store's lock both would spend the same refresh token.
    fake.set_faults(Faults {
        latency: std::time::Duration::from_millis(250),
        ..Faults::default()
    });
    let run = || {
        later(&fake, home.path())
            .args(["sync", "--format", "csv", "--no-progress"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (run(), run());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let kept = stored_token(home.path());
    let issued: Vec<String> = fake
        .live_refresh_tokens()
        .into_iter()
        .filter(|t| t.starts_with("fbb-"))
        .collect();
    assert_eq!(
        issued,
        [kept],
        "only the newest token lives, and it is kept"
    );
    let third = later(&fake, home.path())
        .args(["sync", "--format", "csv", "--no-progress"])
        .output()
        .unwrap();
    assert!(third.status.success());
}

#[test]
fn disconnect_forgets_the_connection_and_says_how_to_revoke_it() {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    let home = tempfile::tempdir().unwrap();
    connected(&fake, home.path());
    let out = later(&fake, home.path())
        .arg("disconnect")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("disconnected bitbucket/bitbucket"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("App authorizations"));
    assert!(stored_is_empty(home.path()));
    let out = later(&fake, home.path())
        .arg("connections")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing is connected"));
    let out = later(&fake, home.path())
        .args(["sync", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `saas-host connect`"));
    let again = later(&fake, home.path())
        .arg("disconnect")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn an_expired_connection_asks_to_connect_again_and_a_connector_without_a_flow_says_so() {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    let home = tempfile::tempdir().unwrap();
    connected(&fake, home.path());
    fake.advance_clock(fake_bitbucket::auth::REFRESH_TOKEN_IDLE_LIFETIME + WEEK);
    let out = later(&fake, home.path())
        .args(["sync", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("run `saas-host connect` again"), "{stderr}");
    let out = host(&fake, home.path())
        .env("BITBUCKET_DC_BASE_URL", fake.api_base_url())
        .args(["connect", "--connector", "bitbucket-dc", "--no-browser"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("declares no consent flow"));
}
