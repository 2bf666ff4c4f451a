//! The connector's logic natively, over real HTTP to the fake Data Center:
//! listings against the truth, paging quirks, sign-in refusals.

use bitbucket_dc_connector::{BitbucketDc, Error};
use fake_bitbucket_dc::{ADMIN, ADMIN_TOKEN, DcConfig, DcFaults, FakeDc, VIEWER};
use saas_connector_sdk::{
    BasicAuth, Connector, Credential, Session, Setting, SettingValue, SlotCredential, User,
};

fn config(fake: &FakeDc, extra: &[(&str, u32)]) -> Vec<Setting> {
    let mut c = vec![Setting {
        name: "base-url".into(),
        value: SettingValue::Url(fake.base_url()),
    }];
    for (name, n) in extra {
        c.push(Setting {
            name: (*name).into(),
            value: SettingValue::U32(*n),
        });
    }
    c
}

fn basic((username, password): (&str, &str)) -> Vec<SlotCredential> {
    vec![SlotCredential {
        slot: "bitbucket-dc".into(),
        credential: Credential::Basic(BasicAuth {
            username: username.into(),
            password: password.into(),
        }),
    }]
}

fn list_all(c: &[Setting], s: &Session) -> Result<(Vec<User>, u32), Error> {
    let (mut users, mut steps, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let page = BitbucketDc::list_users(c, s, cursor.as_deref())?;
        users.extend(page.users);
        steps += 1;
        cursor = page.next_cursor;
        if cursor.is_none() {
            return Ok((users, steps));
        }
    }
}

#[test]
fn a_listing_matches_the_truth_in_small_steps_and_small_pages() {
    let fake = FakeDc::start(DcConfig {
        page_max: 16,
        ..DcConfig::default()
    })
    .unwrap();
    let c = config(&fake, &[("max-requests-per-step", 3), ("page-size", 40)]);
    let s = BitbucketDc::authenticate(&c, &basic(ADMIN)).unwrap();
    let (users, steps) = list_all(&c, &s).unwrap();
    let truth = fake.truth(90);
    assert!(steps > 5, "{steps} steps");
    assert_eq!(users.len(), truth.users.len());
    for u in &users {
        let t = &truth.users[&u.id];
        let m = &u.memberships[0];
        assert_eq!(m.billable, t.billable, "{} {}", t.name, m.billable_reason);
        assert_eq!(
            m.role.as_deref().filter(|r| *r != "none"),
            t.permission.as_deref()
        );
        assert_eq!(m.evidence.first().map(|e| e.at), t.last_auth, "{}", t.name);
    }
    // The filtered list stayed at half the server's maximum (BSERV-11884).
    let filtered: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("permission=LICENSED_USER"))
        .collect();
    assert!(!filtered.is_empty());
    assert!(
        filtered.iter().all(|r| r.path.contains("limit=8")),
        "{filtered:?}"
    );
}

#[test]
fn broken_paging_ends_in_a_typed_error() {
    let fake = FakeDc::start(DcConfig::default()).unwrap();
    let c = config(&fake, &[("page-size", 10)]);
    let s = BitbucketDc::authenticate(&c, &basic(ADMIN)).unwrap();
    for faults in [
        DcFaults {
            stuck_next: true,
            ..DcFaults::default()
        },
        DcFaults {
            never_last: true,
            ..DcFaults::default()
        },
        DcFaults {
            missing_next: true,
            ..DcFaults::default()
        },
    ] {
        fake.set_faults(faults.clone());
        let err = list_all(&c, &s).unwrap_err();
        assert!(matches!(err, Error::Pagination(_)), "{faults:?}: {err:?}");
    }
    fake.set_faults(DcFaults {
        html_users: true,
        ..DcFaults::default()
    });
    assert!(matches!(list_all(&c, &s), Err(Error::MalformedResponse(_))));
}

#[test]
fn sign_in_tells_bad_credentials_from_missing_admin() {
    let fake = FakeDc::start(DcConfig::default()).unwrap();
    let c = config(&fake, &[]);
    let bad = BitbucketDc::authenticate(&c, &basic(("admin", "wrong"))).unwrap_err();
    assert!(matches!(bad, Error::InvalidCredentials(_)), "{bad:?}");
    let viewer = BitbucketDc::authenticate(&c, &basic(VIEWER)).unwrap();
    let host = format!("127.0.0.1:{}", fake.addr().port());
    let err = BitbucketDc::create_group(&c, &viewer, &host, "x").unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden(m) if m.contains("ADMIN")),
        "{err:?}"
    );
    let token = vec![SlotCredential {
        slot: "bitbucket-dc".into(),
        credential: Credential::BearerToken(ADMIN_TOKEN.into()),
    }];
    let s = BitbucketDc::authenticate(&c, &token).unwrap();
    let (users, _) = list_all(&c, &s).unwrap();
    assert_eq!(users.len(), fake.truth(90).users.len());
}
