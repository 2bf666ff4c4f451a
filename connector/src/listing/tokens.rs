//! The step's session: requests sent with it, refreshed once per expiry (as
//! often as tokens expire in a long step), and handed back to the host when
//! a step fails after a refresh, since Bitbucket rotates refresh tokens and
//! the host's copy of the session may hold a dead one.
//!
//! A refreshed token refused at once would loop; the step then ends early
//! with the session and the cursor it started from. After
//! [`SELF_REFRESH_TRIES`] such steps in a row the connector stops
//! refreshing and answers `expired-credentials`, so the host refreshes
//! through the `refresh` export and runs the step again.

use super::{EXPIRY_MARGIN, Step, progress};
use crate::cursor::Cursor;
use crate::{Error, Result, auth, upstream};
use saas_connector_sdk::http::{HttpError, Request, Response, send_batch};
use saas_connector_sdk::{PageStats, UserPage};

/// An answer, or why none came.
pub(super) type Answer = std::result::Result<Response, HttpError>;

/// Steps in a row that may end early after a refresh that did not help.
pub(super) const SELF_REFRESH_TRIES: u8 = 2;

/// Whether an answer proves the token it was sent with: any answer but
/// "expired".
fn token_worked(result: &Answer) -> bool {
    result
        .as_ref()
        .is_ok_and(|r| !upstream::is_expired_token(r))
}

impl Step<'_> {
    /// Refreshes before the step when the token is about to expire.
    pub(super) fn refresh_if_expiring(&mut self) -> Result<()> {
        let expiring = self
            .session
            .expires_at
            .is_some_and(|t| t <= self.now + EXPIRY_MARGIN);
        if expiring && self.session.client.is_some() && self.may_refresh {
            self.refresh()?;
        }
        Ok(())
    }

    fn refresh(&mut self) -> Result<()> {
        self.requests += 1;
        self.session = auth::refresh(self.http, &self.endpoints, &self.session, self.now)?;
        self.refreshed = true;
        self.token_worked = false;
        self.log.debug("access token refreshed");
        Ok(())
    }

    /// Whether an expired token may be refreshed here and now, or the
    /// error that says why not.
    fn may_refresh_now(&self) -> Result<()> {
        if self.session.client.is_none() {
            return Err(Error::ExpiredCredentials(
                "the access token expired and this session has no client to refresh it with: \
                 sign in again"
                    .into(),
            ));
        }
        if !self.may_refresh {
            return Err(Error::ExpiredCredentials(
                "the access token expired, and refreshing it here did not help twice in a row: \
                 the host may refresh it"
                    .into(),
            ));
        }
        if self.refreshed && !self.token_worked {
            return Err(Error::ExpiredCredentials(
                "a freshly refreshed access token was refused as expired at once (is the clock \
                 right?)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Sends GETs; whenever the token turns out expired, refreshes it and
    /// resends the refused ones.
    pub(super) fn send(&mut self, urls: &[String]) -> Result<Vec<Answer>> {
        self.send_beside(urls, Vec::new())
            .map(|(answers, _)| answers)
    }

    /// [`Self::send`], with `beside` (requests to another upstream, with
    /// credentials of their own) in the same batch and answered apart, as
    /// they came: no refresh is theirs.
    pub(super) fn send_beside(
        &mut self,
        urls: &[String],
        beside: Vec<Request>,
    ) -> Result<(Vec<Answer>, Vec<Answer>)> {
        let auth = self.session.authorization();
        let mut requests: Vec<Request> = urls
            .iter()
            .map(|u| Request::get(u.clone(), &auth))
            .collect();
        self.requests += (urls.len() + beside.len()) as u32;
        requests.extend(beside);
        let mut results = send_batch(self.http, requests);
        let beside = results.split_off(urls.len());
        // The answers sent with the current token.
        let mut current: Vec<usize> = (0..results.len()).collect();
        loop {
            self.token_worked |= current.iter().any(|&i| token_worked(&results[i]));
            let expired: Vec<usize> = current
                .into_iter()
                .filter(|&i| results[i].as_ref().is_ok_and(upstream::is_expired_token))
                .collect();
            if expired.is_empty() {
                return Ok((results, beside));
            }
            self.may_refresh_now()?;
            self.refresh()?;
            let auth = self.session.authorization();
            let retry = expired
                .iter()
                .map(|&i| Request::get(urls[i].clone(), &auth))
                .collect();
            self.requests += expired.len() as u32;
            for (&i, result) in expired.iter().zip(send_batch(self.http, retry)) {
                results[i] = result;
            }
            current = expired;
        }
    }

    /// The page of a step that failed with `error` after refreshing: no
    /// users, the refreshed session, and the cursor it started from, marked
    /// as one more try.
    pub(super) fn hand_back(self, mut start: Cursor, error: &Error) -> UserPage {
        self.log.warn(&format!(
            "the step failed after the session was refreshed ({error}); handing the new session \
             back and running the step again"
        ));
        start.refresh_retries = start.refresh_retries.saturating_add(1);
        UserPage {
            users: Vec::new(),
            units: Vec::new(),
            coverage: Vec::new(),
            progress: progress(&start, false),
            next_cursor: Some(start.encode()),
            session: Some(self.session.to_contract()),
            stats: PageStats {
                requests: self.requests,
                duplicates_dropped: 0,
            },
        }
    }
}
