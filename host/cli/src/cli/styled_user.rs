//! A user of the sync outputs, serialised straight into the outputs' style
//! ([`saas_runtime::json_style`]): the same document as the user turned into a
//! `serde_json::Value`, restyled and written, without building the value.
//! Keys come in the order a `Value`'s map writes them (sorted), times as RFC
//! 3339, enum values in kebab-case. At 100,000 memberships the value and
//! its restyling were most of the time after the listing.

use serde::ser::{Serialize, SerializeMap, Serializer};

use saas_runtime::names::WitSpelled;
use saas_runtime::roster::{EvidenceView, MembershipView, UserView, VerdictView};

use super::output::iso;

/// A user with the report's verdict and, for NDJSON, its record type.
pub struct StyledUser<'a> {
    /// The user, read in place in the roster.
    pub user: UserView<'a>,
    /// The report's verdict on them, when it gave one.
    pub status: Option<VerdictView<'a>>,
    /// The `type` field of an NDJSON line.
    pub record_type: Option<&'static str>,
}

/// A contract timestamp as RFC 3339, or null.
struct Time(Option<i64>);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(t) => s.serialize_str(&iso(t)),
            None => s.serialize_none(),
        }
    }
}

struct Unit<'a>(MembershipView<'a>);

impl Serialize for Unit<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("id", self.0.unit_id())?;
        m.serialize_entry("key", self.0.unit_key())?;
        m.serialize_entry("kind", self.0.unit_kind().wit())?;
        m.end()
    }
}

struct Proof<'a>(EvidenceView<'a>);

impl Serialize for Proof<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("at", &Time(Some(self.0.at)))?;
        m.serialize_entry("kind", self.0.kind.wit())?;
        m.serialize_entry("source", self.0.source)?;
        m.end()
    }
}

/// A list serialised from an iterator as it is read, with no vector.
struct Each<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Each<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.take().into_iter().flatten())
    }
}

/// The list of `items`, serialised once as it is read.
fn each<I: Iterator<Item = T>, T: Serialize>(items: I) -> Each<I> {
    Each(std::cell::Cell::new(Some(items)))
}

struct Seat<'a>(MembershipView<'a>);

impl Serialize for Seat<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("added_at", &Time(x.added_at()))?;
        m.serialize_entry("billable", &x.billable())?;
        m.serialize_entry("billable_reason", x.billable_reason())?;
        m.serialize_entry("evidence", &each(x.evidence().map(Proof)))?;
        m.serialize_entry("evidence_gap", &x.evidence_gap())?;
        m.serialize_entry("level", &x.level().map(WitSpelled::wit))?;
        m.serialize_entry("role", &x.role())?;
        m.serialize_entry("unit", &Unit(x))?;
        m.end()
    }
}

struct State<'a>(UserView<'a>);

impl Serialize for State<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("state", self.0.state().wit())?;
        m.serialize_entry("upstream", &self.0.upstream_status())?;
        m.end()
    }
}

struct Verdict<'a>(VerdictView<'a>);

impl Serialize for Verdict<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("activity", self.0.activity.wit())?;
        m.serialize_entry("last_active", &Time(self.0.last_active))?;
        m.serialize_entry("last_active_source", &self.0.last_active_source)?;
        m.serialize_entry("reason", self.0.reason)?;
        m.end()
    }
}

impl Serialize for StyledUser<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.user;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("account_id", &u.account_id())?;
        m.serialize_entry("created_at", &Time(u.created_at()))?;
        m.serialize_entry("display_name", &u.display_name())?;
        m.serialize_entry("email", &u.email())?;
        m.serialize_entry("id", u.id())?;
        m.serialize_entry("memberships", &each(u.memberships().map(Seat)))?;
        m.serialize_entry("mfa_enabled", &u.mfa_enabled())?;
        m.serialize_entry("status", &State(u))?;
        if let Some(t) = self.record_type {
            m.serialize_entry("type", t)?;
        }
        m.serialize_entry("username", &u.username())?;
        if let Some(v) = self.status {
            m.serialize_entry("verdict", &Verdict(v))?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests;
