//! Version dispatch: the component released against contract 0.1.0 (a
//! frozen fixture) runs in this host beside the current one, and the two
//! list the same users and memberships from the same fake.

use std::sync::OnceLock;

use e2e::{demo_credentials, fake, io, runtime, seen, settings};
use saas_runtime::latest::{Capability, CredentialKind, Policy, SettingType, User};
use saas_runtime::sync::{self, SyncRequest};
use saas_runtime::{Connector, ContractVersion, HostError};

fn fixture() -> &'static Connector {
    static FIXTURE: OnceLock<Connector> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        runtime()
            .load(e2e::BITBUCKET_V0_1_0)
            .expect("the 0.1.0 fixture loads")
    })
}

fn sync_with(c: &Connector, fake: &fake_bitbucket::FakeBitbucket) -> sync::Listing {
    let (io, _) = io(fake);
    let listing = sync::list_all(
        c,
        &io,
        &SyncRequest::new(settings(fake), demo_credentials()),
        &mut |_| {},
    )
    .unwrap();
    assert!(listing.complete, "{:?}", listing.stop);
    listing
}

/// Users with their memberships, less the sentence each version writes
/// for why a membership is billable, and less the roles 0.1.0 could not
/// name: it knew owner, collaborator and member, and reads any other role
/// (`create-project`, future ones) as member or as no role, where 0.2.0
/// keeps the upstream's string.
fn comparable(users: &[User]) -> Vec<User> {
    let mut users = users.to_vec();
    for m in users.iter_mut().flat_map(|u| &mut u.memberships) {
        m.billable_reason.clear();
        if !matches!(m.role.as_deref(), Some("owner" | "collaborator")) {
            m.role = Some("member-level".into());
            m.level = None;
        }
    }
    users
}

#[test]
fn the_0_1_0_fixture_and_the_current_component_list_the_same_users() {
    let fake = fake(4, 130);
    let old = sync_with(fixture(), &fake);
    let new = sync_with(e2e::connector(), &fake);
    assert_eq!(fixture().contract_version(), ContractVersion::V0_1_0);
    assert_eq!(e2e::connector().contract_version(), ContractVersion::V0_2_0);
    assert_eq!(seen(&old.users), fake.truth().users);
    for (o, n) in comparable(&old.users.to_vec())
        .iter()
        .zip(comparable(&new.users.to_vec()))
    {
        assert_eq!(*o, n);
    }
    assert_eq!(old.users.len(), new.users.len());
    assert_eq!(old.units, new.units);
    assert_eq!(old.coverage, new.coverage);
    let evidence: Vec<_> = old
        .users
        .iter()
        .flat_map(|u| u.memberships)
        .flat_map(|m| m.evidence)
        .collect();
    assert!(!evidence.is_empty());
    assert!(evidence.iter().all(|e| e.source == "bitbucket-permissions"));
}

