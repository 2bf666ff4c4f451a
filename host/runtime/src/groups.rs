//! The group and seat calls of a [`Connector`], dispatched on its contract
//! version. A 0.1.0 group's id is `workspace/slug` (see
//! [`crate::wit::v0_1_0::results::group_id`]); 0.1.0 has no seats interface.

use wasmtime::Store;

use crate::connector::{Connector, Flavor, Outcome};
use crate::error::HostError;
use crate::imports::{CallState, Io};
use crate::values::{Config, Session};
use crate::wit::latest::{self, ConnectorError, Group, GroupMember, GroupUpdate, SeatRelease};
use crate::wit::v0_1_0::{self, GroupRef, results};

/// A 0.2.0 call on a fresh instance, with its config and session.
type V2Call<'a, T> = &'a mut dyn FnMut(
    &latest::SaasConnector,
    &mut Store<CallState>,
    &Vec<latest::Setting>,
    &latest::Session,
) -> wasmtime::Result<Result<T, ConnectorError>>;

/// A 0.1.0 call on a fresh instance, with its config, session and group.
type V1Call<'a, T> = &'a mut dyn FnMut(
    &v0_1_0::SaasConnector,
    &mut Store<CallState>,
    &v0_1_0::Config,
    &v0_1_0::Session,
    &GroupRef,
) -> wasmtime::Result<Result<T, ConnectorError>>;

/// A 0.1.0 answer in the latest types.
fn latest<T, U>(
    r: Result<T, v0_1_0::ConnectorError>,
    f: impl FnOnce(T) -> U,
) -> Result<U, ConnectorError> {
    r.map(f).map_err(Into::into)
}

fn groups(gs: Vec<v0_1_0::Group>) -> Vec<Group> {
    gs.into_iter().map(results::group).collect()
}

/// What a group call acts on.
#[derive(Clone, Copy)]
enum On<'a> {
    /// A group, by id.
    Group(&'a str),
    /// A scope (a 0.1.0 workspace): its reference has no slug.
    Scope(&'a str),
}

impl On<'_> {
    fn group_ref(self) -> Result<GroupRef, ConnectorError> {
        match self {
            On::Group(id) => results::group_ref(id),
            On::Scope(workspace) => Ok(GroupRef {
                workspace: workspace.into(),
                slug: String::new(),
            }),
        }
    }
}

impl Connector {
    /// Runs `v2` when the connector and its values are 0.2.0, else `v1`
    /// with the 0.1.0 reference of `on` (answering without a call when a
    /// group id is not `workspace/slug`).
    fn dispatch<T>(
        &self,
        io: &Io,
        config: &Config,
        session: &Session,
        on: On<'_>,
        v2: V2Call<'_, T>,
        v1: V1Call<'_, T>,
    ) -> Outcome<T> {
        match (&self.flavor, config, session) {
            (Flavor::V0_2_0 { pre }, Config::V0_2_0(c), Session::V0_2_0(s)) => {
                self.call(io, |st| v2(&pre.instantiate(&mut *st)?, st, c, s))
            }
            (Flavor::V0_1_0 { pre, .. }, Config::V0_1_0(c), Session::V0_1_0(s)) => {
                let r = match on.group_ref() {
                    Ok(r) => r,
                    Err(e) => return Ok(Err(e)),
                };
                self.call(io, |st| v1(&pre.instantiate(&mut *st)?, st, c, s, &r))
            }
            _ => Err(HostError::ForeignValue(self.contract_version())),
        }
    }
}

/// The calls of a signed-in connector: its config and session, bound once.
/// Made by [`Connector::signed_in`].
pub struct SignedIn<'a> {
    connector: &'a Connector,
    io: &'a Io,
    config: &'a Config,
    session: &'a Session,
}

impl Connector {
    /// The group and seat calls with this I/O, config and session.
    pub fn signed_in<'a>(
        &'a self,
        io: &'a Io,
        config: &'a Config,
        session: &'a Session,
    ) -> SignedIn<'a> {
        SignedIn {
            connector: self,
            io,
            config,
            session,
        }
    }
}

