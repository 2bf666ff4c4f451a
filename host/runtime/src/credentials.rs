//! Credentials a connector renews while it runs: a refresh token the
//! upstream rotated stops working once used, so a host that drops the new
//! one locks its operator out at the next run. A session that comes back
//! with `renewed` fields goes through [`Io::keep_renewed`]: the values are
//! masked from then on, handed to the [`CredentialStore`], and cleared from
//! the session before it goes back into the guest. They are never logged.

use crate::imports::{Io, Level};
use crate::values::Session;
use crate::wit::latest::RenewedField;

/// Where renewed credential fields are kept.
pub trait CredentialStore: Send + Sync {
    /// Stores the fields in place of the old values, or says why it could
    /// not (the sentence must not contain a value). `Ok` carries where they
    /// went, for the log.
    fn store(&self, renewed: &[RenewedField]) -> Result<String, String>;
}

/// Keeps nothing: every renewal is a warning that the operator's stored
/// credential no longer works after this run.
#[derive(Debug, Default, Clone, Copy)]
pub struct NotStored;

impl CredentialStore for NotStored {
    fn store(&self, _: &[RenewedField]) -> Result<String, String> {
        Err("this host keeps no credentials".into())
    }
}

/// The slots and fields renewed, for messages (never the values).
pub fn describe(renewed: &[RenewedField]) -> String {
    renewed
        .iter()
        .map(|r| format!("{}.{}", r.slot, r.field))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Io {
    /// Takes the renewed fields out of a session the guest handed back:
    /// masks them, stores them, and logs where they went (or, loudly, that
    /// they went nowhere).
    pub fn keep_renewed(&self, session: Session) -> Session {
        let Session::V0_2_0(mut s) = session else {
            return session;
        };
        if s.renewed.is_empty() {
            return Session::V0_2_0(s);
        }
        let renewed = std::mem::take(&mut s.renewed);
        for r in &renewed {
            self.redactor.add(&r.value);
        }
        let what = describe(&renewed);
        match self.credentials.store(&renewed) {
            Ok(place) => self.events.log(
                Level::Info,
                &format!("the upstream renewed {what}: stored in {place}"),
            ),
            Err(why) => self.events.log(
                Level::Warn,
                &format!(
                    "the upstream renewed {what} and the old value stops working: it was not \
                     stored ({why}). Connect with `saas-host connect`, or keep the credentials \
                     in a config file (--config), so that saas-host can write the new value; \
                     else sign in again before the next run"
                ),
            ),
        }
        Session::V0_2_0(s)
    }
}
