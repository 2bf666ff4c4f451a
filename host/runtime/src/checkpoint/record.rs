//! The checkpoint's records ([`saas_host_files::checkpoint::records`])
//! against the latest contract's, both ways. Each conversion is a struct
//! literal naming every field on both sides, so a change of the contract's
//! records, or of the file's, stops compiling here: the format never
//! changes unnoticed.

use saas_host_files::checkpoint::records as f;

use crate::wit::latest as l;

/// A conversion between a record and its latest contract type, both ways.
pub trait Mirror<T> {
    /// The value as the other type.
    fn mirror(self) -> T;
}

macro_rules! same {
    ($($t:ty),*) => {$(
        impl Mirror<$t> for $t {
            fn mirror(self) -> $t {
                self
            }
        }
    )*};
}
same!(String, bool, u32, i64);

impl<A: Mirror<B>, B> Mirror<Option<B>> for Option<A> {
    fn mirror(self) -> Option<B> {
        self.map(Mirror::mirror)
    }
}

impl<A: Mirror<B>, B> Mirror<Vec<B>> for Vec<A> {
    fn mirror(self) -> Vec<B> {
        self.into_iter().map(Mirror::mirror).collect()
    }
}

/// Both conversions of a record, from its list of fields.
macro_rules! record {
    ($($name:ident { $($field:ident),* $(,)? })*) => {$(
        impl Mirror<f::$name> for l::$name {
            fn mirror(self) -> f::$name {
                f::$name { $($field: self.$field.mirror(),)* }
            }
        }
        impl Mirror<l::$name> for f::$name {
            fn mirror(self) -> l::$name {
                l::$name { $($field: self.$field.mirror(),)* }
            }
        }
    )*};
}

/// Both conversions of an enum of plain cases, from its list of cases.
macro_rules! cases {
    ($($name:ident { $($case:ident),* $(,)? })*) => {$(
        impl Mirror<f::$name> for l::$name {
            fn mirror(self) -> f::$name {
                match self { $(l::$name::$case => f::$name::$case,)* }
            }
        }
        impl Mirror<l::$name> for f::$name {
            fn mirror(self) -> l::$name {
                match self { $(f::$name::$case => l::$name::$case,)* }
            }
        }
    )*};
}

cases! {
    UnitKind { Workspace, Instance, Organization, Other }
    AccountState { Active, Suspended, Deactivated, Unknown }
    AccessLevel { Guest, Member, Elevated, Admin, Owner }
    EvidenceKind { Web, Api, Git, Login, Unspecified }
}

record! {
    UnitRef { kind, id, key }
    SeatFacts { purchased, used, unlimited }
    BillingUnit { unit, name, created_at, seats }
    AccountStatus { upstream, state }
    Evidence { source, kind, at }
    Membership { unit, role, level, billable, billable_reason, added_at, evidence, evidence_gap }
    User {
        id, account_id, email, display_name, username, status, mfa_enabled, created_at,
        memberships,
    }
    Coverage { source, unit_id }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_round_trips_through_its_record() {
        let user = l::User {
            id: "{u1}".into(),
            account_id: Some("a1".into()),
            email: None,
            display_name: Some("Ann".into()),
            username: Some("ann".into()),
            status: l::AccountStatus {
                upstream: Some("active".into()),
                state: l::AccountState::Active,
            },
            mfa_enabled: Some(true),
            created_at: Some(1_600_000_000),
            memberships: vec![l::Membership {
                unit: l::UnitRef {
                    kind: l::UnitKind::Workspace,
                    id: "{w}".into(),
                    key: "w".into(),
                },
                role: Some("owner".into()),
                level: Some(l::AccessLevel::Owner),
                billable: true,
                billable_reason: "seat".into(),
                added_at: None,
                evidence: vec![l::Evidence {
                    source: "s".into(),
                    kind: l::EvidenceKind::Git,
                    at: 7,
                }],
                evidence_gap: Some("outside the directory".into()),
            }],
        };
        let record: f::User = user.clone().mirror();
        let text = serde_json::to_string(&record).unwrap();
        assert!(
            text.contains("\"display-name\":\"Ann\"") && text.contains("\"git\""),
            "{text}"
        );
        let back: l::User = serde_json::from_str::<f::User>(&text).unwrap().mirror();
        assert_eq!(back, user);
    }
}
