//! The listing's resumable state: where it stands and what it learnt about
//! licences so far. A cursor is this state as JSON, sealed with a checksum
//! (the SDK's `cursor`): no secret, bound to the instance it was made for,
//! checked on the way in.

use saas_connector_sdk::cursor;
use serde_json::{Value, json};

use crate::licence::{Grants, GroupGrant, Permission};
use crate::wire::{small, text};
use crate::{Error, Result};

/// Version of the cursor format.
const FORMAT: u32 = 1;

/// The resource being read, and the `start` of its next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The instance's name and licence: the billing unit.
    Instance,
    /// `/admin/permissions/groups`.
    GroupGrants(u32),
    /// `/admin/permissions/users`.
    UserGrants(u32),
    /// `/admin/groups/more-members` of the n-th granting group.
    GroupMembers(usize, u32),
    /// `/users?permission=LICENSED_USER`.
    Licensed(u32),
    /// `/admin/users`: the users, with their last authentication.
    Users(u32),
    /// `/users`: the users without it, for a credential refused the admin list.
    PlainUsers(u32),
}

/// Where a listing stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The base URL the listing reads: a cursor is refused elsewhere.
    pub base: String,
    /// Where it goes on.
    pub phase: Phase,
    /// What it learnt about licences.
    pub grants: Grants,
    /// The page size of the permission-filtered list, once the server's
    /// own maximum is known (half of it: BSERV-11884).
    pub filtered_limit: Option<u32>,
    /// Users listed so far.
    pub listed: u64,
    /// Users found holding a seat so far.
    pub billable: u64,
    /// Seats in use by the licence's own count, when read.
    pub reported_used: Option<u32>,
}

fn phase_json(phase: Phase) -> Value {
    match phase {
        Phase::Instance => json!(["instance"]),
        Phase::GroupGrants(s) => json!(["group-grants", s]),
        Phase::UserGrants(s) => json!(["user-grants", s]),
        Phase::GroupMembers(g, s) => json!(["group-members", s, g]),
        Phase::Licensed(s) => json!(["licensed", s]),
        Phase::Users(s) => json!(["users", s]),
        Phase::PlainUsers(s) => json!(["plain-users", s]),
    }
}

