//! Where a Cirrus listing stands, as a sealed cursor, and the rules a next
//! link must keep: the API's own origin, no user or password, never a page
//! already fetched. Pure: tested natively.

use saas_connector_sdk::{ConnectorError, Result, cursor};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::defect::Defect;

/// The listing's state between steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The base URL the cursor was made under.
    pub base: String,
    /// The next page's URL.
    pub next: String,
    /// Checksums of the pages fetched.
    pub visited: Vec<u64>,
    /// Items listed so far.
    pub listed: u64,
    /// The total the last page gave.
    #[serde(default)]
    pub total: Option<u64>,
    /// The access token (only with the `token-in-cursor` defect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// A checksum of the session's token (only with the
    /// `session-bound-cursor` defect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u64>,
}

impl State {
    /// The cursor text: sealed, unless the defect says plain.
    pub fn to_cursor(&self, defect: Defect) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        if defect == Defect::PlainCursor {
            String::from_utf8_lossy(&json).into_owned()
        } else {
            cursor::seal(&json)
        }
    }

    /// The state of a cursor made under `base`.
    pub fn from_cursor(text: &str, base: &str, defect: Defect) -> Result<Self> {
        let bytes = if defect == Defect::PlainCursor {
            Some(text.as_bytes().to_vec())
        } else {
            cursor::open(text)
        };
        let state: State = bytes
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| ConnectorError::InvalidCursor("not a Cirrus cursor".into()))?;
        if state.base != base {
            return Err(ConnectorError::InvalidCursor(
                "a cursor made for another Cirrus".into(),
            ));
        }
        Ok(state)
    }
}

/// Checks a next link against the base URL and the pages fetched.
pub fn check_next(next: &str, base: &str, state: &State, defect: Defect) -> Result<()> {
    if defect == Defect::FollowAnywhere {
        return Ok(());
    }
    let broken = |why: &str| Err(ConnectorError::Pagination(format!("the next link {why}")));
    let (Ok(next_url), Ok(base_url)) = (Url::parse(next), Url::parse(base)) else {
        return broken("is not a URL");
    };
    let userinfo = !next_url.username().is_empty() || next_url.password().is_some();
    if defect != Defect::TrustUserinfo && userinfo {
        return broken("carries a user or password");
    }
    if defect != Defect::TrustHost && next_url.host_str() != base_url.host_str() {
        return broken("leaves the API's host");
    }
    if defect != Defect::TrustPort
        && next_url.port_or_known_default() != base_url.port_or_known_default()
    {
        return broken("leaves the API's port");
    }
    if defect != Defect::TrustScheme && next_url.scheme() != base_url.scheme() {
        return broken("leaves the API's scheme");
    }
    let seen: Vec<&u64> = match defect {
        Defect::OnlyImmediateRepeats => state.visited.last().into_iter().collect(),
        Defect::CycleOnly => state.visited[..state.visited.len().saturating_sub(1)]
            .iter()
            .collect(),
        _ => state.visited.iter().collect(),
    };
    if seen.contains(&&cursor::checksum(next.as_bytes())) {
        return broken("names a page already listed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            base: "http://127.0.0.1:9".into(),
            next: "http://127.0.0.1:9/v2/members".into(),
            visited: vec![cursor::checksum(b"http://127.0.0.1:9/v2/members?page=1")],
            listed: 3,
            total: Some(7),
            token: None,
            session: None,
        }
    }

    #[test]
    fn a_cursor_round_trips_and_is_bound_to_its_base() {
        let s = state();
        let text = s.to_cursor(Defect::None);
        assert_eq!(State::from_cursor(&text, &s.base, Defect::None).unwrap(), s);
        assert!(State::from_cursor(&text, "http://127.0.0.1:10", Defect::None).is_err());
        assert!(State::from_cursor(&text[1..], &s.base, Defect::None).is_err());
    }

    #[test]
    fn next_links_keep_to_the_origin_and_never_repeat() {
        let s = state();
        let base = &s.base;
        assert!(
            check_next(
                "http://127.0.0.1:9/v2/members?page=2",
                base,
                &s,
                Defect::None
            )
            .is_ok()
        );
        for bad in [
            "http://127.0.0.1:9/v2/members?page=1",
            "http://127.0.0.2:9/v2/members?page=2",
            "http://127.0.0.1:10/v2/members?page=2",
            "https://127.0.0.1:9/v2/members?page=2",
            "http://u:p@127.0.0.1:9/v2/members?page=2",
            "not a url",
        ] {
            assert!(check_next(bad, base, &s, Defect::None).is_err(), "{bad}");
        }
    }
}
