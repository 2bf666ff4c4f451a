//! Every credential kind, good and bad, against the fake Bitbucket.

mod common;

use bitbucket_connector::Error;
use bitbucket_connector::auth;
use bitbucket_connector::endpoints::Config;
use bitbucket_connector::endpoints::Endpoints;
use bitbucket_connector::session::{AuthMode, Credentials, OAuthClient, TokenType};
use common::{Lines, Native};
use fake_bitbucket::{FakeBitbucket, FakeConfig};

fn setup() -> (FakeBitbucket, Endpoints) {
    let fake = FakeBitbucket::start(FakeConfig::default()).unwrap();
    let e = Endpoints::new(&Config {
        api_base_url: Some(fake.api_base_url()),
        token_url: Some(fake.token_url()),
        ..Config::default()
    })
    .unwrap();
    (fake, e)
}

fn client(secret: &str) -> OAuthClient {
    OAuthClient {
        client_id: "demo-client".into(),
        client_secret: secret.into(),
    }
}

fn authenticate(
    e: &Endpoints,
    c: Credentials,
) -> Result<bitbucket_connector::session::Session, Error> {
    // An access token names its workspace; the other kinds ignore it.
    let config = Config {
        include_workspaces: vec!["workspace-000".into()],
        ..Config::default()
    };
    auth::authenticate(
        &Native::default(),
        e,
        &config,
        &c,
        None,
        &Lines::default(),
        1_000,
    )
}

#[test]
fn every_valid_credential_kind_gives_a_checked_session() {
    let (_fake, e) = setup();
    let cases = [
        (
            Credentials::OAuthClientCredentials(client("demo-client-secret")),
            AuthMode::OAuthClientCredentials,
        ),
        (
            Credentials::OAuthRefreshToken {
                client: client("demo-client-secret"),
                refresh_token: "demo-refresh-token".into(),
            },
            AuthMode::OAuthRefreshToken,
        ),
        (
            Credentials::OAuthAuthorizationCode {
                client: client("demo-client-secret"),
                code: "demo-auth-code".into(),
                redirect_uri: None,
                code_verifier: None,
            },
            AuthMode::OAuthAuthorizationCode,
        ),
        (
            Credentials::ApiToken {
                email: "admin@example.com".into(),
                token: "demo-api-token".into(),
            },
            AuthMode::ApiToken,
        ),
        (
            Credentials::AccessToken("demo-access-token".into()),
            AuthMode::AccessToken,
        ),
    ];
    for (creds, mode) in cases {
        let s = authenticate(&e, creds).unwrap();
        assert_eq!(s.mode, mode);
        if mode.is_oauth() {
            assert_eq!(s.token_type, TokenType::Bearer);
            assert_eq!(s.expires_at, Some(1_000 + 7200));
            assert!(s.refresh_token.is_some());
            assert!(s.scopes.contains(&"read:workspace:bitbucket".to_string()));
        }
    }
}

#[test]
fn refuses_app_passwords_with_the_date_they_were_removed_and_sends_nothing() {
    let (fake, e) = setup();
    let creds = Credentials::AppPassword {
        username: "demo-admin".into(),
        password: "demo-app-password".into(),
    };
    let err = authenticate(&e, creds).unwrap_err();
    assert!(
        matches!(err, Error::InvalidCredentials(ref m)
            if m.contains("2026-07-28") && m.contains("API token")),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains("demo-app-password"));
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

#[test]
fn an_access_token_checks_its_own_workspace_not_the_workspace_listing() {
    let (fake, e) = setup();
    authenticate(&e, Credentials::AccessToken("demo-access-token".into())).unwrap();
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/2.0/workspaces/workspace-000"]);
    // Without it, the token lists its workspaces like any other.
    let s = auth::authenticate(
        &Native::default(),
        &e,
        &Config::default(),
        &Credentials::AccessToken("demo-access-token".into()),
        None,
        &Lines::default(),
        0,
    )
    .unwrap();
    assert_eq!(s.mode, AuthMode::AccessToken);
}

#[test]
fn each_bad_credential_is_one_typed_error_without_the_secret() {
    let (_fake, e) = setup();
    let cases = [
        Credentials::OAuthClientCredentials(client("wrong-secret-value")),
        Credentials::OAuthRefreshToken {
            client: client("demo-client-secret"),
            refresh_token: "revoked-refresh-token".into(),
        },
        Credentials::OAuthAuthorizationCode {
            client: client("demo-client-secret"),
            code: "used-or-bogus-code".into(),
            redirect_uri: None,
            code_verifier: None,
        },
        Credentials::ApiToken {
            email: "admin@example.com".into(),
            token: "wrong-api-token".into(),
        },
        Credentials::AccessToken("wrong-access-token".into()),
        Credentials::AppPassword {
            username: "demo-admin".into(),
            password: "wrong-app-password".into(),
        },
    ];
    for creds in cases {
        let err = authenticate(&e, creds.clone()).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(
            matches!(err, Error::InvalidCredentials(_)),
            "{creds:?}: {err:?}"
        );
        for secret in [
            "wrong-secret-value",
            "revoked-refresh-token",
            "used-or-bogus-code",
            "wrong-api-token",
            "wrong-access-token",
            "wrong-app-password",
            "demo-client-secret",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}

/// The grant proves an OAuth client, so no check call follows it: the
/// listing's first request proves the token's scopes, and fails alike.
#[test]
fn missing_scopes_are_insufficient_scope_at_the_first_request() {
    let (fake, e) = setup();
    let session = authenticate(
        &e,
        Credentials::OAuthClientCredentials(OAuthClient {
            client_id: "repo-only-client".into(),
            client_secret: "repo-only-secret".into(),
        }),
    )
    .unwrap();
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/site/oauth2/access_token"]);
    let config = Config {
        api_base_url: Some(fake.api_base_url()),
        token_url: Some(fake.token_url()),
        ..Config::default()
    };
    let err = bitbucket_connector::listing::list_users(
        &Native::default(),
        &Lines::default(),
        &config,
        &session,
        None,
        1_000,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::InsufficientScope(ref s) if s.required == ["read:workspace:bitbucket"]),
        "{err:?}"
    );
}

#[test]
fn an_api_token_needs_an_email() {
    let (_fake, e) = setup();
    let err = authenticate(
        &e,
        Credentials::ApiToken {
            email: "demo-admin".into(),
            token: "demo-api-token".into(),
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidConfig(_)));
}

#[test]
fn bad_configs_are_refused_before_any_request() {
    for (api, token, page) in [
        (Some("ftp://x"), None, None),
        (Some("not a url"), None, None),
        (Some("https://user:pw@api.example"), None, None),
        (None, Some("mailto:x"), None),
        (None, None, Some(0)),
        (None, None, Some(101)),
    ] {
        let cfg = Config {
            api_base_url: api.map(String::from),
            token_url: token.map(String::from),
            page_size: page,
            ..Config::default()
        };
        assert!(
            matches!(Endpoints::new(&cfg), Err(Error::InvalidConfig(_))),
            "{cfg:?}"
        );
    }
}
