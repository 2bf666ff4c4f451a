//! A hostile host and a hostile checkpoint: tampered cursors, batches
//! answered short, a listing that fails part-way through a workspace, and
//! the retired discovery endpoint. Each gets a typed error or the truth,
//! never a trap, a silent loss or a request it should not send.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bitbucket_connector::Error;
use bitbucket_connector::auth;
use bitbucket_connector::cursor::{Cursor, Phase, TaskState};
use bitbucket_connector::endpoints::{Config, Endpoints};
use bitbucket_connector::listing::list_users;
use bitbucket_connector::session::{AuthMode, Credentials, Session, TokenType};
use common::listing::{config, fake, list_all, now, session};
use common::{Lines, Native};
use fake_bitbucket::{FakeBitbucket, FakeConfig, Faults, PermissionsMode};
use saas_connector_sdk::UserPage;
use saas_connector_sdk::http::{HttpClient, HttpError, Request, Response};

/// Lists one step, small, so that the cursor is in the members phase.
fn first_step(fake: &FakeBitbucket, cfg: &Config, s: &Session) -> UserPage {
    fake.clear_requests();
    list_users(&Native::default(), &Lines::default(), cfg, s, None, now()).unwrap()
}

fn small_steps(fake: &FakeBitbucket) -> Config {
    Config {
        max_requests_per_step: Some(3),
        ..config(fake)
    }
}

/// Lists one step from `cursor`: the error, and how many requests reached
/// the fake (or anywhere else) for it.
fn resume(fake: &FakeBitbucket, cfg: &Config, s: &Session, cursor: &str) -> (Error, usize) {
    fake.clear_requests();
    let err = list_users(
        &Native::default(),
        &Lines::default(),
        cfg,
        s,
        Some(cursor),
        now(),
    )
    .expect_err("a tampered cursor is refused");
    (err, fake.requests().len() + fake.foreign_requests().len())
}

/// The cursor of a members-phase step, decoded, with `edit` applied.
fn tampered(cfg: &Config, text: &str, edit: impl Fn(&mut TaskState)) -> String {
    let endpoints = Endpoints::new(cfg).unwrap();
    let mut cursor = Cursor::decode(text, &endpoints, cfg.listing_hash()).unwrap();
    let Phase::Members { tasks } = &mut cursor.phase else {
        panic!("the step ended outside the members phase");
    };
    edit(&mut tasks[0].state);
    cursor.encode()
}

#[test]
fn a_forged_link_in_a_cursor_is_invalid_cursor_and_nothing_is_sent() {
    let fake = fake(2, 250);
    let cfg = small_steps(&fake);
    let s = session(&cfg);
    let page = first_step(&fake, &cfg, &s);
    let text = page.next_cursor.expect("more to list");
    let foreign = format!("{}/2.0/workspaces/x/permissions", fake.foreign_base_url());
    let with_userinfo = fake
        .api_base_url()
        .replace("http://", "http://user:pw@")
        .to_string()
        + "/2.0/workspaces/x/permissions";
    for (name, link) in [
        ("foreign host", foreign),
        ("userinfo", with_userinfo),
        ("garbage", "::not a url::".to_string()),
        ("other scheme", "file:///etc/passwd".to_string()),
    ] {
        for state in [
            TaskState::Follow {
                next: link.clone(),
                visited: vec![],
            },
            TaskState::Pages {
                first: link.clone(),
                next_page: 2,
                last_page: 3,
            },
        ] {
            let forged = tampered(&cfg, &text, |s| *s = state.clone());
            let (err, sent) = resume(&fake, &cfg, &s, &forged);
            assert!(matches!(err, Error::InvalidCursor(_)), "{name}: {err:?}");
            assert_eq!(sent, 0, "{name}: requests were sent");
        }
    }
    let runaway = tampered(&cfg, &text, |s| {
        *s = TaskState::Pages {
            first: format!("{}/2.0/workspaces/x/permissions", fake.api_base_url()),
            next_page: 2,
            last_page: u64::MAX,
        }
    });
    assert!(matches!(
        resume(&fake, &cfg, &s, &runaway),
        (Error::InvalidCursor(_), 0)
    ));
}

#[test]
fn garbage_truncated_and_bit_flipped_cursors_are_invalid_cursor() {
    let fake = fake(2, 250);
    let cfg = small_steps(&fake);
    let s = session(&cfg);
    let text = first_step(&fake, &cfg, &s).next_cursor.unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
    let mut flipped = Vec::new();
    for i in (0..bytes.len()).step_by(7) {
        bytes[i] ^= 0x20;
        flipped.push(URL_SAFE_NO_PAD.encode(&bytes));
        bytes[i] ^= 0x20;
    }
    let mut bad = vec![
        String::new(),
        "!!!".into(),
        "bm90IGpzb24".into(),
        text[..text.len() / 2].to_string(),
    ];
    bad.extend(flipped);
    for cursor in &bad {
        let (err, sent) = resume(&fake, &cfg, &s, cursor);
        assert!(
            matches!(err, Error::InvalidCursor(_)),
            "{cursor:?}: {err:?}"
        );
        assert_eq!(sent, 0, "{cursor:?}: requests were sent");
    }
}

