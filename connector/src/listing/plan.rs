//! Which requests the members phase sends next, in the order batches take
//! them: every workspace's first page or the `next` link it follows, then
//! each workspace's details until described and its numbered pages. A
//! batch takes the head of that list; the rest is named ahead
//! (`http.prefetch`), so it travels while a batch is parsed and between
//! steps.

use super::Step;
use crate::Result;
use crate::cursor::{Source, Task, TaskState};
use crate::endpoints::{Endpoints, segment};
use saas_connector_sdk::http::Request;

/// Most requests in one batch. A batch is parsed while the requests named
/// ahead travel, so the parsing left when the last answer is in is one
/// batch's; about one round of a host's requests in flight.
pub(super) const BATCH: usize = 32;

/// One request of a batch and what it is for: the task's index.
#[derive(Debug, Clone, Copy)]
pub(super) enum Job {
    Details(usize),
    Members(usize),
}

impl Step<'_> {
    pub(super) fn first_url(&self, task: &Task) -> String {
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

    /// The next `limit` requests, in the order batches send them: first
    /// every request whose answer names more (a first page, a `next` link
    /// to follow), then details and numbered pages. A first page read late
    /// leaves nothing to fetch ahead while it is parsed: with a workspace's
    /// first page behind another's numbered pages, the pages fetched ahead
    /// ran out at each such workspace, and the listing waited for a whole
    /// batch's round trip, several times per sync.
    pub(super) fn upcoming(&self, tasks: &[Task], limit: usize) -> Result<Vec<(Job, String)>> {
        let mut out = Vec::new();
        for (i, task) in tasks.iter().enumerate() {
            match &task.state {
                TaskState::First => out.push((Job::Members(i), self.first_url(task))),
                TaskState::Follow { next, .. } => out.push((Job::Members(i), next.clone())),
                TaskState::Pages { .. } | TaskState::Done => continue,
            }
            if out.len() >= limit {
                return Ok(out);
            }
        }
        for (i, task) in tasks.iter().enumerate() {
            if out.len() >= limit {
                break;
            }
            if !task.described {
                let url = self
                    .endpoints
                    .api(&format!("/2.0/workspaces/{}", segment(&task.slug)));
                out.push((Job::Details(i), url));
            }
            if let TaskState::Pages {
                first,
                next_page,
                last_page,
            } = &task.state
            {
                let left = limit.saturating_sub(out.len());
                for page in (*next_page..=*last_page).take(left) {
                    out.push((Job::Members(i), Endpoints::page_url(first, page)?));
                }
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    /// Names `batch`, about to be sent, and then what later batches will
    /// send (at most a step's budget beyond it), in that order: the batch
    /// takes the first of the host's slots, and the slots it leaves carry
    /// what comes next in the same round. Named only after the batch was
    /// sent, the first pages of a sync had travelled alone, with the other
    /// slots idle for a whole round. After a batch is parsed, `batch` is
    /// empty and this names what its pages planned or linked.
    pub(super) fn prefetch_next(&self, tasks: &[Task], batch: &[String]) -> Result<()> {
        let auth = self.session.authorization();
        let later = self
            .upcoming(tasks, self.budget as usize + batch.len())?
            .into_iter()
            .map(|(_, url)| url)
            .filter(|url| !batch.contains(url))
            .take(self.budget as usize);
        let ahead = batch
            .iter()
            .cloned()
            .chain(later)
            .map(|url| Request::get(url, &auth))
            .collect();
        self.http.prefetch(ahead);
        Ok(())
    }
}
