//! The listing's Atlassian Admin API part: matching the found workspaces
//! with the organization's, and resolving each member of a workspace the
//! organization lists to one piece of evidence for that workspace (bulk
//! directory search first, the per-user last-active call only for the
//! users the search missed), or to a gap that says why there is none.

use std::collections::HashMap;

use super::Step;
use crate::admin::wire::{self as admin_wire, DirectoryUser};
use crate::admin::{self, Admin, AdminKey, SEARCH_BATCH, WHERE_TO_GET_A_KEY};
use crate::cursor::{Cursor, Pending, Phase, Task, url_hash};
use crate::session::AuthMode;
use crate::{Error, Result, upstream, wire};
use saas_connector_sdk::http::send_batch;
use saas_connector_sdk::status::date;
use saas_connector_sdk::{
    AccountState, AccountStatus, Evidence, EvidenceKind, Membership, Timestamp, User,
};

/// The Admin API's reporting lag is up to 24 hours: nobody who joined
/// within two days is called never-active.
const LAG_SECONDS: i64 = 2 * 86_400;

/// Why a user outside the directory has no Admin API activity.
const OUTSIDE: &str = "the user is not in the Atlassian organization's directory (an external \
     collaborator?), so the Admin API has no activity for them";

/// Per-user last-active calls sent at once.
const LOOKUP_BATCH: usize = 16;

/// What a member of a workspace the Admin API covers resolved to.
#[derive(Debug, Default)]
struct Resolution {
    at: Option<Timestamp>,
    gap: Option<String>,
    email: Option<String>,
    status: Option<String>,
}

fn lag_gap(added: Option<Timestamp>, now: Timestamp) -> Option<String> {
    added.filter(|&t| now - t < LAG_SECONDS).map(|t| {
        format!(
            "the user joined the organization on {}, within the Admin API's reporting lag \
             (up to 24 hours; nobody is called idle within two days)",
            date(t)
        )
    })
}

impl DirectoryUser {
    fn resolve(&self, resource: &str, now: Timestamp) -> Resolution {
        let at = admin_wire::last_active_in(&self.product_access, resource);
        Resolution {
            at,
            gap: at
                .is_none()
                .then(|| lag_gap(self.added_to_org, now))
                .flatten(),
            email: self.email.clone(),
            status: self.status.clone(),
        }
    }
}

