//! Who holds a licence seat, and why. A user holds one when active and
//! granted `LICENSED_USER` or a higher global permission, directly or
//! through any group; logging in is not needed. Pure: built from what the
//! listing read, kept in its cursor.

use crate::wire::DetailedUser;
use saas_connector_sdk::AccessLevel;

/// Bitbucket's global permissions, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// "Bitbucket User": may sign in; holds a seat.
    LicensedUser,
    /// May create projects.
    ProjectCreate,
    /// Administers the instance.
    Admin,
    /// Administers the system too.
    SysAdmin,
}

impl Permission {
    /// Parses Bitbucket's name; none for names that grant no seat or are
    /// unknown.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "LICENSED_USER" => Permission::LicensedUser,
            "PROJECT_CREATE" => Permission::ProjectCreate,
            "ADMIN" => Permission::Admin,
            "SYS_ADMIN" => Permission::SysAdmin,
            _ => return None,
        })
    }

    /// Bitbucket's name.
    pub fn name(self) -> &'static str {
        match self {
            Permission::LicensedUser => "LICENSED_USER",
            Permission::ProjectCreate => "PROJECT_CREATE",
            Permission::Admin => "ADMIN",
            Permission::SysAdmin => "SYS_ADMIN",
        }
    }

    /// The contract's level.
    pub fn level(self) -> AccessLevel {
        match self {
            Permission::LicensedUser => AccessLevel::Member,
            Permission::ProjectCreate => AccessLevel::Elevated,
            Permission::Admin => AccessLevel::Admin,
            Permission::SysAdmin => AccessLevel::Owner,
        }
    }
}

/// A group's global permission and its members' ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupGrant {
    /// The group's name.
    pub name: String,
    /// What it grants (none: a permission name this connector does not know).
    pub permission: Option<Permission>,
    /// Ids of its members, once read.
    pub members: Vec<u32>,
}

/// Everything the listing learnt about licences before listing users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// Whether the admin-only paths (direct and group grants) were read.
    pub visible: bool,
    /// Groups holding a global permission.
    pub groups: Vec<GroupGrant>,
    /// Permissions granted to users directly, by user id.
    pub direct: Vec<(u32, Permission)>,
    /// Bitbucket's own list of licensed users (ids), when read.
    pub licensed: Option<Vec<u32>>,
}

/// A user's seat, decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    /// The highest global permission held.
    pub permission: Option<Permission>,
    /// Whether it takes a seat.
    pub billable: bool,
    /// Why, in a sentence.
    pub reason: String,
}

/// The grants indexed for lookups by user id (sorted vectors: small in
/// the component, and as fast as maps for these sizes).
pub struct Index<'a> {
    grants: &'a Grants,
    direct: Vec<(u32, Permission)>,
    memberships: Vec<(u32, &'a GroupGrant)>,
    licensed: Option<Vec<u32>>,
}

impl<'a> Index<'a> {
    /// Indexes `grants`.
    pub fn new(grants: &'a Grants) -> Self {
        let mut memberships: Vec<(u32, &GroupGrant)> = grants
            .groups
            .iter()
            .filter(|g| g.permission.is_some())
            .flat_map(|g| g.members.iter().map(move |id| (*id, g)))
            .collect();
        memberships.sort_by_key(|(id, _)| *id);
        let mut direct = grants.direct.clone();
        direct.sort_unstable();
        let licensed = grants.licensed.clone().map(|mut l| {
            l.sort_unstable();
            l
        });
        Index {
            grants,
            direct,
            memberships,
            licensed,
        }
    }

    /// The groups through which `id` holds a global permission.
    pub fn granting_groups(&self, id: u32) -> impl Iterator<Item = &'a GroupGrant> + '_ {
        let from = self.memberships.partition_point(|(i, _)| *i < id);
        self.memberships[from..]
            .iter()
            .take_while(move |(i, _)| *i == id)
            .map(|(_, g)| *g)
    }

    /// The permission granted to `id` directly.
    pub fn direct(&self, id: u32) -> Option<Permission> {
        let at = self.direct.partition_point(|(i, _)| *i < id);
        self.direct
            .get(at)
            .filter(|(i, _)| *i == id)
            .map(|(_, p)| *p)
    }

    /// Whether Bitbucket's own list counts `id` as licensed, when read.
    pub fn listed_as_licensed(&self, id: u32) -> Option<bool> {
        self.licensed.as_ref().map(|l| l.binary_search(&id).is_ok())
    }

    /// The seat of `user`.
    pub fn seat(&self, user: &DetailedUser) -> Seat {
        let groups: Vec<&GroupGrant> = self.granting_groups(user.id).collect();
        let direct = self.direct(user.id);
        let highest = groups
            .iter()
            .filter_map(|g| g.permission)
            .chain(direct)
            .max();
        let listed = self.listed_as_licensed(user.id);
        let mut paths = Vec::new();
        if let Some(p) = direct {
            paths.push(format!("{} granted directly", p.name()));
        }
        for g in groups {
            if let Some(p) = g.permission {
                paths.push(format!("{} through the group {}", p.name(), g.name));
            }
        }
        if !user.active {
            let directory = user.directory_name.as_deref().unwrap_or("its directory");
            let still = if paths.is_empty() {
                String::new()
            } else {
                format!(" (its grants stay: {})", paths.join(", "))
            };
            return Seat {
                permission: highest,
                billable: false,
                reason: format!("deactivated in {directory}: holds no seat{still}"),
            };
        }
        let (billable, reason) = match (self.grants.visible, highest, listed) {
            (true, Some(_), Some(false)) => (
                true,
                format!(
                    "holds {}, yet Bitbucket's licensed-user list leaves the user out",
                    paths.join(", ")
                ),
            ),
            (true, Some(_), _) => (true, format!("holds {}", paths.join(", "))),
            (_, None, Some(true)) | (false, Some(_), Some(true)) => (
                true,
                if self.grants.visible {
                    "in Bitbucket's licensed-user list through no grant this connector can see"
                        .to_string()
                } else {
                    "in Bitbucket's licensed-user list (why is visible to administrators only)"
                        .to_string()
                },
            ),
            (_, None, _) | (false, Some(_), _) => (
                false,
                "no global permission: cannot sign in and holds no seat".to_string(),
            ),
        };
        Seat {
            permission: highest,
            billable,
            reason,
        }
    }
}

#[cfg(test)]
mod tests;
