//! The groups capability, round trip through the component against the
//! fake's stateful 1.0 API.

use e2e::{config, connector, demo_credentials, fake, io, settings};
use fake_bitbucket::FakeBitbucket;
use saas_runtime::imports::Io;
use saas_runtime::latest::{ConnectorError, GroupUpdate, ReleaseKind, ReleaseOutcome};
use saas_runtime::{Config, Session};

/// A fake of `members` in one workspace, with I/O, config and a session.
fn signed_in(workspaces: usize, members: usize) -> (FakeBitbucket, Io, Config, Session) {
    let fake = fake(workspaces, members);
    let (io, _) = io(&fake);
    let cfg = config(&settings(&fake));
    let s = connector()
        .authenticate(&io, &cfg, &demo_credentials())
        .unwrap()
        .unwrap();
    (fake, io, cfg, s)
}

#[test]
fn create_update_add_remove_delete_round_trip() {
    let (fake, io, cfg, s) = signed_in(2, 12);
    let c = connector();
    let before = c
        .signed_in(&io, &cfg, &s)
        .list_groups("workspace-000")
        .unwrap()
        .unwrap();
    assert_eq!(before.len(), 2);

    let g = c
        .signed_in(&io, &cfg, &s)
        .create_group("workspace-000", "Release Managers")
        .unwrap()
        .unwrap();
    assert_eq!(
        (g.id.as_str(), g.scope.as_str()),
        ("workspace-000/release-managers", "workspace-000")
    );
    let r = g.id.clone();
    let update = GroupUpdate {
        name: Some("Release Crew".into()),
        permission: Some("write".into()),
        auto_add: Some(true),
    };
    let g = c
        .signed_in(&io, &cfg, &s)
        .update_group(&r, &update)
        .unwrap()
        .unwrap();
    assert_eq!(
        (g.name.as_str(), g.permission.as_deref(), g.auto_add),
        ("Release Crew", Some("write"), Some(true))
    );
    let bad = GroupUpdate {
        permission: Some("owner".into()),
        ..update
    };
    let err = c
        .signed_in(&io, &cfg, &s)
        .update_group(&r, &bad)
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, ConnectorError::InvalidConfig(_)), "{err:?}");

    let member = fake
        .truth()
        .users
        .iter()
        .find(|(_, ws)| ws.contains("workspace-000"))
        .unwrap()
        .0
        .clone();
    c.signed_in(&io, &cfg, &s)
        .add_member(&r, &member)
        .unwrap()
        .unwrap();
    assert_eq!(
        fake.group_members("workspace-000", "release-managers")
            .unwrap(),
        std::slice::from_ref(&member)
    );
    let members = c
        .signed_in(&io, &cfg, &s)
        .list_members(&r)
        .unwrap()
        .unwrap();
    assert_eq!(members[0].user_id.as_deref(), Some(member.as_str()));
    let found = c.signed_in(&io, &cfg, &s).get_group(&r).unwrap().unwrap();
    assert_eq!(found.members.len(), 1);

    c.signed_in(&io, &cfg, &s)
        .remove_member(&r, &member)
        .unwrap()
        .unwrap();
    assert!(
        fake.group_members("workspace-000", "release-managers")
            .unwrap()
            .is_empty()
    );
    c.signed_in(&io, &cfg, &s)
        .delete_group(&r)
        .unwrap()
        .unwrap();
    assert!(
        fake.group_members("workspace-000", "release-managers")
            .is_none()
    );
    let err = c
        .signed_in(&io, &cfg, &s)
        .delete_group(&r)
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::NotFound(_)),
        "{}",
        err.describe()
    );
    // Every member id went out URL-encoded, braces included.
    assert!(
        fake.requests()
            .iter()
            .any(|q| q.path.contains("%7B") && q.path.contains("%7D"))
    );
}

#[test]
fn group_errors_are_typed() {
    let (_fake, io, cfg, s) = signed_in(1, 3);
    let c = connector();
    let err = c
        .signed_in(&io, &cfg, &s)
        .list_groups("no-such-workspace")
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)));
    let missing = "workspace-000/nope".to_string();
    let err = c
        .signed_in(&io, &cfg, &s)
        .add_member(&missing, "{00000000-0000-0000-0000-000000000000}")
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)));
}

#[test]
fn release_seats_plans_leaving_every_group_and_applies_only_when_asked() {
    let (fake, io, cfg, s) = signed_in(1, 12);
    let c = connector();
    let developers = fake.group_members("workspace-000", "developers").unwrap();
    let user = developers[0].clone();
    let other = fake
        .truth()
        .users
        .keys()
        .find(|u| !developers.contains(u))
        .unwrap()
        .clone();
    let plans = c
        .signed_in(&io, &cfg, &s)
        .release_seats(&[user.clone(), other.clone()], "workspace-000", false)
        .unwrap()
        .unwrap();
    assert_eq!(plans.len(), 2);
    assert_eq!(
        (plans[0].user_id.as_str(), plans[1].user_id.as_str()),
        (user.as_str(), other.as_str())
    );
    assert!(
        plans[1]
            .actions
            .iter()
            .all(|a| a.target != "workspace-000/developers")
    );
    let plan = &plans[0];
    assert!(!plan.applied);
    assert!(plan.frees_seat.is_none() && !plan.notes.is_empty());
    assert!(
        plan.actions
            .iter()
            .all(|a| a.kind == ReleaseKind::LeaveGroup && a.outcome.is_none())
    );
    assert!(
        plan.actions
            .iter()
            .any(|a| a.target == "workspace-000/developers")
    );
    assert_eq!(
        fake.group_members("workspace-000", "developers").unwrap(),
        developers
    );

    let before = fake.requests().len();
    let done = c
        .signed_in(&io, &cfg, &s)
        .release_seats(std::slice::from_ref(&user), "workspace-000", true)
        .unwrap()
        .unwrap()
        .remove(0);
    // One read of the groups, then one removal per group.
    assert_eq!(fake.requests().len() - before, 1 + done.actions.len());
    assert!(done.applied);
    assert!(
        done.actions
            .iter()
            .all(|a| a.outcome == Some(ReleaseOutcome::Done))
    );
    assert!(
        !fake
            .group_members("workspace-000", "developers")
            .unwrap()
            .contains(&user)
    );
    let err = c
        .signed_in(&io, &cfg, &s)
        .release_seats(&[user], "no-such-workspace", false)
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err:?}");
}
