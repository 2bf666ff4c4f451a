//! The fake's consent flow: the authorize page redirects back with a code
//! and the state; the token endpoint takes the code once, with the same
//! redirect URI, with a verifier that matches the PKCE challenge, and
//! within its lifetime; refresh tokens rotate and die unused after 90 days.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use fake_bitbucket::{FakeBitbucket, FakeConfig};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

const BACK: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// The authorize page's answer: its status and the redirect's query pairs.
fn consent(fake: &FakeBitbucket, query: &str) -> (u16, Vec<(String, String)>) {
    let r = agent()
        .get(&format!("{}?{query}", fake.authorize_url()))
        .call()
        .unwrap();
    let pairs = r
        .headers()
        .get("location")
        .map(|l| {
            let url = url::Url::parse(l.to_str().unwrap()).unwrap();
            assert!(url.as_str().starts_with(BACK), "{url}");
            url.query_pairs().into_owned().collect()
        })
        .unwrap_or_default();
    (r.status().as_u16(), pairs)
}

fn pair<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

/// A code issued for a request with the PKCE challenge of [`VERIFIER`].
fn code(fake: &FakeBitbucket) -> String {
    let back = url::form_urlencoded::byte_serialize(BACK.as_bytes()).collect::<String>();
    let (status, pairs) = consent(
        fake,
        &format!(
            "client_id=demo-client&response_type=code&redirect_uri={back}&state=s1&\
             code_challenge={}&code_challenge_method=S256",
            challenge()
        ),
    );
    assert_eq!(status, 302);
    assert_eq!(pair(&pairs, "state"), Some("s1"));
    pair(&pairs, "code").unwrap().to_string()
}

fn exchange(fake: &FakeBitbucket, form: &str) -> (u16, Value) {
    let mut r = agent()
        .post(&fake.token_url())
        .header(
            "Authorization",
            &format!(
                "Basic {}",
                STANDARD.encode("demo-client:demo-client-secret")
            ),
        )
        .content_type("application/x-www-form-urlencoded")
        .send(form)
        .unwrap();
    let body = r.body_mut().read_to_string().unwrap();
    (r.status().as_u16(), serde_json::from_str(&body).unwrap())
}

fn code_form(code: &str, verifier: Option<&str>, redirect: &str) -> String {
    let mut f = url::form_urlencoded::Serializer::new(String::new());
    f.append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", redirect);
    if let Some(v) = verifier {
        f.append_pair("code_verifier", v);
    }
    f.finish()
}

#[test]
fn a_code_needs_the_verifier_of_its_challenge_and_its_redirect_uri_once() {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    for (verifier, redirect) in [
        (None, BACK),
        (
            Some("the-wrong-verifier-of-forty-three-characters-00000"),
            BACK,
        ),
        (Some(VERIFIER), "http://127.0.0.1:10/callback"),
    ] {
        let (status, body) = exchange(&fake, &code_form(&code(&fake), verifier, redirect));
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    }
    assert_eq!(fake.pkce_verified(), 0);
    let code = code(&fake);
    let (status, body) = exchange(&fake, &code_form(&code, Some(VERIFIER), BACK));
    assert_eq!(status, 200, "{body}");
    assert!(body["refresh_token"].is_string());
    assert_eq!(fake.pkce_verified(), 1);
    let (status, _) = exchange(&fake, &code_form(&code, Some(VERIFIER), BACK));
    assert_eq!(status, 400, "a code is spent once used");
}

#[test]
fn a_code_expires_and_refresh_tokens_rotate_then_die_unused() {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    let late = code(&fake);
    fake.advance_clock(fake_bitbucket::consent::CODE_LIFETIME + 1);
    assert_eq!(
        exchange(&fake, &code_form(&late, Some(VERIFIER), BACK)).0,
        400
    );
    let (_, body) = exchange(&fake, &code_form(&code(&fake), Some(VERIFIER), BACK));
    let first = body["refresh_token"].as_str().unwrap().to_string();
    assert!(fake.live_refresh_tokens().contains(&first));
    let refresh = |t: &str| {
        exchange(
            &fake,
            &format!("grant_type=refresh_token&refresh_token={t}"),
        )
    };
    let (status, body) = refresh(&first);
    assert_eq!(status, 200);
    let second = body["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(refresh(&first).0, 400, "the old token died with its use");
    fake.advance_clock(fake_bitbucket::auth::REFRESH_TOKEN_IDLE_LIFETIME + 1);
    assert!(!fake.live_refresh_tokens().contains(&second));
    let (status, body) = refresh(&second);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[test]
fn the_page_refuses_strangers_and_says_when_the_person_declines() {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    let back = url::form_urlencoded::byte_serialize(BACK.as_bytes()).collect::<String>();
    // No redirect to an unknown client or a non-loopback URI.
    let (status, _) = consent(
        &fake,
        &format!("client_id=nobody&response_type=code&redirect_uri={back}"),
    );
    assert_eq!(status, 400);
    let (status, _) = consent(
        &fake,
        "client_id=demo-client&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2F",
    );
    assert_eq!(status, 400);
    let (_, pairs) = consent(
        &fake,
        &format!(
            "client_id=demo-client&response_type=code&redirect_uri={back}&code_challenge=x&code_challenge_method=plain&state=s"
        ),
    );
    assert_eq!(pair(&pairs, "error"), Some("invalid_request"));
    fake.deny_consent(true);
    let (status, pairs) = consent(
        &fake,
        &format!("client_id=demo-client&response_type=code&redirect_uri={back}&state=s2"),
    );
    assert_eq!(status, 302);
    assert_eq!(pair(&pairs, "error"), Some("access_denied"));
    assert_eq!(pair(&pairs, "state"), Some("s2"));
    assert_eq!(pair(&pairs, "code"), None);
}
