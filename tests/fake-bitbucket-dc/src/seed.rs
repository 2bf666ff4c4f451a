//! The generated instance: users, groups, direct grants and licence, and
//! the truth about them (who holds a seat and why, who is idle).

use std::collections::BTreeMap;

use crate::config::{ADMIN, DcConfig, VIEWER};

/// Global permissions, lowest first (none grants no seat).
pub const PERMISSIONS: [&str; 4] = ["LICENSED_USER", "PROJECT_CREATE", "ADMIN", "SYS_ADMIN"];

/// The rank of a permission name (`LICENSED_USER` is 1); 0 for none.
pub fn rank(permission: Option<&str>) -> usize {
    permission
        .and_then(|p| PERMISSIONS.iter().position(|q| *q == p))
        .map_or(0, |i| i + 1)
}

/// One user of the instance.
#[derive(Debug, Clone)]
pub struct SeedUser {
    /// Numeric id.
    pub id: u32,
    /// Username.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Email, when the directory has one.
    pub email: Option<String>,
    /// Active in its directory.
    pub active: bool,
    /// `NORMAL` or `SERVICE`.
    pub kind: &'static str,
    /// The directory's name.
    pub directory: &'static str,
    /// Whether its groups can be changed here.
    pub mutable_groups: bool,
    /// Last authentication, epoch milliseconds.
    pub last_auth_ms: Option<i64>,
}

/// A group with its permission and members (user ids).
#[derive(Debug, Clone)]
pub struct SeedGroup {
    /// Name.
    pub name: String,
    /// The global permission it grants.
    pub permission: Option<String>,
    /// Member ids.
    pub members: Vec<u32>,
}

/// The instance at the start of a run.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Users, by id order.
    pub users: Vec<SeedUser>,
    /// Groups.
    pub groups: Vec<SeedGroup>,
    /// Direct grants: user id and permission.
    pub direct: Vec<(u32, String)>,
    /// Seats bought (none when unlimited).
    pub seats: Option<u32>,
    /// Epoch seconds at generation.
    pub now: i64,
}

/// The directory of internal users.
pub const INTERNAL: &str = "Bitbucket Internal Directory";
/// A read-only LDAP directory.
pub const LDAP: &str = "Acme LDAP";

