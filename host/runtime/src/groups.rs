//! The group and seat calls of a [`Connector`], dispatched on its contract
//! version. A 0.1.0 group's id is `workspace/slug` (see
//! [`crate::wit::v0_1_0::results::group_id`]); 0.1.0 has no seats interface.

use crate::connector::{Connector, Flavor, Outcome};
use crate::imports::Io;
use crate::values::{Config, Session};
use crate::wit::latest::{ConnectorError, Group, GroupMember, GroupUpdate, SeatRelease};
use crate::wit::v0_1_0::{self, results};

/// A 0.1.0 call's answer in the latest types.
fn latest<T, U: From<T>>(r: Result<T, v0_1_0::ConnectorError>) -> Result<U, ConnectorError> {
    r.map(U::from).map_err(Into::into)
}

impl From<v0_1_0::Group> for Group {
    fn from(g: v0_1_0::Group) -> Self {
        results::group(g)
    }
}

/// Members of a 0.1.0 group in the latest types.
struct Members(Vec<GroupMember>);

impl From<Vec<v0_1_0::GroupMember>> for Members {
    fn from(ms: Vec<v0_1_0::GroupMember>) -> Self {
        Members(ms.into_iter().map(results::member).collect())
    }
}

/// Groups of a 0.1.0 answer in the latest types.
struct Groups(Vec<Group>);

impl From<Vec<v0_1_0::Group>> for Groups {
    fn from(gs: Vec<v0_1_0::Group>) -> Self {
        Groups(gs.into_iter().map(results::group).collect())
    }
}

/// The 0.1.0 config, session and group reference of a call, or the error
/// that answers it without a call.
type V1Args<'a> = (
    &'a v0_1_0::SaasConnectorPre<crate::imports::CallState>,
    &'a v0_1_0::Config,
    &'a v0_1_0::Session,
);