impl SignedIn<'_> {
    fn dispatch<T>(&self, on: On<'_>, v2: V2Call<'_, T>, v1: V1Call<'_, T>) -> Outcome<T> {
        self.connector
            .dispatch(self.io, self.config, self.session, on, v2, v1)
    }

    /// `groups.list-groups`: every group of a scope (a unit's key).
    pub fn list_groups(&self, scope: &str) -> Outcome<Vec<Group>> {
        self.dispatch(
            On::Scope(scope),
            &mut |b, st, c, s| b.saas_connector_groups().call_list_groups(st, c, s, scope),
            &mut |b, st, c, s, r| {
                let found = b
                    .saas_connector_groups()
                    .call_list_groups(st, c, s, &r.workspace)?;
                Ok(latest(found, groups))
            },
        )
    }

    /// `groups.get-group`: one group by id.
    pub fn get_group(&self, group: &str) -> Outcome<Group> {
        self.dispatch(
            On::Group(group),
            &mut |b, st, c, s| b.saas_connector_groups().call_get_group(st, c, s, group),
            &mut |b, st, c, s, r| {
                let found = b.saas_connector_groups().call_find_groups(
                    st,
                    c,
                    s,
                    std::slice::from_ref(r),
                )?;
                Ok(latest(found, groups).and_then(|g| {
                    g.into_iter()
                        .next()
                        .ok_or_else(|| ConnectorError::NotFound(format!("no group {group}")))
                }))
            },
        )
    }

    /// `groups.create-group`: a new group named `name` in `scope`.
    pub fn create_group(&self, scope: &str, name: &str) -> Outcome<Group> {
        self.dispatch(
            On::Scope(scope),
            &mut |b, st, c, s| {
                b.saas_connector_groups()
                    .call_create_group(st, c, s, scope, name)
            },
            &mut |b, st, c, s, r| {
                let made =
                    b.saas_connector_groups()
                        .call_create_group(st, c, s, &r.workspace, name)?;
                Ok(latest(made, results::group))
            },
        )
    }

    /// `groups.update-group`: a group's new name, permission or auto-add.
    pub fn update_group(&self, group: &str, update: &GroupUpdate) -> Outcome<Group> {
        let old = results::update(update);
        self.dispatch(
            On::Group(group),
            &mut |b, st, c, s| {
                b.saas_connector_groups()
                    .call_update_group(st, c, s, group, update)
            },
            &mut |b, st, c, s, r| {
                let u = match &old {
                    Ok(u) => u,
                    Err(e) => return Ok(Err(e.clone())),
                };
                Ok(latest(
                    b.saas_connector_groups()
                        .call_update_group(st, c, s, r, u)?,
                    results::group,
                ))
            },
        )
    }

    /// `groups.delete-group`.
    pub fn delete_group(&self, group: &str) -> Outcome<()> {
        self.dispatch(
            On::Group(group),
            &mut |b, st, c, s| b.saas_connector_groups().call_delete_group(st, c, s, group),
            &mut |b, st, c, s, r| {
                Ok(latest(
                    b.saas_connector_groups().call_delete_group(st, c, s, r)?,
                    |()| (),
                ))
            },
        )
    }

    /// `groups.list-members`: a group's members.
    pub fn list_members(&self, group: &str) -> Outcome<Vec<GroupMember>> {
        self.dispatch(
            On::Group(group),
            &mut |b, st, c, s| b.saas_connector_groups().call_list_members(st, c, s, group),
            &mut |b, st, c, s, r| {
                let ms = b.saas_connector_groups().call_list_members(st, c, s, r)?;
                Ok(latest(ms, |ms| {
                    ms.into_iter().map(results::member).collect()
                }))
            },
        )
    }

    /// `groups.add-member`: adds the user with id `user` to a group.
    pub fn add_member(&self, group: &str, user: &str) -> Outcome<()> {
        self.change_member(group, user, true)
    }

    /// `groups.remove-member`: removes the user with id `user` from a group.
    pub fn remove_member(&self, group: &str, user: &str) -> Outcome<()> {
        self.change_member(group, user, false)
    }

    /// Adds (`add`) or removes a member.
    fn change_member(&self, group: &str, user: &str, add: bool) -> Outcome<()> {
        self.dispatch(
            On::Group(group),
            &mut |b, st, c, s| {
                let g = b.saas_connector_groups();
                if add {
                    g.call_add_member(st, c, s, group, user)
                } else {
                    g.call_remove_member(st, c, s, group, user)
                }
            },
            &mut |b, st, c, s, r| {
                let g = b.saas_connector_groups();
                let done = if add {
                    g.call_add_member(st, c, s, r, user)?
                } else {
                    g.call_remove_member(st, c, s, r, user)?
                };
                Ok(latest(done, |()| ()))
            },
        )
    }

    /// `seats.release-seats`: plans (and with `apply` carries out) what frees
    /// the seats of `users` in `unit`. Contract 0.1.0 has no such call.
    pub fn release_seats(
        &self,
        users: &[String],
        unit: &str,
        apply: bool,
    ) -> Outcome<Vec<SeatRelease>> {
        self.dispatch(
            On::Scope(unit),
            &mut |b, st, c, s| {
                b.saas_connector_seats()
                    .call_release_seats(st, c, s, users, unit, apply)
            },
            &mut |_, _, _, _, _| {
                Ok(Err(ConnectorError::Unsupported(
                    "release-seats is not in contract 0.1.0".into(),
                )))
            },
        )
    }
}
