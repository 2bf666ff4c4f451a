//! The Data Center component in the host against the fake Data Center:
//! users, licences, last logins and verdicts against the truth; resume from
//! every cursor; each paging quirk and fault; sign-in refusals.

use e2e::datacenter::{
    SignedIn, admin_signed_in, basic, bearer, dc, dc_fake, dc_settings, sign_in,
};
use e2e::kit::{Listed, list, list_observed};
use fake_bitbucket_dc::{ADMIN, ADMIN_TOKEN, DcConfig, DcFaults, FakeDc, Truth, VIEWER};
use saas_runtime::latest::{Activity, ConnectorError, Policy, User};

fn listed(
    s: &SignedIn,
    cursor: Option<String>,
) -> Result<(Vec<User>, Vec<saas_runtime::latest::BillingUnit>, u64), String> {
    let mut dropped = 0;
    match list_observed(dc(), &s.io, &s.config, &s.session, cursor, &mut |step| {
        dropped += u64::from(step.page.stats.duplicates_dropped);
    }) {
        Listed::Done { listing, .. } => Ok((listing.users.to_vec(), listing.units, dropped)),
        other => Err(e2e::kit::describe(&other)),
    }
}

/// The component's statuses of a complete listing, at now, 90 days.
fn statuses(
    s: &SignedIn,
    users: Vec<User>,
    units: Vec<saas_runtime::latest::BillingUnit>,
    coverage: Vec<saas_runtime::latest::Coverage>,
) -> saas_runtime::latest::StatusReport {
    let listing = saas_runtime::latest::Listing {
        users,
        units,
        coverage,
        complete: true,
    };
    dc().compute_status(&s.io, &listing, policy())
        .unwrap()
        .unwrap()
}

fn policy() -> Policy {
    Policy {
        as_of: e2e::now(),
        inactive_after_days: 90,
        purchased_seats: None,
    }
}

/// Signs in with the access token and lists everything: every user, each
/// holding a seat as the truth says.
fn token_listing(fake: &FakeDc) -> (SignedIn, Vec<User>, Vec<saas_runtime::latest::BillingUnit>) {
    let s = sign_in(fake, &dc_settings(fake, &[]), &bearer(ADMIN_TOKEN));
    let (users, units, _) = listed(&s, None).unwrap();
    let truth = fake.truth(90);
    assert_eq!(users.len(), truth.users.len());
    for u in &users {
        let m = &u.memberships[0];
        assert_eq!(
            m.billable, truth.users[&u.id].billable,
            "{}",
            m.billable_reason
        );
    }
    (s, users, units)
}

/// Every user's seat, permission and last login equal the truth.
fn assert_truth(users: &[User], truth: &Truth) {
    assert_eq!(users.len(), truth.users.len());
    for u in users {
        let t = &truth.users[&u.id];
        let m = &u.memberships[0];
        assert_eq!(m.billable, t.billable, "{}: {}", t.name, m.billable_reason);
        assert_eq!(
            m.role.as_deref().filter(|r| *r != "none"),
            t.permission.as_deref(),
            "{}",
            t.name
        );
        assert_eq!(m.evidence.first().map(|e| e.at), t.last_auth, "{}", t.name);
        assert_eq!(u.username.as_deref(), Some(t.name.as_str()));
    }
}

#[test]
fn users_licences_last_logins_and_verdicts_match_the_truth() {
    let (fake, s) = admin_signed_in(
        DcConfig {
            page_max: 25,
            ..DcConfig::default()
        },
        &[("max-requests-per-step", 4)],
    );
    let (users, units, _) = listed(&s, None).unwrap();
    let truth = fake.truth(90);
    assert_truth(&users, &truth);
    let seats = units[0].seats.as_ref().expect("the licence's seats");
    assert_eq!(
        (seats.purchased, seats.used),
        (truth.seats, Some(truth.licensed as u32))
    );
    let reasons: Vec<&str> = users
        .iter()
        .map(|u| u.memberships[0].billable_reason.as_str())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("through the group bitbucket-users"))
    );
    assert!(reasons.iter().any(|r| r.contains("granted directly")));
    assert!(reasons.iter().any(|r| r.starts_with("deactivated in")));
    let coverage = vec![saas_runtime::latest::Coverage {
        source: "last-authentication".into(),
        unit_id: fake.base_url(),
    }];
    let report = statuses(&s, users, units, coverage);
    for status in &report.users {
        let want = truth.users[&status.user_id].activity;
        assert_eq!(e2e::activity(status.activity), want, "{}", status.reason);
    }
    assert!(
        report
            .users
            .iter()
            .any(|u| u.activity == Activity::NeverActive)
    );
    assert_eq!(report.seats.used as usize, truth.licensed);
}