#[test]
fn statuses_of_the_0_1_0_fixture_come_from_its_own_rules_in_the_latest_model() {
    let fake = fake(5, 60);
    let old = sync_with(fixture(), &fake);
    let new = sync_with(e2e::connector(), &fake);
    let (io, _) = io(&fake);
    let policy = Policy {
        as_of: 1_900_000_000,
        inactive_after_days: 90,
        purchased_seats: Some(100),
    };
    let a = sync::compute_status(fixture(), &io, &old, policy).unwrap();
    let b = sync::compute_status(e2e::connector(), &io, &new, policy).unwrap();
    assert_eq!(a.reconciliation, b.reconciliation);
    assert_eq!(a.counts, b.counts);
    assert_eq!(a.seats.used, b.seats.used);
    let activity = |r: &saas_runtime::report::Report| {
        r.users
            .iter()
            .map(|u| (u.user_id.clone(), u.activity, u.last_active))
            .collect::<Vec<_>>()
    };
    assert_eq!(activity(&a), activity(&b));
    let units = |r: &saas_runtime::report::Report| {
        r.seats
            .per_unit
            .iter()
            .map(|u| (u.unit.clone(), u.used, u.idle, u.covered_by.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(units(&a), units(&b));
}

#[test]
fn a_0_1_0_component_declares_settings_slots_and_capabilities_in_the_latest_model() {
    let info = fixture().info();
    assert_eq!(info.contract_version, "0.1.0");
    let names: Vec<(&str, SettingType)> = info
        .settings
        .iter()
        .map(|s| (s.name.as_str(), s.type_))
        .collect();
    assert!(names.contains(&("api-base-url", SettingType::Url)));
    assert!(names.contains(&("include-workspaces", SettingType::StringList)));
    let slot = &info.credential_slots[0];
    assert_eq!(slot.name, "bitbucket");
    assert!(slot.kinds.contains(&CredentialKind::OauthClientCredentials));
    assert!(slot.kinds.contains(&CredentialKind::Basic));
    for c in [
        Capability::Refresh,
        Capability::ResumableListing,
        Capability::GroupWrite,
    ] {
        assert!(info.has(c), "{c:?}");
    }
    assert!(!info.has(Capability::ReleaseSeats));
    // Given no URL, egress allows the hosts the component declares.
    let hosts: Vec<String> = fixture()
        .egress_urls(&[])
        .iter()
        .map(|u| u.host_str().unwrap().to_string())
        .collect();
    assert_eq!(hosts, ["api.bitbucket.org", "bitbucket.org"]);
}

#[test]
fn groups_of_a_0_1_0_component_round_trip_through_the_latest_model() {
    let fake = fake(1, 6);
    let (io, _) = io(&fake);
    let c = fixture();
    let cfg = c.config(&settings(&fake)).unwrap();
    let s = c
        .authenticate(&io, &cfg, &demo_credentials())
        .unwrap()
        .unwrap();
    let g = c
        .signed_in(&io, &cfg, &s)
        .create_group("workspace-000", "Old Contract")
        .unwrap()
        .unwrap();
    assert_eq!(g.id, "workspace-000/old-contract");
    let member = fake.truth().users.keys().next().cloned().unwrap();
    c.signed_in(&io, &cfg, &s)
        .add_member(&g.id, &member)
        .unwrap()
        .unwrap();
    assert_eq!(
        fake.group_members("workspace-000", "old-contract"),
        Some(vec![member.clone()])
    );
    let shown = c
        .signed_in(&io, &cfg, &s)
        .get_group(&g.id)
        .unwrap()
        .unwrap();
    assert_eq!(shown.scope, "workspace-000");
    let members = c
        .signed_in(&io, &cfg, &s)
        .list_members(&g.id)
        .unwrap()
        .unwrap();
    assert_eq!(members[0].user_id.as_deref(), Some(member.as_str()));
    c.signed_in(&io, &cfg, &s)
        .delete_group(&g.id)
        .unwrap()
        .unwrap();
    assert!(
        fake.group_members("workspace-000", "old-contract")
            .is_none()
    );
    let err = c
        .signed_in(&io, &cfg, &s)
        .release_seats(&[member], "workspace-000", false)
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), "unsupported");
}

#[test]
fn a_session_of_one_version_is_refused_by_a_connector_of_another() {
    let fake = fake(1, 3);
    let (io, _) = io(&fake);
    let old = fixture().config(&settings(&fake)).unwrap();
    let new = e2e::connector().config(&settings(&fake)).unwrap();
    let session = fixture()
        .authenticate(&io, &old, &demo_credentials())
        .unwrap()
        .unwrap();
    let err = e2e::connector()
        .list_users(&io, &new, &session, None)
        .unwrap_err();
    assert!(
        matches!(err, HostError::ForeignValue(ContractVersion::V0_2_0)),
        "{err}"
    );
    assert!(!format!("{session:?}").contains("fbb-access-"));
}
