//! A user as the roster keeps it: the user's own strings in one
//! allocation, every repeated string a symbol, its memberships compact
//! ([`Seat`]) and never with spare room.
//! Converting a contract [`User`] in and back out gives the same user.

use super::fields::Fields;
use super::seat::Seat;
use super::symbols::{Sym, Symbols};
use super::time::Time;
use crate::wit::latest::{AccountState, AccountStatus, User};

/// One user, in 72 bytes besides its own strings and memberships.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    /// Id, account id, email, display name and username.
    fields: Fields<5>,
    /// Grown one at a time as copies of the user arrive, so never with
    /// spare room.
    pub(crate) seats: Box<[Seat]>,
    created_at: Time,
    pub(crate) upstream_status: Option<Sym>,
    pub(crate) state: AccountState,
    pub(crate) mfa_enabled: Option<bool>,
}

#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<Person>() == 72);

const ID: usize = 0;
const ACCOUNT_ID: usize = 1;
const EMAIL: usize = 2;
const DISPLAY_NAME: usize = 3;
const USERNAME: usize = 4;

impl Person {
    /// A contract user, its repeated strings interned.
    pub(crate) fn compact(user: User, symbols: &mut Symbols) -> Person {
        let seats = user
            .memberships
            .into_iter()
            .map(|m| Seat::compact(m, symbols))
            .collect();
        Person {
            fields: Fields::new([
                Some(user.id.as_str()),
                user.account_id.as_deref(),
                user.email.as_deref(),
                user.display_name.as_deref(),
                user.username.as_deref(),
            ]),
            upstream_status: user.status.upstream.map(|s| symbols.intern(&s)),
            state: user.status.state,
            mfa_enabled: user.mfa_enabled,
            created_at: Time::new(user.created_at),
            seats,
        }
    }

    /// The contract user again.
    pub(crate) fn expand(&self, symbols: &Symbols) -> User {
        let f = &self.fields;
        User {
            id: self.id().to_string(),
            account_id: f.owned(ACCOUNT_ID),
            email: f.owned(EMAIL),
            display_name: f.owned(DISPLAY_NAME),
            username: f.owned(USERNAME),
            status: AccountStatus {
                upstream: self.upstream_status.map(|s| symbols.get(s).to_string()),
                state: self.state,
            },
            mfa_enabled: self.mfa_enabled,
            created_at: self.created_at.get(),
            memberships: self.seats.iter().map(|s| s.expand(symbols)).collect(),
        }
    }

    /// The user's id.
    pub(crate) fn id(&self) -> &str {
        self.fields.get(ID).unwrap_or_default()
    }

    /// The upstream's account id, when known.
    pub(crate) fn account_id(&self) -> Option<&str> {
        self.fields.get(ACCOUNT_ID)
    }

    /// The username, when known.
    pub(crate) fn username(&self) -> Option<&str> {
        self.fields.get(USERNAME)
    }

    /// When the account was created, when known.
    pub(crate) fn created_at(&self) -> Option<i64> {
        self.created_at.get()
    }

    /// The display name, when known.
    pub(crate) fn display_name(&self) -> Option<&str> {
        self.fields.get(DISPLAY_NAME)
    }

    /// The email, when known.
    pub(crate) fn email(&self) -> Option<&str> {
        self.fields.get(EMAIL)
    }

    /// Fills in the email.
    pub(crate) fn set_email(&mut self, email: &str) {
        self.fields = self.fields.with(EMAIL, Some(email));
    }

    /// Adds a membership, growing the memberships by exactly one: most
    /// users gain one or two after their first listing step, and room for
    /// four would cost a million-membership listing 16 MB.
    pub(crate) fn add_seat(&mut self, seat: Seat) {
        let mut seats = std::mem::take(&mut self.seats).into_vec();
        seats.reserve_exact(1);
        seats.push(seat);
        self.seats = seats.into_boxed_slice();
    }
}
