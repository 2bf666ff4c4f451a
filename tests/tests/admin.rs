//! Bitbucket Cloud with the Atlassian Admin API, through the wasm component
//! in the host: real per-workspace last-active dates for admin-managed
//! workspaces, matched against the fake's truth.

use std::collections::BTreeMap;

use e2e::admin::{admin_credentials, admin_io, admin_settings, managed_fake};
use e2e::{connector, demo_credentials};
use fake_bitbucket::{AdminConfig, AdminFaults, Expected, FakeBitbucket};
use saas_runtime::latest::{
    Activity, Credential, Policy, SettingValue, SlotCredential, StatusReport,
};
use saas_runtime::merge::Merger;
use saas_runtime::settings::set_setting;
use saas_runtime::sync::{self, SyncRequest};

const DAYS: u32 = 90;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn policy() -> Policy {
    Policy {
        as_of: now(),
        inactive_after_days: DAYS,
        purchased_seats: None,
    }
}

fn name(a: Activity) -> &'static str {
    match a {
        Activity::Active => "active",
        Activity::Inactive => "inactive",
        Activity::NeverActive => "never-active",
        Activity::Unknown => "unknown",
    }
}

fn verdicts(report: &StatusReport) -> BTreeMap<String, Expected> {
    report
        .users
        .iter()
        .map(|s| {
            let source = match s.activity {
                Activity::Active | Activity::Inactive => s.last_active_source.clone(),
                _ => None,
            };
            (
                s.user_id.clone(),
                Expected {
                    activity: name(s.activity),
                    // Suspended and deactivated accounts are decided by status.
                    source: source
                        .filter(|_| !s.reason.contains("account is"))
                        .map(|s| &*s.leak()),
                },
            )
        })
        .collect()
}

/// Asserts the verdicts equal the truth, naming only the users that differ
/// with the reasons the connector gave.
#[track_caller]
fn assert_truth(report: &StatusReport, expected: &BTreeMap<String, Expected>, context: &str) {
    let actual = verdicts(report);
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(id, e)| actual.get(*id) != Some(e))
        .map(|(id, e)| {
            let s = report.users.iter().find(|s| &s.user_id == id);
            format!(
                "{id}: expected {e:?}, got {:?} ({:?})",
                actual.get(id),
                s.map(|s| &s.reason)
            )
        })
        .collect();
    assert!(
        wrong.is_empty() && actual.len() == expected.len(),
        "{context}: {} of {} differ:\n{}",
        wrong.len(),
        expected.len(),
        wrong.join("\n")
    );
}

fn sync(fake: &FakeBitbucket, credentials: Vec<SlotCredential>) -> (sync::Listing, StatusReport) {
    let (io, _) = admin_io(fake);
    let request = SyncRequest::new(admin_settings(fake), credentials);
    let listing = sync::list_all(connector(), &io, &request, &mut |_| {}).unwrap();
    assert!(listing.complete, "{:?}", listing.stop);
    let report = sync::compute_status(connector(), &io, &listing, policy()).unwrap();
    (listing, report.to_contract())
}

fn counts(v: &BTreeMap<String, Expected>) -> BTreeMap<&'static str, usize> {
    let mut c = BTreeMap::new();
    for e in v.values() {
        *c.entry(e.activity).or_default() += 1;
    }
    c
}

#[test]
fn activity_comes_from_the_admin_api_per_workspace_and_matches_the_truth() {
    let fake = managed_fake(4, 60, AdminConfig::default());
    let (listing, report) = sync(&fake, admin_credentials(&fake));
    let expected = fake.expected(DAYS, true);
    assert_truth(&report, &expected, "with the key");
    let c = counts(&expected);
    assert!(
        ["active", "inactive", "never-active", "unknown"]
            .iter()
            .all(|k| c.get(k).copied().unwrap_or(0) > 0),
        "{c:?}"
    );
    // Some verdicts rest on the Admin API alone.
    assert!(
        expected
            .values()
            .any(|e| e.source == Some("atlassian-admin-last-active"))
    );
    // External collaborators stay unknown, and the reason says why.
    let outside = report
        .users
        .iter()
        .filter(|s| {
            s.reason
                .contains("not in the Atlassian organization's directory")
        })
        .count();
    assert!(outside > 0);
    // Emails come from the directory.
    let emails: BTreeMap<String, String> = listing
        .users
        .iter()
        .filter_map(|u| Some((u.id.clone(), u.email.clone()?)))
        .collect();
    assert_eq!(emails, fake.directory_emails());
}

