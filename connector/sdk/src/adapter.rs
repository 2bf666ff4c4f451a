//! The bridge from the generated export traits to [`Connector`]: the only
//! code that implements generated traits. Used by [`register_connector!`].

use std::marker::PhantomData;

use crate::__bindings::exports::saas::connector::{connector as c, groups as g, seats as s};
use crate::{Connector, ConnectorError, Group, GroupMember, GroupUpdate, Session, Setting};

/// The exported component for the connector `T`.
pub struct Component<T>(PhantomData<T>);

impl<T: Connector> c::Guest for Component<T> {
    fn info() -> c::ConnectorInfo {
        T::info()
    }

    fn authenticate(
        config: Vec<Setting>,
        credentials: Vec<crate::SlotCredential>,
    ) -> Result<Session, ConnectorError> {
        T::authenticate(&config, &credentials)
    }

    fn refresh(config: Vec<Setting>, session: Session) -> Result<Session, ConnectorError> {
        T::refresh(&config, &session)
    }

    fn list_users(
        config: Vec<Setting>,
        session: Session,
        cursor: Option<String>,
    ) -> Result<c::UserPage, ConnectorError> {
        T::list_users(&config, &session, cursor.as_deref())
    }

    fn compute_status(
        listing: c::Listing,
        policy: c::Policy,
    ) -> Result<c::StatusReport, ConnectorError> {
        T::compute_status(&listing, &policy)
    }
}

impl<T: Connector> g::Guest for Component<T> {
    fn list_groups(
        config: Vec<Setting>,
        session: Session,
        scope: String,
    ) -> Result<Vec<Group>, ConnectorError> {
        T::list_groups(&config, &session, &scope)
    }

    fn get_group(
        config: Vec<Setting>,
        session: Session,
        group: String,
    ) -> Result<Group, ConnectorError> {
        T::get_group(&config, &session, &group)
    }

    fn create_group(
        config: Vec<Setting>,
        session: Session,
        scope: String,
        name: String,
    ) -> Result<Group, ConnectorError> {
        T::create_group(&config, &session, &scope, &name)
    }

    fn update_group(
        config: Vec<Setting>,
        session: Session,
        group: String,
        update: GroupUpdate,
    ) -> Result<Group, ConnectorError> {
        T::update_group(&config, &session, &group, &update)
    }

    fn delete_group(
        config: Vec<Setting>,
        session: Session,
        group: String,
    ) -> Result<(), ConnectorError> {
        T::delete_group(&config, &session, &group)
    }

    fn list_members(
        config: Vec<Setting>,
        session: Session,
        group: String,
    ) -> Result<Vec<GroupMember>, ConnectorError> {
        T::list_members(&config, &session, &group)
    }

    fn add_member(
        config: Vec<Setting>,
        session: Session,
        group: String,
        user: String,
    ) -> Result<(), ConnectorError> {
        T::add_member(&config, &session, &group, &user)
    }

    fn remove_member(
        config: Vec<Setting>,
        session: Session,
        group: String,
        user: String,
    ) -> Result<(), ConnectorError> {
        T::remove_member(&config, &session, &group, &user)
    }
}

impl<T: Connector> s::Guest for Component<T> {
    fn release_seats(
        config: Vec<Setting>,
        session: Session,
        users: Vec<String>,
        unit: String,
        apply: bool,
    ) -> Result<Vec<s::SeatRelease>, ConnectorError> {
        T::release_seats(&config, &session, &users, &unit, apply)
    }
}