impl Connector {
    fn v1<'a>(&'a self, config: &'a Config, session: &'a Session) -> Option<V1Args<'a>> {
        match (&self.flavor, config, session) {
            (Flavor::V0_1_0 { pre, .. }, Config::V0_1_0(c), Session::V0_1_0(s)) => {
                Some((pre, c, s))
            }
            _ => None,
        }
    }

    fn v2<'a>(
        &'a self,
        config: &'a Config,
        session: &'a Session,
    ) -> Option<(
        &'a crate::wit::latest::SaasConnectorPre<crate::imports::CallState>,
        &'a Vec<crate::wit::latest::Setting>,
        &'a crate::wit::latest::Session,
    )> {
        match (&self.flavor, config, session) {
            (Flavor::V0_2_0 { pre }, Config::V0_2_0(c), Session::V0_2_0(s)) => Some((pre, c, s)),
            _ => None,
        }
    }

    fn mismatch<T>(&self) -> Outcome<T> {
        Err(crate::error::HostError::ForeignValue(
            self.contract_version(),
        ))
    }

    /// `groups.list-groups`: every group of a scope (a unit's key).
    pub fn list_groups(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        scope: &str,
    ) -> Outcome<Vec<Group>> {
        if let Some((pre, c, s)) = self.v2(config, session) {
            return self.call(io, |st| {
                let b = pre.instantiate(&mut *st)?;
                b.saas_connector_groups().call_list_groups(st, c, s, scope)
            });
        }
        let Some((pre, c, s)) = self.v1(config, session) else {
            return self.mismatch();
        };
        self.call(io, |st| {
            let b = pre.instantiate(&mut *st)?;
            let r = b
                .saas_connector_groups()
                .call_list_groups(st, c, s, scope)?;
            Ok(latest::<_, Groups>(r).map(|g| g.0))
        })
    }

    /// `groups.get-group`: one group by id.
    pub fn get_group(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
    ) -> Outcome<Group> {
        if let Some((pre, c, s)) = self.v2(config, session) {
            return self.call(io, |st| {
                let b = pre.instantiate(&mut *st)?;
                b.saas_connector_groups().call_get_group(st, c, s, group)
            });
        }
        let Some((pre, c, s)) = self.v1(config, session) else {
            return self.mismatch();
        };
        let r = match results::group_ref(group) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        self.call(io, |st| {
            let b = pre.instantiate(&mut *st)?;
            let found = b.saas_connector_groups().call_find_groups(st, c, s, &[r])?;
            Ok(latest::<_, Groups>(found).and_then(|g| {
                g.0.into_iter()
                    .next()
                    .ok_or_else(|| ConnectorError::NotFound(format!("no group {group}")))
            }))
        })
    }

    /// `groups.create-group`: a new group named `name` in `scope`.
    pub fn create_group(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        scope: &str,
        name: &str,
    ) -> Outcome<Group> {
        if let Some((pre, c, s)) = self.v2(config, session) {
            return self.call(io, |st| {
                let b = pre.instantiate(&mut *st)?;
                b.saas_connector_groups()
                    .call_create_group(st, c, s, scope, name)
            });
        }
        let Some((pre, c, s)) = self.v1(config, session) else {
            return self.mismatch();
        };
        self.call(io, |st| {
            let b = pre.instantiate(&mut *st)?;
            Ok(latest(
                b.saas_connector_groups()
                    .call_create_group(st, c, s, scope, name)?,
            ))
        })
    }

    /// `groups.update-group`: a group's new name, permission or auto-add.
    pub fn update_group(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
        update: &GroupUpdate,
    ) -> Outcome<Group> {
        if let Some((pre, c, s)) = self.v2(config, session) {
            return self.call(io, |st| {
                let b = pre.instantiate(&mut *st)?;
                b.saas_connector_groups()
                    .call_update_group(st, c, s, group, update)
            });
        }
        let Some((pre, c, s)) = self.v1(config, session) else {
            return self.mismatch();
        };
        let (r, u) = match results::group_ref(group).and_then(|r| Ok((r, results::update(update)?)))
        {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        self.call(io, |st| {
            let b = pre.instantiate(&mut *st)?;
            Ok(latest(
                b.saas_connector_groups()
                    .call_update_group(st, c, s, &r, &u)?,
            ))
        })
    }

    /// `groups.delete-group`.
    pub fn delete_group(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
    ) -> Outcome<()> {
        self.on_group(io, config, session, group, None, GroupCall::Delete)
    }

    /// `groups.list-members`: a group's members.
    pub fn list_members(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
    ) -> Outcome<Vec<GroupMember>> {
        if let Some((pre, c, s)) = self.v2(config, session) {
            return self.call(io, |st| {
                let b = pre.instantiate(&mut *st)?;
                b.saas_connector_groups().call_list_members(st, c, s, group)
            });
        }
        let Some((pre, c, s)) = self.v1(config, session) else {
            return self.mismatch();
        };
        let r = match results::group_ref(group) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        self.call(io, |st| {
            let b = pre.instantiate(&mut *st)?;
            let r = b.saas_connector_groups().call_list_members(st, c, s, &r)?;
            Ok(latest::<_, Members>(r).map(|m| m.0))
        })
    }

    /// `groups.add-member`: adds the user with id `user` to a group.
    pub fn add_member(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
        user: &str,
    ) -> Outcome<()> {
        self.on_group(io, config, session, group, Some(user), GroupCall::Add)
    }

    /// `groups.remove-member`: removes the user with id `user` from a group.
    pub fn remove_member(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
        user: &str,
    ) -> Outcome<()> {
        self.on_group(io, config, session, group, Some(user), GroupCall::Remove)
    }

    /// The three group calls that answer nothing: delete, add, remove.
    fn on_group(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        group: &str,
        user: Option<&str>,
        call: GroupCall,
    ) -> Outcome<()> {
        let user = user.unwrap_or_default();
        if let Some((pre, c, s)) = self.v2(config, session) {
            return self.call(io, |st| {
                let g = pre.instantiate(&mut *st)?;
                let g = g.saas_connector_groups();
                match call {
                    GroupCall::Delete => g.call_delete_group(st, c, s, group),
                    GroupCall::Add => g.call_add_member(st, c, s, group, user),
                    GroupCall::Remove => g.call_remove_member(st, c, s, group, user),
                }
            });
        }
        let Some((pre, c, s)) = self.v1(config, session) else {
            return self.mismatch();
        };
        let r = match results::group_ref(group) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        self.call(io, |st| {
            let g = pre.instantiate(&mut *st)?;
            let g = g.saas_connector_groups();
            Ok(latest(match call {
                GroupCall::Delete => g.call_delete_group(st, c, s, &r)?,
                GroupCall::Add => g.call_add_member(st, c, s, &r, user)?,
                GroupCall::Remove => g.call_remove_member(st, c, s, &r, user)?,
            }))
        })
    }

    /// `seats.release-seats`: plans (and with `apply` carries out) what frees
    /// the seats of `users` in `unit`. Contract 0.1.0 has no such call.
    pub fn release_seats(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        users: &[String],
        unit: &str,
        apply: bool,
    ) -> Outcome<Vec<SeatRelease>> {
        if let Some((pre, c, s)) = self.v2(config, session) {
            return self.call(io, |st| {
                let b = pre.instantiate(&mut *st)?;
                b.saas_connector_seats()
                    .call_release_seats(st, c, s, users, unit, apply)
            });
        }
        match self.v1(config, session) {
            Some(_) => Ok(Err(ConnectorError::Unsupported(
                "release-seats is not in contract 0.1.0".into(),
            ))),
            None => self.mismatch(),
        }
    }
}

/// The group calls [`Connector::on_group`] serves.
#[derive(Clone, Copy)]
enum GroupCall {
    Delete,
    Add,
    Remove,
}