impl Dataset {
    /// Generates the instance of `config`, with dates relative to now.
    pub fn generate(config: &DcConfig) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let day_ms = 86_400_000i64;
        let mut users = vec![
            account(1, ADMIN.0, "Administrator", Some(now * 1000)),
            account(
                2,
                VIEWER.0,
                "Read-only viewer",
                Some((now - 3 * 86_400) * 1000),
            ),
        ];
        for i in 0..config.users {
            let ldap = i % 9 == 4;
            let days = ((i * 37) % 300) as i64;
            users.push(SeedUser {
                id: 1000 + 3 * i as u32,
                name: format!("user{i:03}"),
                display_name: format!("User {i}"),
                email: (i % 23 != 5).then(|| format!("user{i:03}@acme.test")),
                active: i % 17 != 3,
                kind: if i % 19 == 7 { "SERVICE" } else { "NORMAL" },
                directory: if ldap { LDAP } else { INTERNAL },
                mutable_groups: !ldap,
                last_auth_ms: (i % 11 != 6).then(|| now * 1000 - days * day_ms - 1234),
            });
        }
        let generated = |f: &dyn Fn(usize, &SeedUser) -> bool| -> Vec<u32> {
            users[2..]
                .iter()
                .enumerate()
                .filter(|(i, u)| f(*i, u))
                .map(|(_, u)| u.id)
                .collect()
        };
        let groups = vec![
            SeedGroup {
                name: "bitbucket-users".into(),
                permission: Some("LICENSED_USER".into()),
                members: generated(&|i, u| u.mutable_groups && i % 13 != 10 && u.kind != "SERVICE"),
            },
            SeedGroup {
                name: "ldap-developers".into(),
                permission: Some("LICENSED_USER".into()),
                members: generated(&|_, u| !u.mutable_groups),
            },
            SeedGroup {
                name: "bb-admins".into(),
                permission: Some("ADMIN".into()),
                members: generated(&|i, _| i == 1 || i == 2),
            },
            SeedGroup {
                name: "release-managers".into(),
                permission: Some("PROJECT_CREATE".into()),
                members: generated(&|i, u| i % 10 == 0 && u.mutable_groups),
            },
            SeedGroup {
                name: "book-club".into(),
                permission: None,
                members: generated(&|i, _| i % 5 == 0),
            },
        ];
        let mut direct = vec![
            (1, "SYS_ADMIN".to_string()),
            (2, "LICENSED_USER".to_string()),
        ];
        for (i, u) in users[2..].iter().enumerate() {
            if u.kind == "SERVICE" {
                direct.push((u.id, "LICENSED_USER".into()));
            } else if i == 8 {
                direct.push((u.id, "PROJECT_CREATE".into()));
            }
        }
        let mut data = Dataset {
            users,
            groups,
            direct,
            seats: None,
            now,
        };
        data.seats = if config.unlimited {
            None
        } else {
            Some(config.seats.unwrap_or(data.licensed_count() as u32 + 10))
        };
        data
    }

    /// The highest permission of a user and the paths that grant it.
    pub fn permission_of(&self, id: u32) -> (Option<&str>, Vec<String>) {
        let mut best: Option<&str> = None;
        let mut paths = Vec::new();
        let mut consider = |p: &'static str, path: String| {
            if rank(Some(p)) > rank(best) {
                best = Some(p);
            }
            paths.push(path);
        };
        for (user, p) in &self.direct {
            if *user == id
                && let Some(p) = PERMISSIONS.iter().find(|q| *q == p)
            {
                consider(p, format!("{p} direct"));
            }
        }
        for g in &self.groups {
            if let Some(p) = g
                .permission
                .as_deref()
                .and_then(|p| PERMISSIONS.iter().find(|q| **q == p))
                && g.members.contains(&id)
            {
                consider(p, format!("{p} via {}", g.name));
            }
        }
        (best, paths)
    }

    /// Whether a user holds a seat: active with any global permission.
    pub fn holds_seat(&self, user: &SeedUser) -> bool {
        user.active && self.permission_of(user.id).0.is_some()
    }

    /// Users holding a seat.
    pub fn licensed_count(&self) -> usize {
        self.users.iter().filter(|u| self.holds_seat(u)).count()
    }

    /// The truth, with verdicts at now for a threshold of `days`.
    pub fn truth(&self, days: u32) -> Truth {
        let users = self
            .users
            .iter()
            .map(|u| {
                let (permission, paths) = self.permission_of(u.id);
                let at = u.last_auth_ms.map(|ms| ms.div_euclid(1000));
                let activity = match at {
                    _ if !u.active => "inactive",
                    Some(t) if self.now - t <= i64::from(days) * 86_400 => "active",
                    Some(_) => "inactive",
                    None => "never-active",
                };
                let t = TruthUser {
                    name: u.name.clone(),
                    billable: self.holds_seat(u),
                    permission: permission.map(String::from),
                    paths,
                    last_auth: at,
                    activity,
                };
                (u.id.to_string(), t)
            })
            .collect();
        Truth {
            users,
            seats: self.seats,
            licensed: self.licensed_count(),
        }
    }
}

fn account(id: u32, name: &str, display: &str, last_auth_ms: Option<i64>) -> SeedUser {
    SeedUser {
        id,
        name: name.into(),
        display_name: display.into(),
        email: Some(format!("{name}@acme.test")),
        active: true,
        kind: "NORMAL",
        directory: INTERNAL,
        mutable_groups: true,
        last_auth_ms,
    }
}

/// One user as the truth knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthUser {
    /// Username.
    pub name: String,
    /// Holds a seat.
    pub billable: bool,
    /// Highest global permission.
    pub permission: Option<String>,
    /// Every grant path (`LICENSED_USER via bitbucket-users`).
    pub paths: Vec<String>,
    /// Last authentication, epoch seconds.
    pub last_auth: Option<i64>,
    /// The verdict a correct connector reaches.
    pub activity: &'static str,
}

/// The truth about the seeded instance.
#[derive(Debug, Clone)]
pub struct Truth {
    /// Users by id (as text, like the contract's `user.id`).
    pub users: BTreeMap<String, TruthUser>,
    /// Seats bought.
    pub seats: Option<u32>,
    /// Users holding a seat.
    pub licensed: usize,
}
