//! The listing logic, natively, against the fake Bitbucket on loopback.

mod common;

use std::collections::BTreeSet;

use bitbucket_connector::Error;
use bitbucket_connector::listing::list_users;
use bitbucket_connector::session::Session;
use common::listing::{Seen, add, config, fake, list_all, now, session};
use common::{Lines, Native};
use fake_bitbucket::{FakeBitbucket, FakeConfig, Faults, NextFault, PermissionsMode};
use saas_connector_sdk::User;

#[test]
fn lists_exactly_the_truth_across_page_size_boundaries() {
    for members in [0, 1, 99, 100, 101] {
        let fake = fake(3, members);
        let cfg = config(&fake);
        let (seen, _) = list_all(&cfg, &session(&cfg), None).unwrap();
        assert_eq!(seen, fake.truth().users, "{members} members per workspace");
    }
}

#[test]
fn describes_every_workspace_even_when_a_step_ends_mid_batch() {
    // Discovery takes one request of the first step's 100: the batch of
    // details and first pages for 50 workspaces does not fit in what is left.
    let fake = fake(50, 1);
    let cfg = config(&fake);
    let s = session(&cfg);
    let (http, log) = (Native::default(), Lines::default());
    let mut cursor = None;
    let mut described = BTreeSet::new();
    loop {
        let page = list_users(&http, &log, &cfg, &s, cursor.as_deref(), now()).unwrap();
        for w in page.units {
            assert!(w.name.is_some(), "{w:?}");
            assert!(described.insert(w.unit.key), "described twice");
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(described.len(), 50);
}

#[test]
fn resumes_from_every_cursor_without_gaps_or_extras() {
    let fake = fake(3, 45);
    let mut cfg = config(&fake);
    cfg.page_size = Some(10);
    cfg.max_requests_per_step = Some(3);
    let s = session(&cfg);
    let (http, log) = (Native::default(), Lines::default());
    // Record each step's users, then restart from each cursor.
    let mut steps: Vec<(Option<String>, Vec<User>)> = Vec::new();
    let mut cursor = None;
    loop {
        let page = list_users(&http, &log, &cfg, &s, cursor.as_deref(), now()).unwrap();
        steps.push((cursor.clone(), page.users));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert!(
        steps.len() > 5,
        "a multi-step listing ({} steps)",
        steps.len()
    );
    for i in 0..steps.len() {
        let mut seen = Seen::new();
        for (_, users) in &steps[..i] {
            add(&mut seen, users);
        }
        let (rest, _) = list_all(&cfg, &s, steps[i].0.clone()).unwrap();
        for (id, ws) in rest {
            seen.entry(id).or_default().extend(ws);
        }
        assert_eq!(seen, fake.truth().users, "resumed from step {i}");
    }
}

#[test]
fn follows_next_links_when_counts_are_absent() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 2,
        members: 230,
        page_counts: false,
        ..FakeConfig::default()
    })
    .unwrap();
    let cfg = config(&fake);
    let (seen, _) = list_all(&cfg, &session(&cfg), None).unwrap();
    assert_eq!(seen, fake.truth().users);
}

#[test]
fn makes_the_minimum_number_of_requests() {
    let fake = fake(4, 250);
    let cfg = config(&fake);
    let s = session(&cfg);
    fake.clear_requests();
    list_all(&cfg, &s, None).unwrap();
    // Discovery (1) + details (4) + ceil(250/100) = 3 pages per workspace.
    assert_eq!(fake.requests().len(), 1 + 4 + 4 * 3);
}

#[test]
fn asks_for_every_first_page_before_any_numbered_page() {
    // A first page names the workspace's other pages: read late, it leaves
    // nothing to fetch ahead while it is parsed.
    let fake = fake(20, 250);
    let cfg = config(&fake);
    let s = session(&cfg);
    fake.clear_requests();
    list_all(&cfg, &s, None).unwrap();
    let log = fake.requests();
    let members: Vec<_> = log
        .iter()
        .filter(|r| r.path.contains("/permissions"))
        .collect();
    let last_first = members
        .iter()
        .rposition(|r| !r.path.contains("page="))
        .unwrap();
    let first_numbered = members
        .iter()
        .position(|r| r.path.contains("page="))
        .unwrap();
    assert_eq!(members.len(), 20 * 3);
    assert!(
        last_first < first_numbered,
        "a numbered page went out before a first page: {:?}",
        members.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
}

#[test]
fn refuses_a_next_link_to_another_host_and_sends_it_nothing() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 1,
        members: 150,
        page_counts: false,
        ..FakeConfig::default()
    })
    .unwrap();
    fake.set_faults(Faults {
        next: NextFault::Foreign(fake.foreign_base_url()),
        ..Faults::default()
    });
    let cfg = config(&fake);
    let err = list_all(&cfg, &session(&cfg), None).unwrap_err();
    assert!(
        matches!(err, Error::Pagination(ref m) if m.contains("leaves the API")),
        "{err:?}"
    );
    assert!(fake.foreign_requests().is_empty());
}