#[test]
fn a_cursor_made_under_other_settings_is_refused_without_a_request() {
    let fake = fake(3, 250);
    let cfg = small_steps(&fake);
    let s = session(&cfg);
    let text = first_step(&fake, &cfg, &s).next_cursor.unwrap();
    let others = [
        Config {
            include_workspaces: vec!["workspace-000".into()],
            ..cfg.clone()
        },
        Config {
            exclude_workspaces: vec!["workspace-001".into()],
            ..cfg.clone()
        },
        Config {
            page_size: Some(50),
            ..cfg.clone()
        },
    ];
    for other in &others {
        let (err, sent) = resume(&fake, other, &s, &text);
        assert!(
            matches!(&err, Error::InvalidCursor(m) if m.contains("other settings")),
            "{err:?}"
        );
        assert_eq!(sent, 0);
    }
    // The same filters in another order and case are the same listing.
    let a = Config {
        include_workspaces: vec!["Workspace-000".into(), "workspace-001".into()],
        ..cfg.clone()
    };
    let b = Config {
        include_workspaces: vec!["workspace-001".into(), "workspace-000".into()],
        ..cfg.clone()
    };
    assert_eq!(a.listing_hash(), b.listing_hash());
}

/// A host that answers every batch one result short.
struct ShortBatches(Native);

impl HttpClient for ShortBatches {
    fn send(&self, request: Request) -> Result<Response, HttpError> {
        self.0.send(request)
    }

    fn send_all(&self, requests: Vec<Request>) -> Vec<Result<Response, HttpError>> {
        let mut results = self.0.send_all(requests);
        results.pop();
        results
    }
}

#[test]
fn a_batch_answered_short_is_a_typed_error_not_a_panic_or_a_lost_page() {
    let fake = fake(3, 250);
    let cfg = config(&fake);
    let s = session(&cfg);
    let http = ShortBatches(Native::default());
    // Discovery sends a batch of one, answered with none; the members phase
    // sends many, answered one short.
    let err = list_users(&http, &Lines::default(), &cfg, &s, None, now()).unwrap_err();
    assert!(
        matches!(&err, Error::Transport(m) if m.contains("answered 0 results for a batch of 1")),
        "{err:?}"
    );
    let discovered = list_users(
        &Native::default(),
        &Lines::default(),
        &Config {
            max_requests_per_step: Some(1),
            ..cfg.clone()
        },
        &s,
        None,
        now(),
    )
    .unwrap();
    let err = list_users(
        &http,
        &Lines::default(),
        &cfg,
        &s,
        discovered.next_cursor.as_deref(),
        now(),
    )
    .unwrap_err();
    assert!(matches!(&err, Error::Transport(m) if m.contains("results for a batch of")));
}

#[test]
fn a_permissions_listing_failing_after_its_first_page_lists_every_member_once() {
    for step in [None, Some(2), Some(5)] {
        let fake = FakeBitbucket::start(FakeConfig {
            workspaces: 2,
            members: 250,
            ..FakeConfig::default()
        })
        .unwrap();
        fake.set_faults(Faults {
            permissions: PermissionsMode::FailAfterFirstPage,
            ..Faults::default()
        });
        let cfg = Config {
            max_requests_per_step: step,
            ..config(&fake)
        };
        let (seen, _) = list_all(&cfg, &session(&cfg), None)
            .unwrap_or_else(|e| panic!("steps of {step:?}: {e:?}"));
        assert_eq!(seen, fake.truth().users, "steps of {step:?}");
    }
}

#[test]
fn the_members_fallback_never_leaves_a_dateless_member_looking_never_active() {
    let fake = fake(1, 250);
    fake.set_faults(Faults {
        permissions: PermissionsMode::FailAfterFirstPage,
        ..Faults::default()
    });
    let cfg = config(&fake);
    let s = session(&cfg);
    let mut cursor = None;
    loop {
        let page = list_users(
            &Native::default(),
            &Lines::default(),
            &cfg,
            &s,
            cursor.as_deref(),
            now(),
        )
        .unwrap();
        for m in page.users.iter().flat_map(|u| &u.memberships) {
            assert!(
                !m.evidence.is_empty() || m.evidence_gap.is_some(),
                "a membership with neither evidence nor a gap: {m:?}"
            );
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
}

#[test]
fn the_retired_workspace_listing_is_never_tried_and_both_calls_name_the_endpoint() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 10,
        user_workspaces_missing: true,
        legacy_workspaces_gone: false,
        ..FakeConfig::default()
    })
    .unwrap();
    let cfg = config(&fake);
    // An API token is checked at sign-in (an OAuth grant is not: the
    // listing's first request proves it).
    let sign_in = auth::authenticate(
        &Native::default(),
        &Endpoints::new(&cfg).unwrap(),
        &cfg,
        &Credentials::ApiToken {
            email: "admin@example.com".into(),
            token: "demo-api-token".into(),
        },
        None,
        &Lines::default(),
        now(),
    )
    .unwrap_err();
    // A ready API-token session, past the credential check.
    let s = Session {
        mode: AuthMode::ApiToken,
        token_type: TokenType::Basic,
        access_token: "YWRtaW5AZXhhbXBsZS5jb206ZGVtby1hcGktdG9rZW4=".into(),
        expires_at: None,
        refresh_token: None,
        client: None,
        scopes: vec![],
        admin: None,
        renewed: false,
        principal: None,
    };
    fake.clear_requests();
    let listing = list_all(&cfg, &s, None).unwrap_err();
    for err in [&sign_in, &listing] {
        assert!(
            matches!(err, Error::NotFound(m) if m.starts_with("GET /2.0/user/workspaces")),
            "{err:?}"
        );
    }
    assert!(
        fake.requests()
            .iter()
            .all(|r| !r.path.starts_with("/2.0/workspaces")),
        "the retired /2.0/workspaces was asked"
    );
}
