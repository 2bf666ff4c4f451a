//! The user listing, in bounded steps: the instance and its licence, then
//! (with ADMIN) the group and direct global permissions and the members of
//! every granting group, then Bitbucket's own licensed-user list, and last
//! the users with their last authentication, each decided against what was
//! learnt before. Every step ends with a cursor that resumes it.

use crate::config::{Config, FILTERED_PAGE_SIZE};
use crate::cursor::{Cursor, Phase};
use crate::licence::{GroupGrant, Index, Permission};
use crate::member::{NO_DATES, SOURCE, to_user, unit};
use crate::paging::{self, Fetched, Next};
use crate::session::Session;
use crate::wire::{self, DetailedUser, License};
use crate::{Error, Result, upstream};
use saas_connector_sdk::http::{HttpClient, Request};
use saas_connector_sdk::log::Logger;
use saas_connector_sdk::{BillingUnit, Coverage, ListingProgress, PageStats, SeatFacts, UserPage};

/// What one step gathers.
struct Step<'a> {
    http: &'a dyn HttpClient,
    log: &'a dyn Logger,
    config: &'a Config,
    session: &'a Session,
    page: UserPage,
    /// Ids of the users this step gave, to drop repeats.
    seen: Vec<u32>,
    /// How much of `seen` is sorted.
    sorted: usize,
}

