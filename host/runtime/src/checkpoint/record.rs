//! The records a checkpoint stores, defined here and not by any generated
//! type: kebab-case names, times in Unix seconds. Each mirrors a latest
//! contract record field for field; a change of the contract's records
//! stops compiling here, so the checkpoint format never changes unnoticed
//! (bump [`super::FORMAT`] when it must).

use serde::{Deserialize, Serialize};

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

/// A record struct and both conversions, from one list of fields.
macro_rules! record {
    ($(#[$doc:meta])* $name:ident = $latest:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        pub struct $name {
            $($(#[$fdoc])* pub $field: $ty,)*
        }
        impl Mirror<$name> for l::$latest {
            fn mirror(self) -> $name {
                $name { $($field: self.$field.mirror(),)* }
            }
        }
        impl Mirror<l::$latest> for $name {
            fn mirror(self) -> l::$latest {
                l::$latest { $($field: self.$field.mirror(),)* }
            }
        }
    };
}

/// An enum of plain cases and both conversions.
macro_rules! cases {
    ($(#[$doc:meta])* $name:ident = $latest:ident { $($(#[$cdoc:meta])* $case:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($(#[$cdoc])* $case,)*
        }
        impl Mirror<$name> for l::$latest {
            fn mirror(self) -> $name {
                match self { $(l::$latest::$case => $name::$case,)* }
            }
        }
        impl Mirror<l::$latest> for $name {
            fn mirror(self) -> l::$latest {
                match self { $($name::$case => l::$latest::$case,)* }
            }
        }
    };
}

cases! {
    /// What kind of thing a billing unit is.
    UnitKind = UnitKind {
        /// A tenant inside a SaaS.
        Workspace,
        /// A self-hosted installation.
        Instance,
        /// An organization.
        Organization,
        /// Anything else.
        Other,
    }
}

cases! {
    /// An account's normalised state.
    AccountState = AccountState {
        /// Can sign in.
        Active,
        /// Suspended.
        Suspended,
        /// Deactivated, closed or deleted.
        Deactivated,
        /// Not said.
        Unknown,
    }
}

cases! {
    /// A normalised role.
    AccessLevel = AccessLevel {
        /// Limited or external.
        Guest,
        /// Ordinary use.
        Member,
        /// More than a member.
        Elevated,
        /// Administers the unit.
        Admin,
        /// Owns it.
        Owner,
    }
}

cases! {
    /// The channel of a piece of evidence.
    EvidenceKind = EvidenceKind {
        /// The web interface.
        Web,
        /// The API.
        Api,
        /// Git.
        Git,
        /// A sign-in.
        Login,
        /// Not said.
        Unspecified,
    }
}

record! {
    /// Names a billing unit.
    UnitRef = UnitRef {
        /// Its kind.
        kind: UnitKind,
        /// Stable id.
        id: String,
        /// Short name.
        key: String,
    }
}

record! {
    /// Seat numbers the upstream reports.
    SeatFacts = SeatFacts {
        /// Bought.
        purchased: Option<u32>,
        /// In use by the upstream's count.
        used: Option<u32>,
        /// No seat limit.
        unlimited: bool,
    }
}

record! {
    /// A billing unit.
    BillingUnit = BillingUnit {
        /// Which unit.
        unit: UnitRef,
        /// Display name.
        name: Option<String>,
        /// Created, Unix seconds.
        created_at: Option<i64>,
        /// Seat numbers.
        seats: Option<SeatFacts>,
    }
}

record! {
    /// An account's status.
    AccountStatus = AccountStatus {
        /// The upstream's value.
        upstream: Option<String>,
        /// Normalised.
        state: AccountState,
    }
}

record! {
    /// One piece of activity evidence.
    Evidence = Evidence {
        /// The source that said it.
        source: String,
        /// The channel.
        kind: EvidenceKind,
        /// When, Unix seconds.
        at: i64,
    }
}

record! {
    /// A user's place in one billing unit.
    Membership = Membership {
        /// The unit.
        unit: UnitRef,
        /// The upstream's role.
        role: Option<String>,
        /// Normalised role.
        level: Option<AccessLevel>,
        /// Holds a paid seat.
        billable: bool,
        /// Why it does or not.
        billable_reason: String,
        /// Joined, Unix seconds.
        added_at: Option<i64>,
        /// Evidence in this unit.
        evidence: Vec<Evidence>,
        /// Why no source sees this membership's activity.
        evidence_gap: Option<String>,
    }
}

record! {
    /// A user with the memberships of one page.
    User = User {
        /// Stable id.
        id: String,
        /// Cross-product account id.
        account_id: Option<String>,
        /// Email.
        email: Option<String>,
        /// Display name.
        display_name: Option<String>,
        /// Login name.
        username: Option<String>,
        /// Account status.
        status: AccountStatus,
        /// Two-factor authentication.
        mfa_enabled: Option<bool>,
        /// Created, Unix seconds.
        created_at: Option<i64>,
        /// Memberships.
        memberships: Vec<Membership>,
    }
}

record! {
    /// A source that looked at a unit.
    Coverage = Coverage {
        /// The source.
        source: String,
        /// The unit's id.
        unit_id: String,
    }
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
        let record: User = user.clone().mirror();
        let text = serde_json::to_string(&record).unwrap();
        assert!(
            text.contains("\"display-name\":\"Ann\"") && text.contains("\"git\""),
            "{text}"
        );
        let back: l::User = serde_json::from_str::<User>(&text).unwrap().mirror();
        assert_eq!(back, user);
    }
}
