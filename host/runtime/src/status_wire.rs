//! `compute-status` handed a chunk of the roster as it is: the contract's
//! `listing` record spelled again with borrowed strings, so that each
//! string goes from the roster into the guest with one copy. Built in
//! contract form first, every user's strings were copied, lowered, then
//! freed: at a million memberships that copy (`Person::expand`) was the
//! host's top function in a profile of the statuses. wasmtime checks these
//! records against the component's own types when the function is looked
//! up, so a field that drifts from the WIT is an error on the first call,
//! never a wrong value.

use std::ops::Range;

use wasmtime::Store;
use wasmtime::component::{ComponentType, Instance, Lower};

use crate::imports::CallState;
use crate::listing::Listing;
use crate::roster::{MembershipView, UserView};
use crate::wit::latest::{
    AccessLevel, AccountState, BillingUnit, ConnectorError, Coverage, EvidenceKind, Policy,
    StatusReport, UnitKind,
};
use crate::wit::{ContractVersion, PACKAGE};

#[derive(ComponentType, Lower)]
#[component(record)]
struct UnitRef<'a> {
    kind: UnitKind,
    id: &'a str,
    key: &'a str,
}

#[derive(ComponentType, Lower)]
#[component(record)]
struct Evidence<'a> {
    source: &'a str,
    kind: EvidenceKind,
    at: i64,
}

#[derive(ComponentType, Lower)]
#[component(record)]
struct Membership<'a> {
    unit: UnitRef<'a>,
    role: Option<&'a str>,
    level: Option<AccessLevel>,
    billable: bool,
    #[component(name = "billable-reason")]
    billable_reason: &'a str,
    #[component(name = "added-at")]
    added_at: Option<i64>,
    evidence: &'a [Evidence<'a>],
    #[component(name = "evidence-gap")]
    evidence_gap: Option<&'a str>,
}

#[derive(ComponentType, Lower)]
#[component(record)]
struct AccountStatus<'a> {
    upstream: Option<&'a str>,
    state: AccountState,
}

#[derive(ComponentType, Lower)]
#[component(record)]
struct User<'a> {
    id: &'a str,
    #[component(name = "account-id")]
    account_id: Option<&'a str>,
    email: Option<&'a str>,
    #[component(name = "display-name")]
    display_name: Option<&'a str>,
    username: Option<&'a str>,
    status: AccountStatus<'a>,
    #[component(name = "mfa-enabled")]
    mfa_enabled: Option<bool>,
    #[component(name = "created-at")]
    created_at: Option<i64>,
    memberships: &'a [Membership<'a>],
}

#[derive(ComponentType, Lower)]
#[component(record)]
struct WireListing<'a> {
    users: &'a [User<'a>],
    units: &'a [BillingUnit],
    coverage: &'a [Coverage],
    complete: bool,
}

/// What `compute-status` returns, as the generated bindings lift it.
type Returned = (Result<StatusReport, ConnectorError>,);

/// Hands out consecutive runs of `all`, `n` items at a time.
fn runs<'a, T>(all: &'a [T]) -> impl FnMut(usize) -> &'a [T] {
    let mut at = 0;
    move |n| {
        let run = &all[at..at + n];
        at += n;
        run
    }
}

/// `compute-status` of a fresh 0.2.0 `instance` on the users of `listing`
/// in `range`, with every unit, all coverage and the listing's `complete`
/// flag (the contract's chunks).
pub(crate) fn compute_status(
    instance: &Instance,
    store: &mut Store<CallState>,
    listing: &Listing,
    range: Range<usize>,
    policy: Policy,
) -> wasmtime::Result<Result<StatusReport, ConnectorError>> {
    let users: Vec<UserView<'_>> = listing.users.views_in(range).collect();
    let seats: Vec<MembershipView<'_>> = users.iter().flat_map(|u| u.memberships()).collect();
    let evidence: Vec<Evidence<'_>> = seats
        .iter()
        .flat_map(|m| m.evidence())
        .map(|e| Evidence {
            source: e.source,
            kind: e.kind,
            at: e.at,
        })
        .collect();
    let mut evidence_of = runs(&evidence);
    let memberships: Vec<Membership<'_>> = seats
        .iter()
        .map(|m| Membership {
            unit: UnitRef {
                kind: m.unit_kind(),
                id: m.unit_id(),
                key: m.unit_key(),
            },
            role: m.role(),
            level: m.level(),
            billable: m.billable(),
            billable_reason: m.billable_reason(),
            added_at: m.added_at(),
            evidence: evidence_of(m.evidence_count()),
            evidence_gap: m.evidence_gap(),
        })
        .collect();
    let mut memberships_of = runs(&memberships);
    let users: Vec<User<'_>> = users
        .iter()
        .map(|u| User {
            id: u.id(),
            account_id: u.account_id(),
            email: u.email(),
            display_name: u.display_name(),
            username: u.username(),
            status: AccountStatus {
                upstream: u.upstream_status(),
                state: u.state(),
            },
            mfa_enabled: u.mfa_enabled(),
            created_at: u.created_at(),
            memberships: memberships_of(u.memberships().len()),
        })
        .collect();
    let wire = WireListing {
        users: &users,
        units: &listing.units,
        coverage: &listing.coverage,
        complete: listing.complete,
    };
    let interface = format!("{PACKAGE}/connector@{}", ContractVersion::V0_2_0);
    let func = instance
        .get_export_index(&mut *store, None, &interface)
        .and_then(|i| instance.get_export_index(&mut *store, Some(&i), "compute-status"))
        .ok_or_else(|| wasmtime::format_err!("no {interface}#compute-status export"))?;
    let typed =
        instance.get_typed_func::<(&WireListing<'_>, Policy), Returned>(&mut *store, &func)?;
    let (report,) = typed.call(&mut *store, (&wire, policy))?;
    Ok(report)
}
