//! `list-users`: one bounded step of the listing at a time.
//!
//! A step spends at most `step_budget` requests. Discovery follows the
//! `/2.0/user/workspaces` pages; then every workspace's first member page and
//! details go out in one batch. A first page that reports `size` and `page`
//! lets the remaining pages go out in parallel batches; otherwise `next` is
//! followed, one request per workspace per batch. The step's state is the
//! cursor, so a listing resumed from any cursor ends with the same users.

mod admin;
mod members;
mod plan;
mod tokens;

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::admin::Admin;
use crate::auth;
use crate::cursor::{Cursor, Found, Phase, Source, Task, TaskState, url_hash};
use crate::endpoints::Config;
use crate::endpoints::Endpoints;
use crate::session::{AuthMode, Session};
use crate::{Error, Result};
use crate::{upstream, wire};
use saas_connector_sdk::http::HttpClient;
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
    /// Whether the session's current token got an answer other than
    /// "expired" since it was issued or last refreshed.
    token_worked: bool,
    /// Whether this step may refresh the session itself.
    may_refresh: bool,
    now: Timestamp,
    budget: u32,
    requests: u32,
    duplicates: u32,
    /// Memberships taken in this step: the unit's place in `unit_ids`,
    /// and the user's in `users`.
    seen: HashSet<(usize, usize)>,
    /// The units of `seen`, numbered.
    unit_ids: Vec<String>,
    users: Vec<User>,
    /// Where each user is in `users`.
    index: HashMap<String, usize>,
    workspaces: Vec<BillingUnit>,
    coverage: BTreeSet<(&'static str, String)>,
    /// The organization's first page of workspaces, fetched beside the first
    /// discovery page and not yet read.
    org_page: Option<tokens::Answer>,
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
    let endpoints = Endpoints::new(config)?;
    let api = endpoints.api_base();
    let settings = config.listing_hash();
    let mut state = match cursor {
        Some(text) => Cursor::decode(text, &endpoints, settings)?,
        None => Cursor::start(api, settings),
    };
    let mut step = Step {
        http,
        log,
        budget: endpoints.step_budget,
        endpoints,
        config,
        session: session.clone(),
        refreshed: false,
        token_worked: false,
        may_refresh: state.refresh_retries < tokens::SELF_REFRESH_TRIES,
        now,
        requests: 0,
        duplicates: 0,
        seen: HashSet::default(),
        unit_ids: Vec::new(),
        users: Vec::new(),
        index: HashMap::default(),
        workspaces: Vec::new(),
        coverage: BTreeSet::new(),
        org_page: None,
    };
    let start = state.clone();
    let finished = match step
        .refresh_if_expiring()
        .and_then(|()| step.run(&mut state))
    {
        Ok(finished) => finished,
        // The session was refreshed, and its predecessor's refresh token
        // may be dead: hand the new one back rather than lose it.
        Err(e) if step.refreshed => return Ok(step.hand_back(start, &e)),
        Err(e) => return Err(e),
    };
    state.refresh_retries = 0;
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

impl Step<'_> {
    /// Runs batches until the budget is spent; returns whether the listing is complete.
    fn run(&mut self, state: &mut Cursor) -> Result<bool> {
        loop {
            let left = self.budget.saturating_sub(self.requests);
            if left == 0 {
                return Ok(false);
            }
            let progressed = match &mut state.phase {
                _ if !state.pending.is_empty() => {
                    self.resolve_pending(&mut state.pending, &mut state.outside)?
                }
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
        let url = next.clone().unwrap_or_else(|| {
            self.endpoints.api(&format!(
                "{}?pagelen={}",
                auth::WORKSPACE_LISTING,
                self.endpoints.page_size
            ))
        });
        let what = auth::WORKSPACE_LISTING_CALL;
        // The organization's first page of workspaces, when the Admin API
        // is in use, goes out beside the first discovery page.
        let beside = match (&self.session.admin, visited.is_empty()) {
            (Some(key), true) => {
                vec![Admin::new(self.config.admin_api_base_url.as_deref(), key)?.workspaces(None)]
            }
            _ => Vec::new(),
        };
        let (mut answers, mut org_page) = self.send_beside(std::slice::from_ref(&url), beside)?;
        if let Some(answer) = org_page.pop() {
            self.org_page = Some(answer);
        }
        let response = answers
            .remove(0)
            .map_err(|e| upstream::transport_error(e, what))?;
        if !response.is_success() {
            return Err(upstream::api_error(&response, what));
        }
        let page = wire::page(&response, what)?;
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
                // No next link while the counts say more pages follow: the
                // upstream broke its paging, and a workspace would be lost.
                if let (Some(size), Some(number), Some(pagelen)) =
                    (page.size, page.page, page.pagelen)
                    && number.saturating_mul(pagelen) < size
                {
                    return Err(Error::Pagination(format!(
                        "workspace discovery ended at page {number} of {pagelen} while {size} \
                         workspaces were announced"
                    )));
                }
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
}
