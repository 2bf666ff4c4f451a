//! `list-users`: one bounded step of the listing at a time.
//!
//! A step spends at most `step_budget` requests. Discovery follows the
//! `/2.0/user/workspaces` pages; then every workspace's first member page and
//! details go out in one batch. A first page that reports `size` and `page`
//! lets the remaining pages go out in parallel batches; otherwise `next` is
//! followed, one request per workspace per batch. The step's state is the
//! cursor, so a listing resumed from any cursor ends with the same users.

mod admin;

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::auth;
use crate::cursor::{Cursor, Found, Pending, Phase, Source, Task, TaskState, url_hash};
use crate::endpoints::Config;
use crate::endpoints::{Endpoints, segment};
use crate::session::{AuthMode, Session};
use crate::{Error, Result};
use crate::{defects, upstream, wire};
use saas_connector_sdk::http::{HttpClient, HttpError, Request, Response};
use saas_connector_sdk::log::Logger;
use saas_connector_sdk::{
    BillingUnit, Coverage, ListingProgress, PageStats, Timestamp, User, UserPage,
};

/// Most pages one workspace may have before the listing is deemed runaway.
pub const MAX_PAGES: u64 = 100_000;

/// Refresh a token this many seconds before it expires.
const EXPIRY_MARGIN: i64 = 30;

/// Everything a step needs besides the cursor.
pub struct Step<'a> {
    http: &'a dyn HttpClient,
    log: &'a dyn Logger,
    endpoints: Endpoints,
    config: &'a Config,
    session: Session,
    refreshed: bool,
    now: Timestamp,
    budget: u32,
    requests: u32,
    duplicates: u32,
    seen: HashSet<(String, String)>,
    users: Vec<User>,
    index: HashMap<String, usize>,
    workspaces: Vec<BillingUnit>,
    coverage: BTreeSet<(&'static str, String)>,
}

/// Runs one listing step.
pub fn list_users(
    http: &dyn HttpClient,
    log: &dyn Logger,
    config: &Config,
    session: &Session,
    cursor: Option<&str>,
    now: Timestamp,
) -> Result<UserPage> {
    defects::misbehave();
    if defects::LOG_SECRET {
        log.debug(&format!("listing with token {}", session.access_token));
    }
    let cursor = cursor.filter(|_| !defects::IGNORE_CURSOR);
    let endpoints = Endpoints::new(config)?;
    let api = endpoints.api_base();
    let mut state = match cursor {
        Some(text) => Cursor::decode(text, &api)?,
        None => Cursor::start(api),
    };
    let mut step = Step {
        http,
        log,
        budget: endpoints.step_budget,
        endpoints,
        config,
        session: session.clone(),
        refreshed: false,
        now,
        requests: 0,
        duplicates: 0,
        seen: HashSet::new(),
        users: Vec::new(),
        index: HashMap::new(),
        workspaces: Vec::new(),
        coverage: BTreeSet::new(),
    };
    step.refresh_if_expiring()?;
    let finished = step.run(&mut state)?;
    let progress = progress(&state, finished);
    Ok(UserPage {
        users: step.users,
        units: step.workspaces,
        coverage: step
            .coverage
            .into_iter()
            .map(|(source, unit_id)| Coverage {
                source: source.into(),
                unit_id,
            })
            .collect(),
        next_cursor: (!finished).then(|| state.encode()),
        progress,
        session: step.refreshed.then(|| step.session.to_contract()),
        stats: PageStats {
            requests: step.requests,
            duplicates_dropped: step.duplicates,
        },
    })
}

fn progress(state: &Cursor, finished: bool) -> ListingProgress {
    let (total, remaining_sizes) = match &state.phase {
        Phase::Discover { .. } | Phase::OrgWorkspaces { .. } => (None, None),
        Phase::Members { tasks } => (
            Some(state.done + tasks.len() as u32),
            tasks.iter().map(|t| t.size).sum::<Option<u64>>(),
        ),
    };
    ListingProgress {
        units_done: state.done,
        units_total: total,
        memberships_listed: state.listed,
        memberships_total: if finished {
            Some(state.listed)
        } else {
            remaining_sizes.map(|s| s + state.done_members)
        },
    }
}

/// One request of a batch and what it is for.
enum Job {
    Details(usize),
    Members(usize),
}

