//! Listing helpers for the tests that list against the fake: an OAuth
//! session, and a loop that lists to the end collecting what was seen.

use std::collections::{BTreeMap, BTreeSet};

use super::{Lines, Native};
use bitbucket_connector::Error;
use bitbucket_connector::auth;
use bitbucket_connector::endpoints::{Config, Endpoints};
use bitbucket_connector::listing::list_users;
use bitbucket_connector::session::{Credentials, OAuthClient, Session};
use fake_bitbucket::{FakeBitbucket, FakeConfig};
use saas_connector_sdk::{User, UserPage};

/// Each user's workspace slugs.
pub type Seen = BTreeMap<String, BTreeSet<String>>;

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A fake with `workspaces` workspaces of `members` members each.
pub fn fake(workspaces: usize, members: usize) -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces,
        members,
        ..FakeConfig::default()
    })
    .unwrap()
}

/// The connector's settings for `fake`.
pub fn config(fake: &FakeBitbucket) -> Config {
    Config {
        api_base_url: Some(fake.api_base_url()),
        token_url: Some(fake.token_url()),
        ..Config::default()
    }
}

/// The fake's OAuth consumer.
pub fn client() -> OAuthClient {
    OAuthClient {
        client_id: "demo-client".into(),
        client_secret: "demo-client-secret".into(),
    }
}

/// A checked client-credentials session against `config`.
pub fn session(config: &Config) -> Session {
    let e = Endpoints::new(config).unwrap();
    auth::authenticate(
        &Native::default(),
        &e,
        config,
        &Credentials::OAuthClientCredentials(client()),
        None,
        &Lines::default(),
        now(),
    )
    .unwrap()
}

/// Records each user's workspaces in `seen`.
pub fn add(seen: &mut Seen, users: &[User]) {
    for u in users {
        for m in &u.memberships {
            seen.entry(u.id.clone())
                .or_default()
                .insert(m.unit.key.clone());
        }
    }
}

/// Lists to the end, step by step: each step's page.
pub fn steps(
    config: &Config,
    session: &Session,
    from: Option<String>,
) -> Result<Vec<UserPage>, Error> {
    let (http, log) = (Native::default(), Lines::default());
    let mut session = session.clone();
    let mut cursor = from;
    let mut pages = Vec::new();
    for _ in 0..10_000 {
        let page = list_users(&http, &log, config, &session, cursor.as_deref(), now())?;
        if let Some(s) = &page.session {
            session = Session::from_contract(s).unwrap();
        }
        cursor = page.next_cursor.clone();
        pages.push(page);
        if cursor.is_none() {
            return Ok(pages);
        }
    }
    panic!("the listing never ended");
}

/// Lists to the end; returns what was seen and every cursor handed out.
pub fn list_all(
    config: &Config,
    session: &Session,
    from: Option<String>,
) -> Result<(Seen, Vec<String>), Error> {
    let pages = steps(config, session, from)?;
    let mut seen = Seen::new();
    for page in &pages {
        add(&mut seen, &page.users);
    }
    let cursors = pages.into_iter().filter_map(|p| p.next_cursor).collect();
    Ok((seen, cursors))
}
