//! Whole syncs through the wasm connector in the host, against the fake.

use std::time::Duration;

use e2e::slot;
use e2e::{config, connector, demo_credentials, fake, io, seen, settings, sync_with};
use fake_bitbucket::{BodyFault, FakeBitbucket, FakeConfig, Faults, PermissionsMode};
use saas_runtime::latest::{
    BasicAuth, ConnectorError, Credential, OauthClient, OauthRefresh, Policy, SettingValue,
};
use saas_runtime::listing::LoopOptions;
use saas_runtime::merge::Merger;
use saas_runtime::settings::set_setting;
use saas_runtime::sync::{self, SyncError};

fn sync_all(fake: &FakeBitbucket) -> sync::Listing {
    let (io, _) = io(fake);
    sync_with(&io, settings(fake))
}

#[test]
fn a_sync_finds_exactly_the_truth() {
    let fake = fake(5, 230);
    let listing = sync_all(&fake);
    assert!(listing.complete, "{:?}", listing.stop);
    let truth = fake.truth();
    assert_eq!(seen(&listing.users), truth.users);
    assert_eq!(listing.units.len(), 5);
    assert!(
        listing
            .units
            .iter()
            .all(|w| w.name.is_some() && w.created_at.is_some())
    );
    // Every workspace of the fake but the fifth reports last-access dates.
    assert_eq!(listing.coverage.len(), 4);
    let (io, _) = io(&fake);
    let report =
        sync::compute_status(connector(), &io, &listing, policy(1_900_000_000, Some(10))).unwrap();
    assert_eq!(
        report.reconciliation.membership_sum as usize,
        truth.memberships
    );
    assert_eq!(
        report.reconciliation.unique_users as usize,
        truth.unique_users
    );
    assert_eq!(report.seats.used as usize, truth.memberships);
    assert!(report.seats.used_exceeds_purchased);
    for w in &report.seats.per_unit {
        assert_eq!(w.used as usize, truth.per_workspace[&w.unit.key]);
    }
}

/// A listing of several steps names each batch before sending it, with
/// what follows it, and each step's numbered pages while the one before is
/// parsed: every member page and every workspace's details are answered
/// from what came ahead, no URL reaches the fake twice, and the requests
/// are the minimum (the OAuth grant proves the credentials: no check call).
#[test]
fn later_pages_come_ahead_and_no_request_is_spent_twice() {
    let fake = fake(4, 1000);
    let (io, _) = io(&fake);
    let mut settings = settings(&fake);
    set_setting(
        &mut settings,
        "max-requests-per-step",
        SettingValue::U32(10),
    );
    let listing = sync_with(&io, settings);
    assert!(listing.complete, "{:?}", listing.stop);
    assert_eq!(seen(&listing.users), fake.truth().users);
    assert!(listing.stats.steps >= 5, "{} steps", listing.stats.steps);
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    let distinct: std::collections::HashSet<&String> = paths.iter().collect();
    assert_eq!(distinct.len(), paths.len(), "a URL was fetched twice");
    // The token, discovery, 4 details and 10 member pages per workspace.
    assert_eq!(paths.len(), 1 + 1 + 4 + 4 * 10, "{paths:#?}");
    // Every member page was named ahead, and so were the details; only
    // the token and discovery were not.
    assert_eq!(io.egress.counts().answered_ahead, 4 * 10 + 4);
}

/// An OAuth client's grant proves the client, not its scopes: the
/// listing's first request does, and a refusal there is a refused sign-in
/// (exit 3 in `saas-host`) that leaves an earlier checkpoint as it was.
#[test]
fn scopes_refused_at_the_first_request_are_a_refused_sign_in() {
    let fake = fake(2, 10);
    let (io, _) = io(&fake);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp.ndjson");
    let mut request = sync::SyncRequest::new(settings(&fake), demo_credentials());
    request.checkpoint = sync::CheckpointAt::File(path.clone());
    let listing = sync::list_all(connector(), &io, &request, &mut |_| {}).unwrap();
    assert!(listing.complete);
    let kept = std::fs::read(&path).unwrap();
    request.credentials = slot(Credential::OauthClientCredentials(OauthClient {
        client_id: "repo-only-client".into(),
        client_secret: "repo-only-secret".into(),
    }));
    let err = sync::list_all(connector(), &io, &request, &mut |_| {}).unwrap_err();
    assert!(
        matches!(err, SyncError::Auth(ref m) if m.contains("read:workspace:bitbucket")),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        kept,
        "the checkpoint was touched"
    );
}