impl Step<'_> {
    fn fetch<T>(
        &mut self,
        resource: paging::Resource<'_>,
        (start, limit): (u32, u32),
        what: &str,
        item: impl Fn(&serde_json::Value) -> Option<T>,
    ) -> Result<Fetched<T>> {
        self.page.stats.requests += 1;
        paging::fetch(
            self.http,
            self.config,
            self.session.authorization(),
            resource,
            start,
            limit,
            what,
            item,
        )
    }

    /// The JSON at `path`; none on 404.
    fn get(&mut self, path: &str, what: &str) -> Result<Option<serde_json::Value>> {
        self.page.stats.requests += 1;
        let request = Request::get(self.config.api(path, &[]), self.session.authorization());
        match upstream::send(self.http, request, what) {
            Ok(r) => wire::json(&r, what).map(Some),
            Err(crate::Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The billing unit: its name and, with ADMIN, the licence's seats.
    fn instance(&mut self, cursor: &mut Cursor) -> Result<()> {
        // The name is a nicety: without it the unit is still listed.
        let properties = self
            .get("/application-properties", "the instance's properties")
            .unwrap_or_else(|e| {
                self.log
                    .warn(&format!("{e:?}: the instance is listed without its name"));
                None
            });
        let mut seats = None;
        if self.session.admin {
            match self.get("/admin/license", "the licence")? {
                Some(body) => {
                    let licence = License::read(&body);
                    cursor.reported_used = licence.current_number_of_users;
                    seats = Some(SeatFacts {
                        purchased: licence
                            .maximum_number_of_users
                            .filter(|_| !licence.unlimited_number_of_users),
                        used: cursor.reported_used,
                        unlimited: licence.unlimited_number_of_users,
                    });
                }
                None => self
                    .log
                    .warn("the instance has no licence installed: no seat counts"),
            }
        }
        let property = |key| properties.as_ref().and_then(|p| wire::text(p, key));
        if let Some(version) = property("version") {
            self.log.debug(&format!("Bitbucket Data Center {version}"));
        }
        self.page.units.push(BillingUnit {
            unit: unit(self.config),
            name: property("displayName"),
            created_at: None,
            seats,
        });
        cursor.grants.visible = self.session.admin;
        cursor.phase = if self.session.admin {
            Phase::GroupGrants(0)
        } else {
            Phase::Licensed(0)
        };
        Ok(())
    }

    fn group_grants(&mut self, cursor: &mut Cursor, start: u32) -> Result<()> {
        let page = self.fetch(
            ("/admin/permissions/groups", &[]),
            (start, self.config.page_size),
            "the groups' global permissions",
            |v| wire::grant(v, wire::group_name),
        )?;
        for (name, permission_name) in page.values {
            let permission = Permission::parse(&permission_name);
            if permission.is_none() {
                self.log.warn(&format!(
                    "the group {name} holds the unknown global permission {permission_name:?}: \
                     not counted as a seat"
                ));
            }
            cursor.grants.groups.push(GroupGrant {
                name,
                permission,
                members: Vec::new(),
            });
        }
        cursor.phase = match page.next {
            Next::At(n) => Phase::GroupGrants(n),
            Next::Done => Phase::UserGrants(0),
        };
        Ok(())
    }

    fn user_grants(&mut self, cursor: &mut Cursor, start: u32) -> Result<()> {
        let page = self.fetch(
            ("/admin/permissions/users", &[]),
            (start, self.config.page_size),
            "the users' direct global permissions",
            |v| wire::grant(v, wire::user_key),
        )?;
        for ((id, _), permission) in page.values {
            if let Some(p) = Permission::parse(&permission) {
                cursor.grants.direct.push((id, p));
            }
        }
        cursor.phase = match page.next {
            Next::At(n) => Phase::UserGrants(n),
            Next::Done => next_group(cursor, 0),
        };
        Ok(())
    }

    fn group_members(&mut self, cursor: &mut Cursor, group: usize, start: u32) -> Result<()> {
        let name = cursor.grants.groups[group].name.clone();
        let what = format!("the members of the group {name}");
        let page = self.fetch(
            ("/admin/groups/more-members", &[("context", &name)]),
            (start, self.config.page_size),
            &what,
            wire::user_key,
        )?;
        let members = &mut cursor.grants.groups[group].members;
        members.extend(page.values.iter().map(|(id, _)| *id));
        cursor.phase = match page.next {
            Next::At(n) => Phase::GroupMembers(group, n),
            Next::Done => next_group(cursor, group + 1),
        };
        Ok(())
    }

    /// Bitbucket's licensed-user list. Its page stays at half the server's
    /// `page.max.users` (BSERV-11884 drops users above that), learnt from
    /// the `limit` an empty page answers.
    fn licensed(&mut self, cursor: &mut Cursor, start: u32) -> Result<()> {
        let Some(limit) = cursor.filtered_limit else {
            let probe = self.fetch(
                ("/users", &[]),
                (paging::MAX_ITEMS, crate::config::DEFAULT_PAGE_SIZE),
                "the server's page maximum",
                wire::user_key,
            )?;
            let max = probe.clamped_to.unwrap_or(crate::config::DEFAULT_PAGE_SIZE);
            cursor.filtered_limit = Some((max / 2).clamp(1, FILTERED_PAGE_SIZE));
            return Ok(());
        };
        let page = self.fetch(
            ("/users", &[("permission", "LICENSED_USER")]),
            (start, limit),
            "the licensed users",
            wire::user_key,
        )?;
        if let Some(max) = page.clamped_to {
            // The server's maximum is lower than the probe said: start over
            // below half of it, so that no user is dropped.
            cursor.filtered_limit = Some((max / 2).max(1));
            cursor.grants.licensed = None;
            cursor.phase = Phase::Licensed(0);
            return Ok(());
        }
        let licensed = cursor.grants.licensed.get_or_insert_with(Vec::new);
        licensed.extend(page.values.iter().map(|(id, _)| *id));
        cursor.phase = match page.next {
            Next::At(n) => Phase::Licensed(n),
            Next::Done => Phase::Users(0),
        };
        Ok(())
    }

    /// A page of users, each with its seat and last authentication; from
    /// `/users`, without dates, when `plain` (a credential that may not read
    /// the admin list: the doc leaves open whether tokens may).
    fn users(&mut self, cursor: &mut Cursor, start: u32, plain: bool) -> Result<bool> {
        let path = if plain { "/users" } else { "/admin/users" };
        let fetched = self.fetch(
            (path, &[]),
            (start, self.config.page_size),
            "the users",
            DetailedUser::read,
        );
        let page = match fetched {
            Err(Error::Forbidden(m)) if !plain && !self.session.admin && start == 0 => {
                self.log
                    .warn(&format!("{m}: listing users without their last logins"));
                cursor.phase = Phase::PlainUsers(0);
                return Ok(false);
            }
            other => other?,
        };
        let index = Index::new(&cursor.grants);
        let unit = unit(self.config);
        let mut pushed = 0;
        for u in &page.values {
            // `seen` is sorted up to the pages before this one; this page's
            // ids are appended behind it, and sorted in once it is read.
            let before = &self.seen[..self.sorted];
            if before.binary_search(&u.id).is_ok() || self.seen[self.sorted..].contains(&u.id) {
                self.page.stats.duplicates_dropped += 1;
                continue;
            }
            self.seen.push(u.id);
            let user = to_user(u, &index, &unit, plain.then_some(NO_DATES));
            cursor.billable += u64::from(user.memberships[0].billable);
            self.page.users.push(user);
            pushed += 1;
        }
        self.seen.sort_unstable();
        self.sorted = self.seen.len();
        cursor.listed += pushed;
        if !plain {
            self.page.coverage.push(Coverage {
                source: SOURCE.into(),
                unit_id: unit.id,
            });
        }
        Ok(match page.next {
            Next::At(n) => {
                cursor.phase = if plain {
                    Phase::PlainUsers(n)
                } else {
                    Phase::Users(n)
                };
                false
            }
            Next::Done => true,
        })
    }
}

/// The phase after the granting groups before `from` were read.
fn next_group(cursor: &Cursor, from: usize) -> Phase {
    cursor
        .grants
        .groups
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, g)| g.permission.is_some())
        .map_or(Phase::Licensed(0), |(i, _)| Phase::GroupMembers(i, 0))
}

