//! Data Center groups and seat release through the component: every group
//! function with its effect checked upstream, every refusal typed, and
//! release plans that change nothing until applied.

use e2e::datacenter::{admin_signed_in, dc};
use fake_bitbucket_dc::DcConfig;
use saas_runtime::latest::{ConnectorError, GroupUpdate, ReleaseKind, ReleaseOutcome};

#[test]
fn groups_round_trip_with_every_refusal_typed() {
    let (fake, s) = admin_signed_in(DcConfig::default(), &[]);
    let g = || dc().signed_in(&s.io, &s.config, &s.session);
    let scope = format!("127.0.0.1:{}", fake.addr().port());
    let groups = g().list_groups(&scope).unwrap().unwrap();
    let users_group = groups.iter().find(|x| x.name == "bitbucket-users").unwrap();
    assert_eq!(users_group.permission.as_deref(), Some("LICENSED_USER"));
    assert!(matches!(
        g().list_groups("elsewhere").unwrap(),
        Err(ConnectorError::NotFound(_))
    ));

    let created = g().create_group(&scope, "auditors").unwrap().unwrap();
    assert_eq!(created.id, "auditors");
    assert!(fake.group_members("auditors").is_some());
    assert!(matches!(
        g().create_group(&scope, "auditors").unwrap(),
        Err(ConnectorError::Conflict(_))
    ));
    assert!(matches!(
        g().create_group(&scope, "").unwrap(),
        Err(ConnectorError::InvalidConfig(_))
    ));

    g().add_member("auditors", "1003").unwrap().unwrap();
    assert_eq!(fake.group_members("auditors").unwrap(), ["user001"]);
    let members = g().list_members("auditors").unwrap().unwrap();
    assert_eq!(members[0].user_id.as_deref(), Some("1003"));
    assert!(matches!(
        g().add_member("auditors", "999999").unwrap(),
        Err(ConnectorError::NotFound(_))
    ));
    assert!(matches!(
        g().add_member("no-such-group", "1003").unwrap(),
        Err(ConnectorError::NotFound(_))
    ));
    // A user of the read-only LDAP directory: its groups are LDAP's, and
    // nothing is sent.
    let ldap = fake
        .truth(90)
        .users
        .iter()
        .find(|(_, t)| t.paths.iter().any(|p| p.contains("ldap-developers")))
        .map(|(id, _)| id.clone())
        .unwrap();
    let before = fake.requests().len();
    match g().add_member("auditors", &ldap).unwrap() {
        Err(ConnectorError::ReadOnly(r)) => assert!(r.hint.contains("Bitbucket syncs"), "{r:?}"),
        other => panic!("{other:?}"),
    }
    assert!(fake.requests()[before..].iter().all(|r| r.method == "GET"));
    assert_eq!(fake.group_members("auditors").unwrap(), ["user001"]);

    let granted = GroupUpdate {
        name: None,
        permission: Some("PROJECT_CREATE".into()),
        auto_add: None,
    };
    let updated = g().update_group("auditors", &granted).unwrap().unwrap();
    assert_eq!(updated.permission.as_deref(), Some("PROJECT_CREATE"));
    let rename = GroupUpdate {
        name: Some("renamed".into()),
        permission: None,
        auto_add: None,
    };
    assert!(matches!(
        g().update_group("auditors", &rename).unwrap(),
        Err(ConnectorError::Unsupported(_))
    ));
    let bogus = GroupUpdate {
        name: None,
        permission: Some("OWNER".into()),
        auto_add: None,
    };
    assert!(matches!(
        g().update_group("auditors", &bogus).unwrap(),
        Err(ConnectorError::InvalidConfig(_))
    ));

    g().remove_member("auditors", "1003").unwrap().unwrap();
    assert!(fake.group_members("auditors").unwrap().is_empty());
    g().delete_group("auditors").unwrap().unwrap();
    assert!(fake.group_members("auditors").is_none());
    assert!(matches!(
        g().get_group("auditors").unwrap(),
        Err(ConnectorError::NotFound(_))
    ));
    assert!(matches!(
        g().delete_group("auditors").unwrap(),
        Err(ConnectorError::NotFound(_))
    ));
    let writes: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(
        writes.iter().all(|r| r.xsrf_token),
        "every write carries X-Atlassian-Token"
    );
}

#[test]
fn a_full_licence_refuses_a_licensing_group_with_forbidden() {
    let truth_seats = {
        let probe = e2e::datacenter::dc_fake(DcConfig::default());
        probe.truth(90).licensed as u32
    };
    let (fake, s) = admin_signed_in(
        DcConfig {
            seats: Some(truth_seats),
            ..DcConfig::default()
        },
        &[],
    );
    let unlicensed = fake
        .truth(90)
        .users
        .into_iter()
        .find(|(_, t)| !t.billable && t.permission.is_none())
        .unwrap();
    let refused = dc()
        .signed_in(&s.io, &s.config, &s.session)
        .add_member("bitbucket-users", &unlicensed.0)
        .unwrap();
    assert!(
        matches!(&refused, Err(ConnectorError::Forbidden(m)) if m.contains("licence")),
        "{refused:?}"
    );
}

#[test]
fn release_plans_change_nothing_and_name_what_they_cannot_cut() {
    let (fake, s) = admin_signed_in(DcConfig::default(), &[]);
    let truth = fake.truth(90);
    let pick = |f: &dyn Fn(&fake_bitbucket_dc::TruthUser) -> bool| {
        truth
            .users
            .iter()
            .find(|(_, t)| f(t))
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    let grouped =
        pick(&|t| t.billable && t.paths.iter().all(|p| p.contains("via bitbucket-users")));
    let ldap = pick(&|t| t.billable && t.paths.iter().any(|p| p.contains("ldap-developers")));
    let direct = pick(&|t| {
        t.billable
            && t.paths.iter().any(|p| p.ends_with("direct"))
            && t.name != "admin"
            && t.name != "viewer"
    });
    let users = vec![
        grouped.clone(),
        ldap.clone(),
        direct.clone(),
        "424242".into(),
    ];
    let unit = format!("127.0.0.1:{}", fake.addr().port());
    let before = fake.requests().len();
    let plans = dc()
        .signed_in(&s.io, &s.config, &s.session)
        .release_seats(&users, &unit, false)
        .unwrap()
        .unwrap();
    assert!(
        fake.requests()[before..].iter().all(|r| r.method == "GET"),
        "a plan only reads"
    );
    assert_eq!(plans.len(), 4);
    assert_eq!(plans[0].actions.len(), 1);
    assert_eq!(plans[0].actions[0].kind, ReleaseKind::LeaveGroup);
    assert_eq!(plans[0].frees_seat, Some(true));
    assert_eq!(plans[1].frees_seat, Some(false));
    assert!(
        plans[1]
            .notes
            .iter()
            .any(|n| n.contains("read-only directory"))
    );
    assert!(
        plans[2]
            .actions
            .iter()
            .any(|a| a.kind == ReleaseKind::RevokeGrant)
    );
    assert!(plans[3].notes[0].contains("no user"));

    let applied = dc()
        .signed_in(&s.io, &s.config, &s.session)
        .release_seats(&users[..1], &unit, true)
        .unwrap()
        .unwrap();
    assert!(applied[0].applied);
    assert!(matches!(
        applied[0].actions[0].outcome,
        Some(ReleaseOutcome::Done)
    ));
    assert_eq!(applied[0].frees_seat, Some(true));
    assert!(
        !fake.truth(90).users[&grouped].billable,
        "the seat is free upstream"
    );
}
