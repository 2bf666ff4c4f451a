//! Groups of admin-managed workspaces through the wasm component: 1.0
//! writes refused as `read-only`, directory groups (Admin API v2) listed
//! beside workspace groups, and seats freed through them.

use e2e::admin::{admin_credentials, admin_io, admin_settings, managed_fake};
use e2e::{connector, demo_credentials};
use fake_bitbucket::{AdminConfig, FakeBitbucket};
use saas_runtime::imports::Io;
use saas_runtime::latest::{ConnectorError, ReleaseKind, ReleaseOutcome, SlotCredential};
use saas_runtime::{Config, Session};

/// Workspace 001 is admin-managed, 000 is not.
const MANAGED: &str = "workspace-001";

fn signed_in(fake: &FakeBitbucket, credentials: &[SlotCredential]) -> (Io, Config, Session) {
    let (io, _) = admin_io(fake);
    let cfg = connector().config(&admin_settings(fake)).unwrap();
    let s = connector()
        .authenticate(&io, &cfg, credentials)
        .unwrap()
        .unwrap();
    (io, cfg, s)
}

fn a_member(fake: &FakeBitbucket, workspace: &str) -> String {
    fake.truth()
        .users
        .iter()
        .find(|(_, ws)| ws.contains(workspace))
        .map(|(id, _)| id.clone())
        .unwrap()
}

#[test]
fn without_the_key_writes_to_a_managed_workspace_are_read_only_and_say_what_to_do() {
    let fake = managed_fake(2, 10, AdminConfig::default());
    let (io, cfg, s) = signed_in(&fake, &demo_credentials());
    let g = connector().signed_in(&io, &cfg, &s);
    let managed = g.list_groups(MANAGED).unwrap().unwrap();
    assert!(!managed.is_empty());
    assert!(
        managed.iter().all(|g| g.writable == Some(false)),
        "{managed:?}"
    );
    let plain = g.list_groups("workspace-000").unwrap().unwrap();
    assert!(plain.iter().all(|g| g.writable == Some(true)), "{plain:?}");
    let user = a_member(&fake, MANAGED);
    for err in [
        g.create_group(MANAGED, "Release Managers")
            .unwrap()
            .unwrap_err(),
        g.add_member(&format!("{MANAGED}/developers"), &user)
            .unwrap()
            .unwrap_err(),
        g.delete_group(&format!("{MANAGED}/developers"))
            .unwrap()
            .unwrap_err(),
    ] {
        match err {
            ConnectorError::ReadOnly(e) => {
                assert!(e.reason.contains("admin.atlassian.com"), "{e:?}");
                assert!(e.hint.contains("atlassian-admin"), "{e:?}");
            }
            other => panic!("expected read-only, got {other:?}"),
        }
    }
    // The unmanaged workspace still takes writes.
    assert!(
        g.create_group("workspace-000", "Release Managers")
            .unwrap()
            .is_ok()
    );
    let err = g.list_groups("directory").unwrap().unwrap_err();
    assert!(matches!(err, ConnectorError::InvalidConfig(ref m) if m.contains("atlassian-admin")));
}

#[test]
fn with_the_key_directory_groups_are_listed_changed_and_free_the_seat() {
    let fake = managed_fake(2, 10, AdminConfig::default());
    let (io, cfg, s) = signed_in(&fake, &admin_credentials(&fake));
    let g = connector().signed_in(&io, &cfg, &s);
    let all = g.list_groups(MANAGED).unwrap().unwrap();
    let directory: Vec<_> = all
        .iter()
        .filter(|g| g.scope.starts_with("directory:"))
        .collect();
    let workspace: Vec<_> = all.iter().filter(|g| g.scope == MANAGED).collect();
    assert!(!workspace.is_empty() && directory.len() == 1, "{all:?}");
    let grant = directory[0];
    assert_eq!(grant.name, format!("bitbucket-users-{MANAGED}"));
    let group_name = grant.name.clone();
    let members = g.list_members(&grant.id).unwrap().unwrap();
    assert_eq!(
        members.len(),
        fake.directory_group_members(&group_name).unwrap().len()
    );

    let user = a_member(&fake, MANAGED);
    let plan = g
        .release_seats(std::slice::from_ref(&user), MANAGED, false)
        .unwrap()
        .unwrap();
    assert_eq!(plan.len(), 1);
    assert!(!plan[0].applied);
    assert_eq!(plan[0].frees_seat, Some(true));
    assert!(
        plan[0].notes.iter().any(|n| n.contains("git")),
        "{:?}",
        plan[0].notes
    );
    let actions = &plan[0].actions;
    assert!(
        actions.len() == 1
            && actions[0].kind == ReleaseKind::LeaveGroup
            && actions[0].target == grant.id,
        "{actions:?}"
    );
    let before = fake.directory_group_members(&group_name).unwrap();
    let done = g
        .release_seats(std::slice::from_ref(&user), MANAGED, true)
        .unwrap()
        .unwrap();
    assert!(done[0].applied);
    assert!(matches!(
        done[0].actions[0].outcome,
        Some(ReleaseOutcome::Done)
    ));
    let after = fake.directory_group_members(&group_name).unwrap();
    assert_eq!(after.len() + 1, before.len());
    // And back, through the same v2 memberships.
    g.add_member(&grant.id, &user).unwrap().unwrap();
    assert_eq!(
        fake.directory_group_members(&group_name).unwrap().len(),
        before.len()
    );
}