/// Runs one step of the listing from `cursor` (none: the start).
pub fn list_users(
    http: &dyn HttpClient,
    log: &dyn Logger,
    config: &Config,
    session: &Session,
    cursor: Option<&str>,
) -> Result<UserPage> {
    let mut cursor = match cursor {
        None => Cursor::start(config.base()),
        Some(text) => Cursor::decode(text, &config.base())?,
    };
    let mut step = Step {
        http,
        log,
        config,
        session,
        page: UserPage {
            users: Vec::new(),
            units: Vec::new(),
            coverage: Vec::new(),
            next_cursor: None,
            progress: ListingProgress {
                units_done: 0,
                units_total: Some(1),
                memberships_listed: 0,
                memberships_total: None,
            },
            session: None,
            stats: PageStats {
                requests: 0,
                duplicates_dropped: 0,
            },
        },
        seen: Vec::new(),
        sorted: 0,
    };
    let mut finished = false;
    while !finished && step.page.stats.requests < config.step_budget {
        match cursor.phase {
            Phase::Instance => step.instance(&mut cursor)?,
            Phase::GroupGrants(s) => step.group_grants(&mut cursor, s)?,
            Phase::UserGrants(s) => step.user_grants(&mut cursor, s)?,
            Phase::GroupMembers(g, s) => step.group_members(&mut cursor, g, s)?,
            Phase::Licensed(s) => step.licensed(&mut cursor, s)?,
            Phase::Users(s) => finished = step.users(&mut cursor, s, false)?,
            Phase::PlainUsers(s) => finished = step.users(&mut cursor, s, true)?,
        }
    }
    let mut page = step.page;
    page.progress.memberships_listed = cursor.listed;
    if finished {
        page.progress.units_done = 1;
        reconcile(log, &cursor);
    } else {
        page.next_cursor = Some(cursor.encode());
    }
    Ok(page)
}

/// Says when the users found holding a seat differ from Bitbucket's count.
fn reconcile(log: &dyn Logger, cursor: &Cursor) {
    if let Some(reported) = cursor.reported_used
        && u64::from(reported) != cursor.billable
    {
        log.warn(&format!(
            "the licence counts {reported} seats in use; the listing found {} users holding one \
             (a difference of {}): users added or removed during the listing, or a path to a \
             licence this connector cannot see",
            cursor.billable,
            u64::from(reported).abs_diff(cursor.billable)
        ));
    }
}
