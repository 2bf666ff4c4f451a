//! The members phase of a listing step: one batch of workspace details and
//! member pages within the budget, each page taken in (with the evidence
//! gaps and Admin API lookups it needs), numbered pages planned from counts,
//! `next` links followed and checked, and duplicates dropped.

use super::plan::{BATCH, Job};
use super::{MAX_PAGES, Step};
use crate::cursor::{Cursor, Pending, Phase, Source, Task, TaskState, url_hash};
use crate::{Error, Result};
use crate::{upstream, wire};
use saas_connector_sdk::http::{HttpError, Response};
use saas_connector_sdk::{BillingUnit, User};

impl Step<'_> {
    /// Sends one batch of member requests within `left` requests.
    pub(super) fn members(&mut self, state: &mut Cursor, left: usize) -> Result<bool> {
        let Phase::Members { tasks } = &mut state.phase else {
            unreachable!("called in the members phase")
        };
        // Pages of workspaces with Admin API dates leave room for one
        // directory search each.
        let left = if tasks.iter().any(|t| t.org_resource.is_some()) {
            left.div_ceil(2)
        } else {
            left
        }
        .min(BATCH);
        let mut ahead = self.upcoming(tasks, left)?;
        // A batch of first pages holds nothing else, so it is parsed as soon
        // as they are in and the pages they name go out one round later;
        // the details and the rest travel beside it, named ahead.
        let firsts = ahead
            .iter()
            .take_while(
                |(job, _)| matches!(job, Job::Members(i) if tasks[*i].state == TaskState::First),
            )
            .count();
        if firsts > 0 {
            ahead.truncate(firsts);
        }
        let (jobs, urls): (Vec<Job>, Vec<String>) = ahead.into_iter().unzip();
        // The numbered pages taken are planned no more.
        for job in &jobs {
            if let Job::Members(i) = *job
                && let TaskState::Pages { next_page, .. } = &mut tasks[i].state
            {
                *next_page += 1;
            }
        }
        if urls.is_empty() {
            return Ok(false);
        }
        // What comes next travels beside this batch and while it is parsed.
        self.prefetch_next(tasks, &urls)?;
        let results = self.send(&urls)?;
        let mut restarted = vec![false; tasks.len()];
        for ((job, url), result) in jobs.into_iter().zip(urls).zip(results) {
            match job {
                Job::Details(i) => self.details(&mut tasks[i], result),
                Job::Members(i) if !restarted[i] => {
                    restarted[i] = self.member_page(
                        &mut tasks[i],
                        &url,
                        result,
                        &mut state.listed,
                        &mut state.pending,
                    )?;
                }
                Job::Members(_) => {}
            }
        }
        // Retire finished workspaces.
        let mut kept = Vec::with_capacity(tasks.len());
        for task in tasks.drain(..) {
            if task.finished() {
                self.check_count(&task)?;
                state.done += 1;
                state.done_members += task.listed;
            } else {
                kept.push(task);
            }
        }
        *tasks = kept;
        // What this batch's pages planned or linked, and the next step's.
        self.prefetch_next(tasks, &[])?;
        self.log.progress(
            state.listed,
            tasks
                .iter()
                .map(|t| t.size)
                .sum::<Option<u64>>()
                .map(|s| s + state.done_members),
            "memberships",
        );
        Ok(true)
    }

    fn details(&mut self, task: &mut Task, result: std::result::Result<Response, HttpError>) {
        task.described = true;
        let parsed = match result {
            Ok(r) if r.is_success() => wire::json(&r, "workspace details")
                .and_then(|v| wire::workspace(&v, "workspace details")),
            Ok(r) => Err(upstream::api_error(&r, "workspace details")),
            Err(e) => Err(upstream::transport_error(e, "workspace details")),
        };
        let workspace = parsed.unwrap_or_else(|e| {
            self.log
                .warn(&format!("workspace {}: no details ({e})", task.slug));
            BillingUnit {
                unit: wire::unit(&task.slug, &task.id),
                name: None,
                created_at: None,
                seats: None,
            }
        });
        if workspace.unit.id != task.slug {
            task.id = workspace.unit.id.clone();
        }
        self.workspaces.push(workspace);
    }

    /// Whether a failure of the permissions listing should switch to `/members`.
    fn falls_back(task: &Task, result: &std::result::Result<Response, HttpError>) -> bool {
        task.source == Source::Permissions
            && match result {
                Ok(r) => r.status == 403 || r.status >= 500,
                Err(HttpError::Timeout | HttpError::Transport(_)) => true,
                Err(_) => false,
            }
    }

    /// Takes in one member page; returns whether the workspace restarts on `/members`.
    fn member_page(
        &mut self,
        task: &mut Task,
        url: &str,
        result: std::result::Result<Response, HttpError>,
        listed: &mut u64,
        pending: &mut Vec<Pending>,
    ) -> Result<bool> {
        let what = format!("members of {}", task.slug);
        if Self::falls_back(task, &result) {
            self.log.warn(&format!(
                "workspace {}: the permissions listing failed; listing /members instead (no roles or dates)",
                task.slug
            ));
            task.source = Source::Members;
            task.state = TaskState::First;
            task.size = None;
            *listed -= task.listed;
            task.listed = 0;
            self.forget_unit(&wire::unit(&task.slug, &task.id).id, pending);
            return Ok(true);
        }
        let response = result.map_err(|e| upstream::transport_error(e, &what))?;
        if !response.is_success() {
            return Err(upstream::api_error(&response, &what));
        }
        let page = wire::member_page(&response, &what)?;
        // An admin-managed workspace drops both dates from every row; a
        // member who never accessed a workspace that reports dates still
        // has `added_on`. So a page of such members is no sign of management.
        let dated = page.values.iter().any(wire::MemberEntry::dated);
        // The page's gaps, for members with and without an account id.
        let gaps = [self.gap(task, dated, false), self.gap(task, dated, true)];
        let unit_id = wire::unit(&task.slug, &task.id).id;
        let mut evidenced = false;
        for value in &page.values {
            let mut user = value.user(&task.slug, &task.id, &what)?;
            let gap = gaps[usize::from(user.account_id.is_some())].clone();
            let m = user
                .memberships
                .first_mut()
                .expect("an entry has one membership");
            evidenced |= !m.evidence.is_empty();
            m.evidence_gap = gap;
            // Kept only for a member the Admin API will be asked about.
            let lookup = (task.org_resource.as_ref())
                .and_then(|_| Some((user.id.clone(), user.account_id.clone()?)));
            if self.add(user) {
                task.listed += 1;
                *listed += 1;
                if let (Some(resource), Some((id, account_id))) = (&task.org_resource, lookup) {
                    pending.push(Pending {
                        user: id,
                        account_id,
                        slug: task.slug.clone(),
                        unit_id: unit_id.clone(),
                        resource: resource.clone(),
                        searched: false,
                        covered: dated && task.source == Source::Permissions,
                    });
                }
            }
        }
        // A workspace whose permissions listing shows any last-access
        // date is covered: its members without one never accessed it.
        if evidenced {
            self.coverage
                .insert((wire::PERMISSIONS_SOURCE, unit_id.clone()));
        }
        if task.org_resource.is_some() && !page.values.is_empty() {
            self.coverage.insert((crate::admin::SOURCE, unit_id));
        }
        task.state = match std::mem::replace(&mut task.state, TaskState::Done) {
            TaskState::First => {
                task.size = page.size;
                let pagelen = page
                    .pagelen
                    .filter(|&p| p > 0)
                    .unwrap_or(u64::from(self.endpoints.page_size));
                match (page.size, page.page) {
                    (Some(size), Some(_)) => {
                        let last_page = size.div_ceil(pagelen);
                        if last_page > MAX_PAGES {
                            return Err(Error::MalformedResponse(format!(
                                "{what}: an implausible size of {size}"
                            )));
                        }
                        TaskState::Pages {
                            first: url.to_string(),
                            next_page: 2,
                            last_page,
                        }
                    }
                    _ => self.follow(&page, url, Vec::new(), &what)?,
                }
            }
            TaskState::Follow { visited, .. } => self.follow(&page, url, visited, &what)?,
            other => other,
        };
        Ok(false)
    }

    /// The state after a followed page.
    fn follow(
        &self,
        page: &wire::Page<wire::MemberEntry>,
        url: &str,
        mut visited: Vec<u64>,
        what: &str,
    ) -> Result<TaskState> {
        visited.push(url_hash(url));
        let Some(next) = page.next.clone() else {
            return Ok(TaskState::Done);
        };
        if page.values.is_empty() {
            self.log.debug(&format!(
                "{what}: an empty page with a next link; taken as the end"
            ));
            return Ok(TaskState::Done);
        }
        self.endpoints.check_same_origin(&next)?;
        if visited.contains(&url_hash(&next)) {
            return Err(Error::Pagination(format!(
                "{what}: the next link repeats a page already fetched"
            )));
        }
        if visited.len() as u64 >= MAX_PAGES {
            return Err(Error::Pagination(format!(
                "{what}: more than {MAX_PAGES} pages"
            )));
        }
        Ok(TaskState::Follow { next, visited })
    }

    fn check_count(&self, task: &Task) -> Result<()> {
        match task.size {
            Some(size) if task.listed < size => Err(Error::Pagination(format!(
                "workspace {} reports {size} members but only {} were listed",
                task.slug, task.listed
            ))),
            Some(size) if task.listed > size => {
                self.log.warn(&format!(
                    "workspace {} reports {size} members and {} were listed (changed while listing?)",
                    task.slug, task.listed
                ));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Forgets what this step took in of one unit's listing, before the
    /// unit is listed again from its first page (from another source): its
    /// memberships, its coverage, the pairs that would make the new entries
    /// count as duplicates, and its pending Admin API lookups. Earlier steps' entries
    /// are with the host already, which merges the new ones into them.
    fn forget_unit(&mut self, unit_id: &str, pending: &mut Vec<Pending>) {
        self.coverage.retain(|(_, unit)| unit != unit_id);
        pending.retain(|p| p.unit_id != unit_id);
        for user in &mut self.users {
            user.memberships.retain(|m| m.unit.id != unit_id);
        }
        // Users left without a membership go, so the others move up.
        let mut kept = 0;
        let moved: Vec<Option<usize>> = (self.users.iter())
            .map(|u| {
                let at = (!u.memberships.is_empty()).then_some(kept);
                kept += usize::from(at.is_some());
                at
            })
            .collect();
        let forgotten = self.unit_ids.iter().position(|u| u == unit_id);
        self.seen = (self.seen.drain())
            .filter(|&(unit, _)| Some(unit) != forgotten)
            .filter_map(|(unit, at)| Some((unit, moved[at]?)))
            .collect();
        self.users.retain(|u| !u.memberships.is_empty());
        self.index = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
    }

    /// Adds a user with one membership; false for a duplicate.
    fn add(&mut self, mut user: User) -> bool {
        let membership = user
            .memberships
            .pop()
            .expect("entries carry one membership");
        let unit = self.unit_number(&membership.unit.id);
        let known = self.index.get(&user.id).copied();
        if !self.seen.insert((unit, known.unwrap_or(self.users.len()))) {
            self.duplicates += 1;
            return false;
        }
        match known {
            Some(i) => self.users[i].memberships.push(membership),
            None => {
                user.memberships.push(membership);
                self.index.insert(user.id.clone(), self.users.len());
                self.users.push(user);
            }
        }
        true
    }

    /// The unit's number in `unit_ids`, given on first sight. Entries come
    /// unit by unit, so the search starts from the latest.
    fn unit_number(&mut self, id: &str) -> usize {
        match self.unit_ids.iter().rposition(|u| u == id) {
            Some(n) => n,
            None => {
                self.unit_ids.push(id.to_string());
                self.unit_ids.len() - 1
            }
        }
    }
}

impl Task {
    /// Whether every page is in and the details were fetched.
    fn finished(&self) -> bool {
        self.described && self.pages_done()
    }

    fn pages_done(&self) -> bool {
        match &self.state {
            TaskState::Done => true,
            TaskState::Pages {
                next_page,
                last_page,
                ..
            } => next_page > last_page,
            TaskState::First | TaskState::Follow { .. } => false,
        }
    }
}