impl Step<'_> {
    fn refresh_if_expiring(&mut self) -> Result<()> {
        let expiring = self
            .session
            .expires_at
            .is_some_and(|t| t <= self.now + EXPIRY_MARGIN);
        if expiring && self.session.client.is_some() {
            self.refresh()?;
        }
        Ok(())
    }

    fn refresh(&mut self) -> Result<()> {
        self.requests += 1;
        self.session = auth::refresh(self.http, &self.endpoints, &self.session, self.now)?;
        self.refreshed = true;
        self.log.debug("access token refreshed");
        Ok(())
    }

    /// Sends GETs; on an expired token, refreshes once and resends those.
    fn send(&mut self, urls: &[String]) -> Result<Vec<std::result::Result<Response, HttpError>>> {
        let auth = self.session.authorization();
        let requests = urls
            .iter()
            .map(|u| Request::get(u.clone(), &auth))
            .collect();
        self.requests += urls.len() as u32;
        let mut results = self.http.send_all(requests);
        let expired: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.as_ref().is_ok_and(upstream::is_expired_token))
            .map(|(i, _)| i)
            .collect();
        if !expired.is_empty() && !defects::NO_REFRESH {
            if self.refreshed || self.session.client.is_none() {
                return Err(Error::InvalidCredentials(
                    "the access token expired and cannot be refreshed".into(),
                ));
            }
            self.refresh()?;
            let auth = self.session.authorization();
            let retry = expired
                .iter()
                .map(|&i| Request::get(urls[i].clone(), &auth))
                .collect();
            self.requests += expired.len() as u32;
            for (i, result) in expired.into_iter().zip(self.http.send_all(retry)) {
                results[i] = result;
            }
        }
        Ok(results)
    }

    /// Runs batches until the budget is spent; returns whether the listing is complete.
    fn run(&mut self, state: &mut Cursor) -> Result<bool> {
        loop {
            let left = self.budget.saturating_sub(self.requests);
            if left == 0 {
                return Ok(false);
            }
            let progressed = match &mut state.phase {
                _ if !state.pending.is_empty() => self.resolve_pending(&mut state.pending)?,
                Phase::Discover { .. } => self.discover(state)?,
                Phase::OrgWorkspaces { .. } => self.org_workspaces(state)?,
                Phase::Members { .. } => self.members(state, left as usize)?,
            };
            if let Phase::Members { tasks } = &state.phase
                && tasks.is_empty()
                && state.pending.is_empty()
            {
                return Ok(true);
            }
            if !progressed {
                return Ok(false);
            }
        }
    }

    /// Fetches one discovery page.
    fn discover(&mut self, state: &mut Cursor) -> Result<bool> {
        let Phase::Discover {
            next,
            legacy,
            found,
            visited,
        } = &mut state.phase
        else {
            unreachable!("called in the discover phase")
        };
        if self.session.mode == AuthMode::AccessToken && !self.config.include_workspaces.is_empty()
        {
            // An access token cannot list workspaces: its own are named.
            found.extend(self.config.include_workspaces.iter().map(|slug| Found {
                slug: slug.clone(),
                id: String::new(),
                resource: None,
            }));
            let found = std::mem::take(found);
            self.discovered(state, found);
            return Ok(true);
        }
        let path = if *legacy {
            "/2.0/workspaces"
        } else {
            "/2.0/user/workspaces"
        };
        let url = next.clone().unwrap_or_else(|| {
            self.endpoints
                .api(&format!("{path}?pagelen={}", self.endpoints.page_size))
        });
        let response = self
            .send(std::slice::from_ref(&url))?
            .remove(0)
            .map_err(|e| upstream::transport_error(e, "workspace discovery"))?;
        if response.status == 404 && !*legacy && next.is_none() {
            self.log
                .warn("GET /2.0/user/workspaces is missing: trying the retired /2.0/workspaces");
            *legacy = true;
            return Ok(true);
        }
        if !response.is_success() {
            return Err(upstream::api_error(&response, "workspace discovery"));
        }
        let page = wire::page(&response, "workspace discovery")?;
        visited.push(url_hash(&url));
        for value in &page.values {
            if let Some((slug, id)) = wire::discovered_workspace(value)
                && !found.iter().any(|f| f.slug == slug)
            {
                found.push(Found {
                    slug,
                    id,
                    resource: None,
                });
            }
        }
        match page.next.filter(|_| !page.values.is_empty()) {
            Some(link) => {
                self.endpoints.check_same_origin(&link)?;
                if visited.contains(&url_hash(&link)) {
                    return Err(Error::Pagination(
                        "workspace discovery repeats a next link".into(),
                    ));
                }
                if visited.len() as u64 >= MAX_PAGES {
                    return Err(Error::Pagination("workspace discovery never ends".into()));
                }
                *next = Some(link);
            }
            None => {
                let found = std::mem::take(found);
                self.discovered(state, found);
            }
        }
        Ok(true)
    }

    /// Goes on from discovery: to the organization's workspaces when an
    /// admin key is given, else to the members.
    fn discovered(&self, state: &mut Cursor, found: Vec<Found>) {
        state.phase = if self.session.admin.is_some() {
            Phase::OrgWorkspaces {
                found,
                next: None,
                visited: Vec::new(),
            }
        } else {
            Phase::Members {
                tasks: self.plan(found),
            }
        };
    }

    /// Applies the include/exclude filter to the discovered workspaces.
    fn plan(&self, found: Vec<Found>) -> Vec<Task> {
        let matches =
            |list: &[String], slug: &str| list.iter().any(|s| s.eq_ignore_ascii_case(slug));
        for wanted in &self.config.include_workspaces {
            if !found.iter().any(|f| f.slug.eq_ignore_ascii_case(wanted)) {
                self.log.warn(&format!(
                    "workspace {wanted:?} is included but was not found"
                ));
            }
        }
        found
            .into_iter()
            .filter(|f| {
                (self.config.include_workspaces.is_empty()
                    || matches(&self.config.include_workspaces, &f.slug))
                    && !matches(&self.config.exclude_workspaces, &f.slug)
            })
            .map(|f| Task {
                slug: f.slug,
                id: f.id,
                described: false,
                source: if self.session.mode == AuthMode::AccessToken {
                    Source::Members
                } else {
                    Source::Permissions
                },
                state: TaskState::First,
                size: None,
                listed: 0,
                org_resource: f.resource,
            })
            .collect()
    }

    fn first_url(&self, task: &Task) -> String {
        let kind = match task.source {
            Source::Permissions => "permissions",
            Source::Members => "members",
        };
        self.endpoints.api(&format!(
            "/2.0/workspaces/{}/{kind}?pagelen={}",
            segment(&task.slug),
            self.endpoints.page_size
        ))
    }

    /// Sends one batch of member requests within `left` requests.
    fn members(&mut self, state: &mut Cursor, left: usize) -> Result<bool> {
        let Phase::Members { tasks } = &mut state.phase else {
            unreachable!("called in the members phase")
        };
        // Pages of workspaces with Admin API dates leave room for one
        // directory search each.
        let left = if tasks.iter().any(|t| t.org_resource.is_some()) {
            left.div_ceil(2)
        } else {
            left
        };
        let mut jobs = Vec::new();
        let mut urls = Vec::new();
        for (i, task) in tasks.iter_mut().enumerate() {
            if urls.len() >= left {
                break;
            }
            if !task.described {
                jobs.push(Job::Details(i));
                urls.push(
                    self.endpoints
                        .api(&format!("/2.0/workspaces/{}", segment(&task.slug))),
                );
                if urls.len() >= left {
                    break;
                }
            }
            match &mut task.state {
                TaskState::First => {
                    jobs.push(Job::Members(i));
                    urls.push(self.first_url(task));
                }
                TaskState::Follow { next, .. } => {
                    jobs.push(Job::Members(i));
                    urls.push(next.clone());
                }
                TaskState::Done => {}
                TaskState::Pages {
                    first,
                    next_page,
                    last_page,
                } => {
                    while *next_page <= *last_page && urls.len() < left {
                        jobs.push(Job::Members(i));
                        urls.push(Endpoints::page_url(first, *next_page));
                        *next_page += 1;
                    }
                }
            }
        }
        if urls.is_empty() {
            return Ok(false);
        }
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
            return Ok(true);
        }
        let response = result.map_err(|e| upstream::transport_error(e, &what))?;
        if !response.is_success() {
            return Err(upstream::api_error(&response, &what));
        }
        let page = wire::page(&response, &what)?;
        let dated = page
            .values
            .iter()
            .any(|v| v.get("last_accessed").is_some_and(|t| t.is_string()));
        for value in &page.values {
            let mut user = wire::member_entry(value, &task.slug, &task.id, &what)?;
            let account_id = user.account_id.clone();
            let gap = self.gap(task, dated, account_id.is_some());
            let m = user
                .memberships
                .first_mut()
                .expect("an entry has one membership");
            // A workspace whose permissions listing shows any last-access
            // date is covered: its members without one never accessed it.
            if !m.evidence.is_empty() {
                self.coverage
                    .insert((wire::PERMISSIONS_SOURCE, m.unit.id.clone()));
            }
            if task.org_resource.is_some() {
                self.coverage
                    .insert((crate::admin::SOURCE, m.unit.id.clone()));
            }
            m.evidence_gap = gap;
            let unit_id = m.unit.id.clone();
            let id = user.id.clone();
            if self.add(user) {
                task.listed += 1;
                *listed += 1;
                if let (Some(resource), Some(account_id)) = (&task.org_resource, account_id) {
                    pending.push(Pending {
                        user: id,
                        account_id,
                        slug: task.slug.clone(),
                        unit_id,
                        resource: resource.clone(),
                        searched: false,
                        covered: dated && task.source == Source::Permissions,
                    });
                }
            }
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
                        let mut last_page = size.div_ceil(pagelen);
                        if defects::DROP_LAST_PAGE && last_page > 1 {
                            last_page -= 1;
                        }
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
        page: &wire::Page,
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
        if !defects::LOOP_ON_REPEAT && visited.contains(&url_hash(&next)) {
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
        match task.size.filter(|_| !defects::DROP_LAST_PAGE) {
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

    /// Adds a user with one membership; false for a duplicate.
    fn add(&mut self, mut user: User) -> bool {
        let membership = user
            .memberships
            .pop()
            .expect("entries carry one membership");
        if !self
            .seen
            .insert((membership.unit.id.clone(), user.id.clone()))
        {
            self.duplicates += 1;
            return false;
        }
        match self.index.get(&user.id) {
            Some(&i) => self.users[i].memberships.push(membership),
            None => {
                user.memberships.push(membership);
                self.index.insert(user.id.clone(), self.users.len());
                self.users.push(user);
            }
        }
        true
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