/// The host computes statuses in chunks of users and combines them; the
/// result is the report of the whole listing in one call, for complete and
/// partial listings, with and without the operator's seat count.
#[test]
fn statuses_computed_in_chunks_equal_the_whole_listings() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 8,
        members: 1000,
        sharing: 0.05,
        ..FakeConfig::default()
    })
    .unwrap();
    let mut listing = sync_all(&fake);
    assert!(
        listing.users.len() > 2 * saas_runtime::status_chunks::CHUNK_USERS,
        "{} users",
        listing.users.len()
    );
    let (io, _) = io(&fake);
    for complete in [true, false] {
        listing.complete = complete;
        for purchased in [Some(10), None] {
            let policy = policy(1_900_000_000, purchased);
            let chunked = sync::compute_status(connector(), &io, &listing, policy).unwrap();
            let whole = connector()
                .compute_status(&io, &listing.to_contract(), policy)
                .unwrap()
                .unwrap();
            assert!(
                chunked.to_contract() == whole,
                "complete {complete}, purchased {purchased:?}"
            );
        }
    }
}

#[test]
fn page_size_boundaries_and_empty_workspaces_are_exact() {
    for members in [0, 1, 99, 100, 101] {
        let fake = fake(2, members);
        assert_eq!(
            seen(&sync_all(&fake).users),
            fake.truth().users,
            "{members} members"
        );
    }
}

#[test]
fn resuming_from_every_cursor_gives_the_same_users() {
    let fake = fake(3, 60);
    let mut s = settings(&fake);
    set_setting(&mut s, "page-size", SettingValue::U32(10));
    set_setting(&mut s, "max-requests-per-step", SettingValue::U32(4));
    let cfg = config(&s);
    let (io, _) = io(&fake);
    let c = connector();
    let session = c
        .authenticate(&io, &cfg, &demo_credentials())
        .unwrap()
        .unwrap();
    let mut steps = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = c
            .list_users(&io, &cfg, &session, cursor.as_deref())
            .unwrap()
            .unwrap();
        steps.push((cursor.clone(), page.users));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert!(steps.len() >= 5, "{} steps", steps.len());
    let truth = fake.truth().users;
    for i in 0..steps.len() {
        let mut merger = Merger::default();
        for (_, users) in &steps[..i] {
            merger.add(users.clone(), vec![], vec![]);
        }
        let mut cursor = steps[i].0.clone();
        loop {
            let page = c
                .list_users(&io, &cfg, &session, cursor.as_deref())
                .unwrap()
                .unwrap();
            merger.add(page.users, vec![], vec![]);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(
            seen(&merger.finish().users),
            truth,
            "resumed from cursor {i}"
        );
    }
}

#[test]
fn host_retries_absorb_429_and_5xx() {
    let fake = fake(3, 150);
    fake.set_faults(Faults {
        rate_limit_every: Some(4),
        server_error_every: Some((7, 503)),
        ..Faults::default()
    });
    let (io, _) = io(&fake);
    let listing = sync_with(&io, settings(&fake));
    assert!(listing.complete, "{:?}", listing.stop);
    assert_eq!(seen(&listing.users), fake.truth().users);
    assert!(io.egress.counts().retries > 0);
}

#[test]
fn a_429_storm_becomes_a_typed_rate_limit_that_the_sync_waits_out() {
    let fake = fake(1, 20);
    let (io, _) = io(&fake);
    let s = settings(&fake);
    let cfg = config(&s);
    let session = connector()
        .authenticate(&io, &cfg, &demo_credentials())
        .unwrap()
        .unwrap();
    fake.set_faults(Faults {
        rate_limit_for: Some(Duration::from_millis(1500)),
        retry_after: Some(1),
        ..Faults::default()
    });
    // One call: the host's retries (50 ms at most each) run out inside the storm.
    let err = connector()
        .list_users(&io, &cfg, &session, None)
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::RateLimited(ref r) if r.retry_after == Some(1)),
        "{}",
        err.describe()
    );
    // A sync waits the hint out and finishes.
    let listing = sync_with(&io, s);
    assert!(listing.complete, "{:?}", listing.stop);
    assert!(listing.stats.rate_limit_waits >= 1);
}

