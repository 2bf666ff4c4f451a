//! What a correct sync must find in the generated data: every user and
//! membership ([`Truth`]), and each user's verdict under a policy
//! ([`Expected`]), derived from the same indices the fake serves.

use std::collections::{BTreeMap, BTreeSet};

use crate::seed::{Dataset, Member, Workspace};

impl Dataset {
    /// The expected verdict of every user, by uuid, for a policy of
    /// `inactive_after_days` at the data's "now", with or without the
    /// Admin API's dates.
    pub fn expected(
        &self,
        inactive_after_days: u32,
        with_admin: bool,
    ) -> BTreeMap<String, Expected> {
        const PERMISSIONS: &str = "bitbucket-permissions";
        const ADMIN: &str = "atlassian-admin-last-active";
        let mut per_user: BTreeMap<u32, Vec<(&Workspace, &Member)>> = BTreeMap::new();
        for w in &self.workspaces {
            for m in &w.members {
                per_user.entry(m.user).or_default().push((w, m));
            }
        }
        let verdict = |activity, source: Option<&'static str>| Expected { activity, source };
        per_user
            .into_iter()
            .map(|(i, memberships)| {
                let admin = self.admin_user(i);
                let seen = with_admin && admin.in_directory;
                let status = self.account(i).account_status;
                let last = memberships
                    .iter()
                    .flat_map(|(w, m)| {
                        let bitbucket = m.last_accessed.filter(|_| w.tracks_access);
                        let org = m.admin_last_active.filter(|_| seen);
                        [bitbucket.map(|t| (t, PERMISSIONS)), org.map(|t| (t, ADMIN))]
                    })
                    .flatten()
                    .max();
                let lag = self.now - admin.added_to_org < 2 * 86_400;
                let expected = if matches!(status, Some("inactive" | "closed"))
                    || (seen && admin.status == "suspended")
                {
                    verdict("inactive", None)
                } else if let Some((t, source)) = last {
                    let fresh = self.now - t <= i64::from(inactive_after_days) * 86_400;
                    verdict(if fresh { "active" } else { "inactive" }, Some(source))
                } else if memberships
                    .iter()
                    .any(|(w, _)| w.tracks_access || (seen && !lag))
                {
                    verdict("never-active", None)
                } else {
                    verdict("unknown", None)
                };
                (self.user_uuid(i), expected)
            })
            .collect()
    }

    /// What a correct listing must find.
    pub fn truth(&self) -> Truth {
        let mut users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut per_workspace = BTreeMap::new();
        let mut memberships = 0;
        for w in &self.workspaces {
            per_workspace.insert(w.slug.clone(), w.members.len());
            memberships += w.members.len();
            for m in &w.members {
                users
                    .entry(self.user_uuid(m.user))
                    .or_default()
                    .insert(w.slug.clone());
            }
        }
        Truth {
            unique_users: users.len(),
            memberships,
            per_workspace,
            users,
        }
    }
}

/// One user's expected verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// `active`, `inactive`, `never-active` or `unknown`.
    pub activity: &'static str,
    /// The evidence source that decided it, when evidence did.
    pub source: Option<&'static str>,
}

/// The expected result of a complete listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    /// Distinct users.
    pub unique_users: usize,
    /// Memberships (= billable seats).
    pub memberships: usize,
    /// Members (= seats) per workspace slug.
    pub per_workspace: BTreeMap<String, usize>,
    /// Each user's uuid and the slugs of its workspaces.
    pub users: BTreeMap<String, BTreeSet<String>>,
}
