//! The records a checkpoint stores, defined here and by no generated type:
//! kebab-case names, times in Unix seconds. Each mirrors a latest contract
//! record field for field; the runtime converts both ways with struct
//! literals that name every field, so a change of the contract's records
//! (or of these) stops compiling there, and the format never changes
//! unnoticed (bump [`super::FORMAT`] when it must).

use serde::{Deserialize, Serialize};

/// A record struct, from one list of fields.
macro_rules! record {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        pub struct $name {
            $($(#[$fdoc])* pub $field: $ty,)*
        }
    };
}

/// An enum of plain cases.
macro_rules! cases {
    ($(#[$doc:meta])* $name:ident { $($(#[$cdoc:meta])* $case:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($(#[$cdoc])* $case,)*
        }
    };
}

cases! {
    /// What kind of thing a billing unit is.
    UnitKind {
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
    AccountState {
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
    AccessLevel {
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
    EvidenceKind {
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
    UnitRef {
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
    SeatFacts {
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
    BillingUnit {
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
    AccountStatus {
        /// The upstream's value.
        upstream: Option<String>,
        /// Normalised.
        state: AccountState,
    }
}

record! {
    /// One piece of activity evidence.
    Evidence {
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
    Membership {
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
    User {
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
    Coverage {
        /// The source.
        source: String,
        /// The unit's id.
        unit_id: String,
    }
}
