//! Merging is order-independent: a listing's users, split at random into
//! partial copies over many steps (some memberships, some of each one's
//! evidence, an email or not, a more or less restrictive account state),
//! merge to the same result in any order of the steps, and that result
//! holds everything the copies held.

use proptest::prelude::*;

use super::*;
use crate::wit::latest::{AccountStatus, Evidence, EvidenceKind, Membership, UnitKind, UnitRef};

const STATES: [AccountState; 4] = [
    AccountState::Unknown,
    AccountState::Active,
    AccountState::Suspended,
    AccountState::Deactivated,
];

fn membership(unit: usize, evidence: &[(u8, i64)], gap: bool) -> Membership {
    Membership {
        unit: UnitRef {
            kind: UnitKind::Workspace,
            id: format!("{{unit-{unit}}}"),
            key: format!("unit-{unit}"),
        },
        role: Some("member".into()),
        level: None,
        billable: true,
        billable_reason: "a seat".into(),
        added_at: Some(1_600_000_000 + unit as i64),
        evidence: evidence
            .iter()
            .map(|&(kind, at)| Evidence {
                source: format!("source-{}", kind % 2),
                kind: [EvidenceKind::Web, EvidenceKind::Git, EvidenceKind::Login]
                    [kind as usize % 3],
                at,
            })
            .collect(),
        evidence_gap: gap.then(|| format!("no source sees unit-{unit}")),
    }
}

/// A membership's copy: its unit, its evidence as (kind, time), and
/// whether it carries the gap.
type PartialMembership = (usize, Vec<(u8, i64)>, bool);

/// One partial copy of a user: which memberships, which of their
/// evidence, whether the email and the gap are there, and the state.
#[derive(Debug, Clone)]
struct Copy {
    user: usize,
    memberships: Vec<PartialMembership>,
    email: bool,
    state: usize,
}

fn copy(users: usize) -> impl Strategy<Value = Copy> {
    (
        0..users,
        proptest::collection::vec(
            (
                0..4usize,
                proptest::collection::vec((0..6u8, 0..4i64), 0..3),
                any::<bool>(),
            ),
            1..3,
        ),
        any::<bool>(),
        0..STATES.len(),
    )
        .prop_map(|(user, mut memberships, email, state)| {
            memberships.sort_by_key(|m| m.0);
            memberships.dedup_by_key(|m| m.0);
            Copy {
                user,
                memberships,
                email,
                state,
            }
        })
}

fn user(c: &Copy) -> User {
    let state = STATES[c.state];
    User {
        id: format!("{{user-{}}}", c.user),
        account_id: Some(format!("acct-{}", c.user)),
        email: c.email.then(|| format!("user{}@example.com", c.user)),
        display_name: Some(format!("User {}", c.user)),
        username: None,
        status: AccountStatus {
            upstream: Some(format!("state-{}", c.state)),
            state,
        },
        mfa_enabled: None,
        created_at: None,
        memberships: c
            .memberships
            .iter()
            .map(|(unit, evidence, gap)| membership(*unit, evidence, *gap))
            .collect(),
    }
}

/// Steps of copies, merged in the order given.
fn merged(steps: &[Vec<Copy>]) -> Merged {
    let mut merger = Merger::default();
    for step in steps {
        merger.add(step.iter().map(user).collect(), Vec::new(), Vec::new());
    }
    merger.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn merging_is_order_independent_and_loses_nothing(
        steps in proptest::collection::vec(proptest::collection::vec(copy(6), 0..5), 1..6),
        seed in any::<u64>(),
    ) {
        let result = merged(&steps);
        let mut reordered = steps.clone();
        fastrand::Rng::with_seed(seed).shuffle(&mut reordered);
        prop_assert_eq!(&merged(&reordered), &result);
        for c in steps.iter().flatten() {
            let u = result.users.iter().find(|u| u.id == user(c).id).unwrap();
            prop_assert!(restriction(u.status.state) >= restriction(STATES[c.state]));
            prop_assert!(!c.email || u.email.is_some());
            for (unit, evidence, gap) in &c.memberships {
                let m = u.memberships.iter().find(|m| m.unit.key == format!("unit-{unit}")).unwrap();
                prop_assert!(!gap || m.evidence_gap.is_some());
                for e in &membership(*unit, evidence, *gap).evidence {
                    prop_assert!(m.evidence.contains(e), "{:?} lost", e);
                }
            }
        }
    }
}