#[test]
fn stops_on_a_repeated_next_link() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 1,
        members: 350,
        page_counts: false,
        ..FakeConfig::default()
    })
    .unwrap();
    fake.set_faults(Faults {
        next: NextFault::Repeat,
        ..Faults::default()
    });
    let cfg = config(&fake);
    let err = list_all(&cfg, &session(&cfg), None).unwrap_err();
    assert!(
        matches!(err, Error::Pagination(ref m) if m.contains("repeats")),
        "{err:?}"
    );
}

#[test]
fn survives_a_next_link_on_the_last_page_and_duplicates_across_pages() {
    for page_counts in [true, false] {
        let fake = FakeBitbucket::start(FakeConfig {
            workspaces: 2,
            members: 250,
            page_counts,
            ..FakeConfig::default()
        })
        .unwrap();
        fake.set_faults(Faults {
            next: NextFault::PresentOnLast,
            duplicate_members: true,
            ..Faults::default()
        });
        let cfg = config(&fake);
        let (seen, _) = list_all(&cfg, &session(&cfg), None).unwrap();
        assert_eq!(seen, fake.truth().users, "page counts: {page_counts}");
    }
}

#[test]
fn falls_back_to_members_when_permissions_are_refused() {
    for mode in [PermissionsMode::Forbidden, PermissionsMode::ServerError] {
        let fake = fake(2, 120);
        fake.set_faults(Faults {
            permissions: mode,
            ..Faults::default()
        });
        let cfg = config(&fake);
        let s = session(&cfg);
        let (http, log) = (Native::default(), Lines::default());
        let mut cursor = None;
        let mut seen = Seen::new();
        loop {
            let page = list_users(&http, &log, &cfg, &s, cursor.as_deref(), now()).unwrap();
            assert!(
                page.users
                    .iter()
                    .flat_map(|u| &u.memberships)
                    .all(|m| m.role.is_none() && m.evidence.is_empty())
            );
            add(&mut seen, &page.users);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, fake.truth().users);
        assert!(
            log.0
                .lock()
                .unwrap()
                .iter()
                .any(|l| l.contains("/members instead"))
        );
    }
}

#[test]
fn refreshes_an_expired_token_once_and_hands_back_the_session() {
    let fake = fake(2, 300);
    fake.set_faults(Faults {
        expire_tokens_after: Some(3),
        ..Faults::default()
    });
    let mut cfg = config(&fake);
    cfg.max_requests_per_step = Some(2);
    let s = session(&cfg);
    let (http, log) = (Native::default(), Lines::default());
    let mut session = s.clone();
    let mut cursor = None;
    let mut refreshed = 0;
    let mut seen = Seen::new();
    loop {
        let page = list_users(&http, &log, &cfg, &session, cursor.as_deref(), now()).unwrap();
        add(&mut seen, &page.users);
        if let Some(fresh) = page.session {
            let fresh = Session::from_contract(&fresh).unwrap();
            assert_ne!(fresh.access_token, session.access_token);
            session = fresh;
            refreshed += 1;
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(refreshed, 1);
    assert_eq!(seen, fake.truth().users);
}

#[test]
fn a_rate_limit_is_a_typed_error_with_the_hint() {
    let fake = fake(1, 10);
    let cfg = config(&fake);
    let s = session(&cfg);
    fake.set_faults(Faults {
        rate_limit_every: Some(1),
        retry_after: Some(42),
        ..Faults::default()
    });
    let err = list_all(&cfg, &s, None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::RateLimited(saas_connector_sdk::RateLimit {
                retry_after: Some(42),
                ..
            })
        ),
        "{err:?}"
    );
}

#[test]
fn honours_the_workspace_filter() {
    let fake = fake(4, 20);
    let mut cfg = config(&fake);
    cfg.include_workspaces = vec![
        "workspace-000".into(),
        "workspace-002".into(),
        "missing".into(),
    ];
    cfg.exclude_workspaces = vec!["WORKSPACE-002".into()];
    let (seen, _) = list_all(&cfg, &session(&cfg), None).unwrap();
    let workspaces: BTreeSet<_> = seen.values().flatten().cloned().collect();
    assert_eq!(workspaces, BTreeSet::from(["workspace-000".to_string()]));
}

#[test]
fn rejects_a_cursor_it_did_not_make() {
    let fake = fake(1, 5);
    let cfg = config(&fake);
    let err = list_all(&cfg, &session(&cfg), Some("bm90IGEgY3Vyc29y".into())).unwrap_err();
    assert!(matches!(err, Error::InvalidCursor(_)));
}

#[test]
fn corrupt_pages_are_typed_errors() {
    use fake_bitbucket::BodyFault;
    for body in [
        BodyFault::MalformedJson,
        BodyFault::Html,
        BodyFault::Empty,
        BodyFault::WrongTypes,
        BodyFault::NotUtf8,
    ] {
        let fake = fake(1, 5);
        fake.set_faults(Faults {
            body,
            ..Faults::default()
        });
        let cfg = config(&fake);
        let err = list_all(&cfg, &session(&cfg), None).unwrap_err();
        assert!(
            matches!(err, Error::MalformedResponse(_)),
            "{body:?}: {err:?}"
        );
    }
}
