//! Properties of the standard `compute-status` rules over random listings:
//! the same listing gives the same report, in whatever order its users,
//! memberships, evidence, units and coverage come.

use proptest::prelude::*;
use saas_connector_sdk::status::compute;
use saas_connector_sdk::{
    AccessLevel, AccountState, AccountStatus, BillingUnit, Coverage, Evidence, EvidenceKind,
    Listing, Membership, Policy, SeatFacts, UnitKind, UnitRef, User,
};

const NOW: i64 = 1_790_000_000;
const DAY: i64 = 86_400;
const UNITS: [&str; 4] = ["alpha", "beta", "gamma", "delta"];
const SOURCES: [&str; 2] = ["web-source", "login-source"];

fn unit(i: usize) -> UnitRef {
    UnitRef {
        kind: UnitKind::Workspace,
        id: format!("{{{}}}", UNITS[i]),
        key: UNITS[i].into(),
    }
}

fn evidence() -> impl Strategy<Value = Evidence> {
    (0..2usize, 0..3u8, -30i64..400).prop_map(|(source, kind, days_ago)| Evidence {
        source: SOURCES[source].into(),
        kind: [EvidenceKind::Web, EvidenceKind::Git, EvidenceKind::Login][kind as usize],
        // Some dates lie in the future: a clock skew the rules must bear.
        at: NOW - days_ago * DAY,
    })
}

fn membership(unit_index: usize) -> impl Strategy<Value = Membership> {
    (
        0..5u8,
        any::<bool>(),
        proptest::collection::vec(evidence(), 0..3),
        proptest::option::of(Just("no source sees this unit".to_string())),
    )
        .prop_map(move |(level, billable, evidence, gap)| Membership {
            unit: unit(unit_index),
            role: None,
            level: Some(
                [
                    AccessLevel::Guest,
                    AccessLevel::Member,
                    AccessLevel::Elevated,
                    AccessLevel::Admin,
                    AccessLevel::Owner,
                ][level as usize],
            ),
            billable,
            billable_reason: "test".into(),
            added_at: None,
            evidence,
            evidence_gap: gap,
        })
}

fn user(id: usize) -> impl Strategy<Value = User> {
    (
        proptest::sample::subsequence((0..UNITS.len()).collect::<Vec<_>>(), 1..=UNITS.len()),
        0..4u8,
        proptest::option::of(any::<bool>()),
    )
        .prop_flat_map(move |(units, state, mfa)| {
            let memberships: Vec<_> = units.into_iter().map(membership).collect();
            (memberships, Just(state), Just(mfa))
        })
        .prop_map(move |(memberships, state, mfa)| User {
            id: format!("user-{id:03}"),
            account_id: None,
            email: None,
            display_name: None,
            username: None,
            status: AccountStatus {
                upstream: None,
                state: [
                    AccountState::Active,
                    AccountState::Suspended,
                    AccountState::Deactivated,
                    AccountState::Unknown,
                ][state as usize],
            },
            mfa_enabled: mfa,
            created_at: None,
            memberships,
        })
}

fn listing() -> impl Strategy<Value = Listing> {
    (
        (0..25usize).prop_flat_map(|n| (0..n).map(user).collect::<Vec<_>>()),
        proptest::collection::vec((0..UNITS.len(), 0..SOURCES.len()), 0..6),
        proptest::option::of(0..40u32),
        any::<bool>(),
    )
        .prop_map(|(users, covered, purchased, complete)| Listing {
            users,
            units: (0..UNITS.len())
                .map(|i| BillingUnit {
                    unit: unit(i),
                    name: None,
                    created_at: None,
                    seats: (i == 0).then_some(SeatFacts {
                        purchased,
                        used: None,
                        unlimited: false,
                    }),
                })
                .collect(),
            coverage: covered
                .into_iter()
                .map(|(u, s)| Coverage {
                    source: SOURCES[s].into(),
                    unit_id: unit(u).id,
                })
                .collect(),
            complete,
        })
}

/// The same listing with every list in another order.
fn shuffled(listing: &Listing, seed: u64) -> Listing {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut l = listing.clone();
    rng.shuffle(&mut l.users);
    for u in &mut l.users {
        rng.shuffle(&mut u.memberships);
        for m in &mut u.memberships {
            rng.shuffle(&mut m.evidence);
        }
    }
    rng.shuffle(&mut l.units);
    rng.shuffle(&mut l.coverage);
    l
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn compute_status_is_deterministic_and_order_independent(
        listing in listing(),
        threshold in 1..200u32,
        seed in any::<u64>(),
    ) {
        let policy = Policy { as_of: NOW, inactive_after_days: threshold, purchased_seats: None };
        let report = compute(&listing, &policy);
        prop_assert_eq!(&report, &compute(&listing, &policy));
        prop_assert_eq!(&report, &compute(&shuffled(&listing, seed), &policy));
        // An incomplete listing calls nobody idle.
        if !listing.complete {
            prop_assert_eq!(report.counts.inactive, 0);
        }
    }
}