#[test]
fn without_the_key_managed_workspaces_are_unknown_and_say_what_would_fix_it() {
    let fake = managed_fake(4, 40, AdminConfig::default());
    let (_, report) = sync(&fake, demo_credentials());
    assert_truth(&report, &fake.expected(DAYS, false), "without the key");
    let fix: Vec<_> = report
        .users
        .iter()
        .filter(|s| s.activity == Activity::Unknown)
        .filter(|s| s.reason.contains("atlassian-admin") && s.reason.contains("API key"))
        .collect();
    assert!(!fix.is_empty());
}

#[test]
fn users_the_search_misses_are_looked_up_one_by_one() {
    let fake = managed_fake(
        3,
        50,
        AdminConfig {
            search_omits_every: Some(3),
            max_limit: 20,
            ..AdminConfig::default()
        },
    );
    let (_, report) = sync(&fake, admin_credentials(&fake));
    assert_truth(&report, &fake.expected(DAYS, true), "with lookups");
    let lookups = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/last-active-dates"))
        .count();
    assert!(lookups > 0);
}

#[test]
fn admin_rate_limits_are_retried_and_a_cursor_loop_is_a_typed_error() {
    let fake = managed_fake(3, 40, AdminConfig::default());
    fake.set_admin_faults(AdminFaults {
        rate_limit_every: Some(3),
        ..AdminFaults::default()
    });
    let (_, report) = sync(&fake, admin_credentials(&fake));
    assert_truth(&report, &fake.expected(DAYS, true), "with 429s");

    let fake = managed_fake(
        3,
        40,
        AdminConfig {
            max_limit: 10,
            ..AdminConfig::default()
        },
    );
    fake.set_admin_faults(AdminFaults {
        cursor_loop: true,
        ..AdminFaults::default()
    });
    let (io, _) = admin_io(&fake);
    let request = SyncRequest::new(admin_settings(&fake), admin_credentials(&fake));
    let listing = sync::list_all(connector(), &io, &request, &mut |_| {}).unwrap();
    assert!(!listing.complete);
    let stop = format!("{:?}", listing.stop);
    assert!(
        stop.contains("Pagination") && stop.contains("repeats"),
        "{stop}"
    );
}

#[test]
fn a_wrong_org_key_is_refused_at_sign_in_without_showing_it() {
    let fake = managed_fake(2, 5, AdminConfig::default());
    let mut creds = admin_credentials(&fake);
    if let Credential::NamedFields(f) = &mut creds[1].credential {
        f[1].value = "wrong-org-api-key-123".into();
    }
    let (io, _) = admin_io(&fake);
    let err = sync::list_all(
        connector(),
        &io,
        &SyncRequest::new(admin_settings(&fake), creds),
        &mut |_| {},
    )
    .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(text.contains("organization API key"), "{text}");
    assert!(!text.contains("wrong-org-api-key-123"), "{text}");
}