impl Step<'_> {
    fn admin_key(&self) -> Result<AdminKey> {
        self.session.admin.clone().ok_or_else(|| {
            Error::InvalidCursor(
                "the cursor needs the atlassian-admin credential it was made with".into(),
            )
        })
    }

    /// Why a membership has no evidence to expect, before any Admin data.
    pub(super) fn gap(&self, task: &Task, dated: bool, has_account: bool) -> Option<String> {
        if task.org_resource.is_some() {
            return (!has_account).then(|| {
                "the user has no Atlassian account id to look up in the Admin API".into()
            });
        }
        if self.session.mode == AuthMode::AccessToken {
            return Some(
                "a workspace access token cannot read last-access dates: fill the \
                 atlassian-admin slot, or use an API token or OAuth consumer of a workspace admin"
                    .into(),
            );
        }
        if task.source == crate::cursor::Source::Members {
            // Only a failed permissions listing falls back here: its first
            // pages may have claimed the workspace's coverage already.
            return Some(
                "the workspace's permissions listing failed and its /members listing reports no \
                 last-access dates: list again when Bitbucket answers"
                    .into(),
            );
        }
        if dated {
            return None;
        }
        Some(if self.session.admin.is_some() {
            "the workspace reports no last-access dates and the Atlassian organization of the \
             given API key does not list it: use the key of the organization that administers it"
                .into()
        } else {
            format!(
                "the workspace reports no last-access dates (it is administered in \
                 admin.atlassian.com): fill the atlassian-admin credential slot with the \
                 organization's id and an org API key ({WHERE_TO_GET_A_KEY}) to read them from \
                 the Atlassian Admin API"
            )
        })
    }

    /// Fetches one page of the organization's workspaces and matches them.
    pub(super) fn org_workspaces(&mut self, state: &mut Cursor) -> Result<bool> {
        let Phase::OrgWorkspaces {
            found,
            next,
            visited,
        } = &mut state.phase
        else {
            unreachable!("called in the org-workspaces phase")
        };
        let key = self.admin_key()?;
        let api = Admin::new(self.config.admin_api_base_url.as_deref(), &key)?;
        let what = "Atlassian Admin workspaces";
        let answer = match (next.is_none(), self.org_page.take()) {
            // Fetched beside the first discovery page.
            (true, Some(answer)) => answer,
            _ => {
                self.requests += 1;
                self.http.send(api.workspaces(next.as_deref()))
            }
        };
        let response = answer.map_err(|e| upstream::transport_error(e, what))?;
        if !response.is_success() {
            return Err(upstream::api_error(&response, what));
        }
        let page = admin_wire::workspaces(&response)?;
        for ws in &page.items {
            for f in found.iter_mut().filter(|f| f.resource.is_none()) {
                if ws.is(&f.slug, &f.id) {
                    f.resource = Some(ws.id.clone());
                }
            }
        }
        match page.next.filter(|_| !page.items.is_empty()) {
            Some(cursor) => {
                let hash = url_hash(&cursor);
                if visited.contains(&hash) || visited.len() as u64 >= super::MAX_PAGES {
                    return Err(Error::Pagination(format!("{what}: the cursor repeats")));
                }
                visited.push(hash);
                *next = Some(cursor);
            }
            None => {
                for f in found.iter().filter(|f| f.resource.is_none()) {
                    self.log.warn(&format!(
                        "workspace {}: not listed by the Atlassian organization; its dates come \
                         from Bitbucket alone",
                        f.slug
                    ));
                }
                let tasks = self.plan(std::mem::take(found));
                state.phase = Phase::Members { tasks };
            }
        }
        Ok(true)
    }

    /// Resolves waiting members within the budget: one directory search for
    /// up to [`SEARCH_BATCH`] not yet searched, else per-user calls for
    /// those the search missed.
    pub(super) fn resolve_pending(
        &mut self,
        pending: &mut Vec<Pending>,
        outside: &mut Vec<String>,
    ) -> Result<bool> {
        let key = self.admin_key()?;
        let api = Admin::new(self.config.admin_api_base_url.as_deref(), &key)?;
        if pending.iter().any(|p| !p.searched) {
            self.search(&api, pending)
        } else {
            self.look_up(&api, pending, outside)
        }
    }

    fn search(&mut self, api: &Admin<'_>, pending: &mut Vec<Pending>) -> Result<bool> {
        let what = "Atlassian Admin users search";
        let mut ids: Vec<String> = Vec::new();
        for p in pending.iter().filter(|p| !p.searched) {
            if ids.len() == SEARCH_BATCH {
                break;
            }
            if !ids.contains(&p.account_id) {
                ids.push(p.account_id.clone());
            }
        }
        let mut found: HashMap<String, DirectoryUser> = HashMap::new();
        let (mut cursor, mut visited) = (None::<String>, Vec::new());
        loop {
            if self.requests >= self.budget {
                // Not all answers are in: the same search runs again next step.
                return Ok(false);
            }
            self.requests += 1;
            let response = self
                .http
                .send(api.users(&ids, cursor.as_deref()))
                .map_err(|e| upstream::transport_error(e, what))?;
            if !response.is_success() {
                return Err(upstream::api_error(&response, what));
            }
            let page = admin_wire::users(&response)?;
            cursor = page.next_cursor(&mut visited, what)?;
            found.extend(page.items.into_iter().map(|u| (u.account_id.clone(), u)));
            if cursor.is_none() {
                break;
            }
        }
        let ids: std::collections::HashSet<String> = ids.into_iter().collect();
        let mut kept = Vec::with_capacity(pending.len());
        for mut p in pending.drain(..) {
            if p.searched || !ids.contains(&p.account_id) {
                kept.push(p);
            } else if let Some(user) = found.get(&p.account_id) {
                let resolution = user.resolve(&p.resource, self.now);
                self.record(&p, resolution);
            } else {
                p.searched = true;
                kept.push(p);
            }
        }
        *pending = kept;
        Ok(true)
    }

    fn look_up(
        &mut self,
        api: &Admin<'_>,
        pending: &mut Vec<Pending>,
        outside: &mut Vec<String>,
    ) -> Result<bool> {
        let what = "Atlassian Admin last-active dates";
        // Accounts already known to be outside the directory need no call.
        let (known, rest): (Vec<Pending>, Vec<Pending>) = pending
            .drain(..)
            .partition(|p| outside.contains(&p.account_id));
        *pending = rest;
        for p in &known {
            self.record(
                p,
                Resolution {
                    gap: Some(OUTSIDE.into()),
                    ..Resolution::default()
                },
            );
        }
        if pending.is_empty() {
            return Ok(!known.is_empty());
        }
        let left = self.budget.saturating_sub(self.requests) as usize;
        // One call per account, whatever number of its workspaces wait.
        let mut accounts: Vec<String> = Vec::new();
        for p in pending.iter() {
            if accounts.len() >= left.min(LOOKUP_BATCH) {
                break;
            }
            if !accounts.contains(&p.account_id) {
                accounts.push(p.account_id.clone());
            }
        }
        if accounts.is_empty() {
            return Ok(false);
        }
        let (batch, rest): (Vec<Pending>, Vec<Pending>) = pending
            .drain(..)
            .partition(|p| accounts.contains(&p.account_id));
        *pending = rest;
        self.requests += accounts.len() as u32;
        let results = send_batch(
            self.http,
            accounts.iter().map(|a| api.last_active(a)).collect(),
        );
        let mut answers = HashMap::new();
        for (account, result) in accounts.iter().zip(results) {
            let answer = match result {
                Ok(r) if r.is_success() => Ok(admin_wire::last_active(&r)?.items),
                Ok(r) if r.status == 404 => {
                    outside.push(account.clone());
                    Err(Some(OUTSIDE.to_string()))
                }
                Ok(r) if matches!(r.status, 401 | 429) => {
                    // Nothing recorded for this batch: the step runs again.
                    pending.splice(0..0, batch);
                    return Err(upstream::api_error(&r, what));
                }
                Ok(r) => Err(Some(failed(&upstream::api_error(&r, what)))),
                Err(e) => Err(Some(failed(&upstream::transport_error(e, what)))),
            };
            answers.insert(account.as_str(), answer);
        }
        for p in &batch {
            let resolution = match &answers[p.account_id.as_str()] {
                Ok(dates) => Resolution {
                    at: admin_wire::last_active_in(dates, &p.resource),
                    ..Resolution::default()
                },
                Err(gap) => Resolution {
                    gap: gap.clone(),
                    ..Resolution::default()
                },
            };
            self.record(p, resolution);
        }
        Ok(true)
    }

    /// Records a resolution on the user's membership in this step, or as a
    /// new entry for a user listed in an earlier step.
    fn record(&mut self, p: &Pending, r: Resolution) {
        let evidence = r.at.map(|at| Evidence {
            source: admin::SOURCE.into(),
            kind: EvidenceKind::Web,
            at,
        });
        let state = match r.status.as_deref() {
            Some("suspended") => Some(AccountState::Suspended),
            Some("deactivated") => Some(AccountState::Deactivated),
            _ => None,
        };
        let i = match self.index.get(&p.user) {
            Some(&i) => i,
            None => {
                self.index.insert(p.user.clone(), self.users.len());
                self.users.push(User {
                    id: p.user.clone(),
                    account_id: Some(p.account_id.clone()),
                    email: None,
                    display_name: None,
                    username: None,
                    status: AccountStatus {
                        upstream: None,
                        state: AccountState::Unknown,
                    },
                    mfa_enabled: None,
                    created_at: None,
                    memberships: Vec::new(),
                });
                self.users.len() - 1
            }
        };
        let user = &mut self.users[i];
        if user.email.is_none() {
            user.email = r.email;
        }
        if let (Some(state), Some(upstream)) = (state, &r.status)
            && user.status.state != AccountState::Deactivated
        {
            user.status = AccountStatus {
                upstream: Some(format!("{upstream} (Atlassian organization)")),
                state,
            };
        }
        let membership = match user
            .memberships
            .iter_mut()
            .position(|m| m.unit.id == p.unit_id)
        {
            Some(k) => &mut user.memberships[k],
            None => {
                user.memberships.push(Membership {
                    unit: wire::unit(&p.slug, &p.unit_id),
                    role: None,
                    level: None,
                    billable: true,
                    billable_reason: wire::BILLABLE.into(),
                    added_at: None,
                    evidence: Vec::new(),
                    evidence_gap: None,
                });
                user.memberships.last_mut().expect("just pushed")
            }
        };
        membership.evidence.extend(evidence);
        if membership.evidence_gap.is_none() && !p.covered {
            membership.evidence_gap = r.gap;
        }
    }
}

fn failed(error: &Error) -> String {
    format!("the Admin API could not say ({error}); a failed lookup is unknown, never never-active")
}