#[test]
fn a_listing_resumes_from_every_cursor_to_the_same_result() {
    let (fake, s) = admin_signed_in(
        DcConfig {
            page_max: 20,
            users: 45,
            ..DcConfig::default()
        },
        &[("max-requests-per-step", 1)],
    );
    let mut steps: Vec<(Option<String>, Vec<String>)> = Vec::new();
    let full = list_observed(dc(), &s.io, &s.config, &s.session, None, &mut |step| {
        steps.push((
            step.cursor.map(String::from),
            step.page.users.iter().map(|u| u.id.clone()).collect(),
        ));
    });
    assert!(matches!(full, Listed::Done { .. }));
    assert!(steps.len() > 8, "{} steps", steps.len());
    let truth = fake.truth(90);
    for k in 1..steps.len() {
        let cursor = steps[k].0.clone();
        let (rest, _, _) = listed(&s, cursor).unwrap_or_else(|e| panic!("from step {k}: {e}"));
        let mut ids: Vec<String> = steps[..k].iter().flat_map(|(_, ids)| ids.clone()).collect();
        ids.extend(rest.iter().map(|u| u.id.clone()));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), truth.users.len(), "resumed from step {k}");
        for u in &rest {
            assert_eq!(
                u.memberships[0].billable, truth.users[&u.id].billable,
                "step {k}"
            );
        }
    }
    let garbage = list(
        dc(),
        &s.io,
        &s.config,
        &s.session,
        Some("not-a-cursor".into()),
    );
    assert!(matches!(
        garbage,
        Listed::Failed(ConnectorError::InvalidCursor(_))
    ));
}

/// What a case expects of the error.
type Expect = dyn Fn(&ConnectorError) -> bool;

fn failure(fake: &FakeDc, s: &SignedIn, faults: DcFaults) -> ConnectorError {
    fake.set_faults(faults.clone());
    match list(dc(), &s.io, &s.config, &s.session, None) {
        Listed::Failed(e) => e,
        other => panic!("{faults:?}: {}", e2e::kit::describe(&other)),
    }
}

#[test]
fn each_paging_quirk_and_fault_ends_in_the_truth_or_a_typed_error() {
    let (fake, s) = admin_signed_in(DcConfig::default(), &[("page-size", 10)]);
    let off = DcFaults::default;
    let pagination = |e: &ConnectorError| matches!(e, ConnectorError::Pagination(_));
    let malformed = |e: &ConnectorError| matches!(e, ConnectorError::MalformedResponse(_));
    let limited = |e: &ConnectorError| matches!(e, ConnectorError::RateLimited(_));
    let cases: [(DcFaults, &Expect); 6] = [
        (
            DcFaults {
                stuck_next: true,
                ..off()
            },
            &pagination,
        ),
        (
            DcFaults {
                never_last: true,
                ..off()
            },
            &pagination,
        ),
        (
            DcFaults {
                missing_next: true,
                ..off()
            },
            &pagination,
        ),
        (
            DcFaults {
                html_users: true,
                ..off()
            },
            &malformed,
        ),
        (
            DcFaults {
                broken_user: true,
                ..off()
            },
            &malformed,
        ),
        (
            DcFaults {
                rate_limit_every: Some(1),
                retry_after: Some(0),
                ..off()
            },
            &limited,
        ),
    ];
    for (faults, expected) in cases {
        let error = failure(&fake, &s, faults.clone());
        assert!(expected(&error), "{faults:?}: {error:?}");
    }
    let truth = fake.truth(90);
    for faults in [
        DcFaults {
            duplicate_users: true,
            ..off()
        },
        DcFaults {
            rate_limit_first: Some(3),
            retry_after: Some(0),
            ..off()
        },
        DcFaults {
            server_error_every: Some((4, 503)),
            ..off()
        },
    ] {
        fake.set_faults(faults.clone());
        let (users, _, dropped) = listed(&s, None).unwrap_or_else(|e| panic!("{faults:?}: {e}"));
        assert_truth(&users, &truth);
        if faults.duplicate_users {
            assert!(dropped > 0, "duplicates are dropped and counted");
        }
    }
}