#[test]
fn resuming_from_every_cursor_across_both_apis_gives_the_same_verdicts() {
    let fake = managed_fake(3, 30, AdminConfig::default());
    let mut s = admin_settings(&fake);
    set_setting(&mut s, "page-size", SettingValue::U32(10));
    set_setting(&mut s, "max-requests-per-step", SettingValue::U32(3));
    let c = connector();
    let cfg = c.config(&s).unwrap();
    let (io, _) = admin_io(&fake);
    let session = c
        .authenticate(&io, &cfg, &admin_credentials(&fake))
        .unwrap()
        .unwrap();
    let run = |from: Option<String>, mut merger: Merger| {
        let mut cursor = from;
        loop {
            let page = c
                .list_users(&io, &cfg, &session, cursor.as_deref())
                .unwrap()
                .unwrap();
            merger.add(page.users, page.units, page.coverage);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return merger,
            }
        }
    };
    // Every cursor of a whole listing, and the steps before it.
    let mut steps: Vec<(Option<String>, saas_runtime::values::Page)> = Vec::new();
    let mut cursor = None;
    loop {
        let page = c
            .list_users(&io, &cfg, &session, cursor.as_deref())
            .unwrap()
            .unwrap();
        // Both APIs together stay within the step's budget.
        assert!(page.stats.requests <= 3, "{:?}", page.stats);
        let next = page.next_cursor.clone();
        steps.push((cursor, page));
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert!(steps.len() >= 6, "{} steps", steps.len());
    let expected = fake.expected(DAYS, true);
    for i in 0..steps.len() {
        let mut merger = Merger::default();
        for (_, p) in &steps[..i] {
            merger.add(p.users.clone(), p.units.clone(), p.coverage.clone());
        }
        let merged = run(steps[i].0.clone(), merger).finish();
        let listing = saas_runtime::latest::Listing {
            users: merged.users.to_vec(),
            units: merged.units,
            coverage: merged.coverage,
            complete: true,
        };
        let report = c.compute_status(&io, &listing, policy()).unwrap().unwrap();
        assert_truth(&report, &expected, &format!("resumed from cursor {i}"));
    }
}

#[test]
fn roles_the_api_added_and_unknown_future_ones_are_kept_not_refused() {
    let fake = managed_fake(3, 120, AdminConfig::default());
    let (listing, _) = sync(&fake, demo_credentials());
    let level = |role: &str| {
        listing
            .users
            .iter()
            .flat_map(|u| u.memberships)
            .find(|m| m.role.as_deref() == Some(role))
            .map(|m| m.level)
    };
    use saas_runtime::latest::AccessLevel;
    assert_eq!(level("create-project"), Some(Some(AccessLevel::Elevated)));
    assert_eq!(level("triage-lead"), Some(Some(AccessLevel::Member)));
}

#[test]
fn the_admin_source_costs_one_search_per_member_page_and_one_call_per_outsider() {
    for (workspaces, members) in [(4, 120), (6, 250), (10, 100)] {
        let fake = managed_fake(workspaces, members, AdminConfig::default());
        sync(&fake, admin_credentials(&fake));
        let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
        let count = |f: &dyn Fn(&str) -> bool| paths.iter().filter(|p| f(p)).count();
        let bitbucket = count(&|p| !p.starts_with("/admin/"));
        let searches = count(&|p| p.ends_with("/users/search"));
        let lookups = count(&|p| p.ends_with("/last-active-dates"));
        let admin = count(&|p| p.starts_with("/admin/"));
        let pages = workspaces * members.div_ceil(100);
        // Token, discovery, details, member pages: Bitbucket's minimum (the
        // grant proves the client; no check call).
        assert_eq!(bitbucket, 1 + 1 + workspaces + pages);
        let truth = fake.truth();
        let outsiders = truth.unique_users - fake.directory_emails().len();
        assert_eq!(
            lookups, outsiders,
            "one call per user outside the directory"
        );
        let directory_users = fake.directory_emails().len();
        assert!(
            searches <= pages && searches >= directory_users.div_ceil(100),
            "{searches} searches for {pages} pages"
        );
        // The key check and one page of the organization's workspaces.
        assert_eq!(admin, 2 + searches + lookups);
        eprintln!(
            "{workspaces} x {members}: {} users, Bitbucket {bitbucket}, Admin {admin} \
             ({searches} searches, {lookups} lookups for {outsiders} outsiders)",
            truth.unique_users
        );
    }
}