#[test]
fn falls_back_to_members_when_permissions_fail_or_time_out() {
    for mode in [
        PermissionsMode::Forbidden,
        PermissionsMode::Hang(Duration::from_secs(3)),
    ] {
        let fake = fake(2, 50);
        fake.set_faults(Faults {
            permissions: mode,
            ..Faults::default()
        });
        let mut limits = e2e::limits();
        limits.request_timeout = Duration::from_millis(500);
        limits.retry.max_retries = 0;
        let (io, rec) = e2e::io_with(limits, e2e::allowlist(&fake));
        let listing = sync_with(&io, settings(&fake));
        assert!(listing.complete, "{mode:?}: {:?}", listing.stop);
        assert_eq!(seen(&listing.users), fake.truth().users);
        assert!(
            rec.lines
                .lock()
                .unwrap()
                .iter()
                .any(|(_, l)| l.contains("/members instead"))
        );
    }
}

#[test]
fn corrupt_answers_are_typed_errors_and_partial_results() {
    for body in [
        BodyFault::MalformedJson,
        BodyFault::Html,
        BodyFault::Empty,
        BodyFault::WrongTypes,
        BodyFault::NotUtf8,
    ] {
        let fake = fake(1, 10);
        fake.set_faults(Faults {
            body,
            ..Faults::default()
        });
        let listing = sync_all(&fake);
        assert!(!listing.complete);
        let error = listing.stop.unwrap().describe();
        assert!(error.starts_with("malformed-response"), "{body:?}: {error}");
    }
}

#[test]
fn every_credential_kind_authenticates_through_the_component() {
    let fake = fake(1, 5);
    let (io, rec) = io(&fake);
    let client = OauthClient {
        client_id: "demo-client".into(),
        client_secret: "demo-client-secret".into(),
    };
    let good = [
        demo_credentials(),
        slot(Credential::OauthRefreshToken(OauthRefresh {
            client: client.clone(),
            refresh_token: "demo-refresh-token".into(),
        })),
        slot(Credential::Basic(BasicAuth {
            username: "admin@example.com".into(),
            password: "demo-api-token".into(),
        })),
        slot(Credential::BearerToken("demo-access-token".into())),
    ];
    for creds in good {
        assert!(
            connector()
                .authenticate(&io, &config(&settings(&fake)), &creds)
                .unwrap()
                .is_ok()
        );
    }
    // The access token's session says what it cannot see.
    assert!(
        rec.lines
            .lock()
            .unwrap()
            .iter()
            .any(|(_, l)| l.contains("access token cannot read /permissions"))
    );
    // App passwords are refused without a request, naming the date.
    let app_password = slot(Credential::Basic(BasicAuth {
        username: "demo-admin".into(),
        password: "demo-app-password".into(),
    }));
    let before = fake.requests().len();
    let options = LoopOptions::default();
    let err = sync::authenticate(
        connector(),
        &io,
        &config(&settings(&fake)),
        &app_password,
        &options,
    )
    .unwrap_err();
    assert!(
        matches!(err, SyncError::Auth(ref m) if m.contains("2026-07-28") && !m.contains("demo-app-password")),
        "{err}"
    );
    assert_eq!(fake.requests().len(), before);
    let bad = slot(Credential::Basic(BasicAuth {
        username: "admin@example.com".into(),
        password: "not-the-token".into(),
    }));
    let err = sync::authenticate(connector(), &io, &config(&settings(&fake)), &bad, &options)
        .unwrap_err();
    assert!(
        matches!(err, SyncError::Auth(ref m) if m.contains("invalid-credentials") && !m.contains("not-the-token")),
        "{err}"
    );
}

#[test]
fn secrets_never_reach_logs_or_errors() {
    // The Cirrus test connector that logs its access token, against the
    // replay of its scenario: the host's redaction masks it.
    let leaky = e2e::runtime().load(&e2e::cirrus()).unwrap();
    let mut scenario = e2e::scenario("cirrus");
    scenario
        .file
        .settings
        .insert("defect".into(), "log-token".into());
    let b = saas_conform::scenario_kit::Bench::new(&leaky, &std::sync::Arc::new(scenario)).unwrap();
    let cfg = b.config().unwrap();
    let options = LoopOptions::default();
    let (session, _) = sync::authenticate(&leaky, &b.io, &cfg, &b.valid, &options).unwrap();
    leaky
        .list_users(&b.io, &cfg, &session, None)
        .unwrap()
        .unwrap();
    let lines = b.recorder.lines.lock().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("listing with token [REDACTED]")),
        "{lines:?}"
    );
    assert!(lines.iter().all(|l| !l.contains(session.secrets()[0])));
}

fn policy(as_of: i64, purchased_seats: Option<u32>) -> Policy {
    Policy {
        as_of,
        inactive_after_days: 90,
        purchased_seats,
    }
}