#[test]
fn the_licensed_list_stays_below_half_the_servers_page_maximum() {
    let (fake, s) = admin_signed_in(
        DcConfig {
            page_max: 30,
            users: 80,
            ..DcConfig::default()
        },
        &[],
    );
    let (users, _, _) = listed(&s, None).unwrap();
    assert_truth(&users, &fake.truth(90));
    let filtered: Vec<String> = fake
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("permission=LICENSED_USER"))
        .collect();
    assert!(
        filtered.len() > 1 && filtered.iter().all(|p| p.contains("limit=15")),
        "{filtered:?}"
    );
}

#[test]
fn sign_in_refusals_are_typed_and_a_token_lists_without_the_admin_only_parts() {
    let fake = dc_fake(DcConfig::default());
    let settings = dc_settings(&fake, &[]);
    let config = dc().config(&settings).unwrap();
    let (io, _) = e2e::datacenter::dc_io(&fake);
    let refused = |creds: Vec<saas_runtime::latest::SlotCredential>| {
        dc().authenticate(&io, &config, &creds)
            .unwrap()
            .unwrap_err()
    };
    assert!(matches!(
        refused(basic((ADMIN.0, "wrong"))),
        ConnectorError::InvalidCredentials(_)
    ));
    assert!(matches!(
        refused(bearer("nope")),
        ConnectorError::InvalidCredentials(_)
    ));
    for _ in 0..5 {
        refused(basic((VIEWER.0, "wrong")));
    }
    let captcha = refused(basic(VIEWER));
    assert!(
        matches!(&captcha, ConnectorError::InvalidCredentials(m) if m.contains("CAPTCHA")),
        "{captcha:?}"
    );

    let (s, users, units) = token_listing(&fake);
    assert!(units[0].seats.is_none(), "the licence needs ADMIN");
    assert!(users.iter().any(|u| {
        u.memberships[0]
            .billable_reason
            .contains("visible to administrators only")
    }));
    let refusal = dc()
        .signed_in(&s.io, &s.config, &s.session)
        .create_group(&units[0].unit.key, "x")
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&refusal, ConnectorError::Forbidden(m) if m.contains("cannot carry ADMIN")),
        "{refusal:?}"
    );
    assert!(
        fake.requests().iter().all(|r| r.method == "GET"),
        "nothing was written"
    );
}

#[test]
fn no_log_line_holds_the_password_or_its_basic_encoding() {
    let (fake, s) = admin_signed_in(DcConfig::default(), &[]);
    fake.set_faults(DcFaults {
        rate_limit_first: Some(2),
        retry_after: Some(0),
        ..DcFaults::default()
    });
    let _ = listed(&s, None).unwrap();
    let encoded = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", ADMIN.0, ADMIN.1))
    };
    let lines = s.recorder.lines.lock().unwrap();
    assert!(!lines.is_empty(), "the connector logged something");
    for (_, line) in lines.iter() {
        assert!(
            !line.contains(ADMIN.1) && !line.contains(&encoded),
            "{line}"
        );
    }
}

#[test]
fn a_listing_cut_short_marks_nobody_idle() {
    let (_fake, s) = admin_signed_in(
        DcConfig {
            page_max: 10,
            ..DcConfig::default()
        },
        &[("max-requests-per-step", 2)],
    );
    let options = saas_runtime::listing::LoopOptions::strict(13);
    let start = saas_runtime::listing::Start::at(None);
    let cut = saas_runtime::listing::run(
        dc(),
        &s.io,
        &s.config,
        s.session.clone(),
        start,
        &options,
        None,
        &mut |_| {},
    );
    assert!(!cut.complete && !cut.users.is_empty());
    let report = dc()
        .compute_status(&s.io, &cut.to_contract(), policy())
        .unwrap()
        .unwrap();
    assert!(
        report
            .users
            .iter()
            .all(|u| matches!(u.activity, Activity::Active | Activity::Unknown))
    );
    assert!(report.users.iter().any(|u| u.activity == Activity::Unknown));
}

#[test]
fn a_token_refused_the_admin_list_still_lists_everyone_without_dates() {
    let fake = dc_fake(DcConfig {
        tokens_read_admin_users: false,
        ..DcConfig::default()
    });
    let (s, users, units) = token_listing(&fake);
    for u in &users {
        let m = &u.memberships[0];
        assert!(
            m.evidence.is_empty()
                && m.evidence_gap
                    .as_deref()
                    .is_some_and(|g| g.contains("administrator"))
        );
    }
    let report = statuses(&s, users, units, Vec::new());
    let active_accounts = report
        .users
        .iter()
        .filter(|u| u.activity != Activity::Inactive);
    assert!(active_accounts.clone().count() > 0);
    assert!(
        active_accounts
            .into_iter()
            .all(|u| u.activity == Activity::Unknown && u.reason.contains("last logins"))
    );
}