fn phase_of(v: &Value) -> Option<Phase> {
    let at = |i: usize| {
        v.get(i)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    Some(match v.get(0)?.as_str()? {
        "instance" => Phase::Instance,
        "group-grants" => Phase::GroupGrants(at(1)?),
        "user-grants" => Phase::UserGrants(at(1)?),
        "group-members" => Phase::GroupMembers(at(2)? as usize, at(1)?),
        "licensed" => Phase::Licensed(at(1)?),
        "users" => Phase::Users(at(1)?),
        "plain-users" => Phase::PlainUsers(at(1)?),
        _ => return None,
    })
}

fn ids(v: &Value) -> Option<Vec<u32>> {
    v.as_array()?
        .iter()
        .map(|n| n.as_u64().and_then(|n| u32::try_from(n).ok()))
        .collect()
}

fn grants_of(v: &Value) -> Option<Grants> {
    let groups = v
        .get("groups")?
        .as_array()?
        .iter()
        .map(|g| {
            Some(GroupGrant {
                name: g.get(0)?.as_str()?.to_string(),
                permission: g.get(1)?.as_str().and_then(Permission::parse),
                members: ids(g.get(2)?)?,
            })
        })
        .collect::<Option<_>>()?;
    let direct = v
        .get("direct")?
        .as_array()?
        .iter()
        .map(|d| {
            let id = u32::try_from(d.get(0)?.as_u64()?).ok()?;
            Some((id, Permission::parse(d.get(1)?.as_str()?)?))
        })
        .collect::<Option<_>>()?;
    let licensed = match v.get("licensed")? {
        Value::Null => None,
        l => Some(ids(l)?),
    };
    Some(Grants {
        visible: v.get("visible")?.as_bool()?,
        groups,
        direct,
        licensed,
    })
}

impl Cursor {
    /// The start of a listing of `base`.
    pub fn start(base: String) -> Self {
        Cursor {
            base,
            phase: Phase::Instance,
            grants: Grants::default(),
            filtered_limit: None,
            listed: 0,
            billable: 0,
            reported_used: None,
        }
    }

    /// The opaque text.
    pub fn encode(&self) -> String {
        let g = &self.grants;
        let value = json!({
            "format": FORMAT,
            "base": self.base,
            "phase": phase_json(self.phase),
            "grants": {
                "visible": g.visible,
                "groups": g.groups.iter()
                    .map(|x| json!([x.name, x.permission.map(Permission::name), x.members]))
                    .collect::<Vec<_>>(),
                "direct": g.direct.iter().map(|(id, p)| json!([id, p.name()])).collect::<Vec<_>>(),
                "licensed": g.licensed,
            },
            "filtered_limit": self.filtered_limit,
            "listed": self.listed,
            "billable": self.billable,
            "reported_used": self.reported_used,
        });
        cursor::seal(value.to_string().as_bytes())
    }

    fn read(v: &Value) -> Option<Self> {
        Some(Cursor {
            base: text(v, "base")?,
            phase: phase_of(v.get("phase")?)?,
            grants: grants_of(v.get("grants")?)?,
            filtered_limit: small(v, "filtered_limit"),
            listed: v.get("listed")?.as_u64()?,
            billable: v.get("billable")?.as_u64()?,
            reported_used: small(v, "reported_used"),
        })
    }

    /// Reads a cursor back; `invalid-cursor` for anything this connector
    /// did not make for `base`.
    pub fn decode(text: &str, base: &str) -> Result<Self> {
        let invalid = |why: &str| Error::InvalidCursor(format!("{why}; start the listing again"));
        let foreign = || invalid("the cursor is not this connector's");
        let bytes = cursor::open(text).ok_or_else(foreign)?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| foreign())?;
        if small(&value, "format") != Some(FORMAT) {
            return Err(invalid(
                "the cursor is of another version of this connector",
            ));
        }
        let cursor = Cursor::read(&value).ok_or_else(foreign)?;
        if cursor.base != base {
            return Err(invalid(
                "the cursor was made for another instance (base-url)",
            ));
        }
        if let Phase::GroupMembers(i, _) = cursor.phase
            && i >= cursor.grants.groups.len()
        {
            return Err(invalid("the cursor names a group it does not hold"));
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_refuses_other_instances_and_garbage() {
        let mut c = Cursor::start("https://a.test".into());
        c.phase = Phase::Users(2000);
        c.grants = Grants {
            visible: true,
            groups: vec![GroupGrant {
                name: "g".into(),
                permission: Some(Permission::Admin),
                members: vec![3, 1],
            }],
            direct: vec![(9, Permission::LicensedUser)],
            licensed: Some(vec![1, 3, 9]),
        };
        c.filtered_limit = Some(250);
        let text = c.encode();
        assert_eq!(Cursor::decode(&text, "https://a.test").unwrap(), c);
        assert!(matches!(
            Cursor::decode(&text, "https://b.test"),
            Err(Error::InvalidCursor(_))
        ));
        for bad in ["", "!!", &text[..text.len() / 2], "e30"] {
            assert!(
                matches!(
                    Cursor::decode(bad, "https://a.test"),
                    Err(Error::InvalidCursor(_))
                ),
                "{bad}"
            );
        }
        c.phase = Phase::GroupMembers(3, 0);
        assert!(Cursor::decode(&c.encode(), "https://a.test").is_err());
    }

    #[test]
    fn a_damaged_cursor_is_refused_even_where_its_json_would_still_parse() {
        let mut c = Cursor::start("https://a.test".into());
        c.phase = Phase::Users(2000);
        let text = c.encode();
        // A start of 2000 changed to 7000 is still valid JSON: the
        // checksum refuses it instead of resuming past 5000 users.
        let json = String::from_utf8(cursor::open(&text).unwrap()).unwrap();
        let forged = cursor::seal(json.replace("2000", "7000").as_bytes());
        assert!(
            Cursor::decode(&forged, "https://a.test").is_ok(),
            "a sealed edit is a cursor"
        );
        let unsealed = {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.replace("2000", "7000"))
        };
        assert!(matches!(
            Cursor::decode(&unsealed, "https://a.test"),
            Err(Error::InvalidCursor(_))
        ));
    }
}
