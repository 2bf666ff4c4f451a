//! The fake itself: pagination invariants, auth checks, every fault switch,
//! the truth, and the shapes of its answers against Atlassian's OpenAPI.

use std::collections::BTreeSet;
use std::time::Duration;

use fake_bitbucket::{
    AuthKind, BodyFault, FakeBitbucket, FakeConfig, Faults, NextFault, PermissionsMode,
};
use serde_json::Value;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

struct Answer {
    status: u16,
    body: String,
    retry_after: Option<String>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn get(url: &str, auth: Option<&str>) -> Answer {
    let mut req = agent().get(url);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let mut r = req.call().unwrap();
    Answer {
        status: r.status().as_u16(),
        retry_after: r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string()),
        body: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn token(fake: &FakeBitbucket, form: &str, basic: &str) -> Answer {
    use base64::Engine as _;
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(basic)
    );
    let mut r = agent()
        .post(&fake.token_url())
        .header("Authorization", &auth)
        .content_type("application/x-www-form-urlencoded")
        .send(form)
        .unwrap();
    Answer {
        status: r.status().as_u16(),
        retry_after: None,
        body: r.body_mut().read_to_string().unwrap(),
    }
}

fn bearer(fake: &FakeBitbucket) -> String {
    let t = token(
        fake,
        "grant_type=client_credentials",
        "demo-client:demo-client-secret",
    )
    .json();
    format!("Bearer {}", t["access_token"].as_str().unwrap())
}

fn start(workspaces: usize, members: usize) -> FakeBitbucket {
    FakeBitbucket::start(FakeConfig {
        workspaces,
        members,
        ..FakeConfig::default()
    })
    .unwrap()
}

/// Follows `next` from `url`, returning every value's user uuid.
fn walk(url: &str, auth: &str) -> (Vec<String>, Vec<Value>) {
    let mut ids = Vec::new();
    let mut pages = Vec::new();
    let mut next = Some(url.to_string());
    while let Some(u) = next {
        let page = get(&u, Some(auth)).json();
        for v in page["values"].as_array().unwrap() {
            ids.push(v["user"]["uuid"].as_str().unwrap().to_string());
        }
        next = page["next"].as_str().map(String::from);
        pages.push(page);
    }
    (ids, pages)
}

#[test]
fn pages_like_bitbucket() {
    let fake = start(2, 250);
    let auth = bearer(&fake);
    let base = fake.api_base_url();
    // Default pagelen 10; absolute next links; size and page present.
    let first = get(
        &format!("{base}/2.0/workspaces/workspace-000/permissions"),
        Some(&auth),
    )
    .json();
    assert_eq!(first["pagelen"], 10);
    assert_eq!(first["size"], 250);
    assert_eq!(first["page"], 1);
    assert!(first["next"].as_str().unwrap().starts_with(&base));
    assert!(first.get("previous").is_none());
    // pagelen is capped at 100.
    let (ids, pages) = walk(
        &format!("{base}/2.0/workspaces/workspace-000/permissions?pagelen=500"),
        &auth,
    );
    assert_eq!(pages.len(), 3);
    assert!(pages.iter().all(|p| p["pagelen"] == 100));
    assert!(pages.last().unwrap().get("next").is_none());
    // Every member once, in order, matching the truth.
    assert_eq!(ids.len(), 250);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 250);
    let truth = fake.truth();
    assert_eq!(truth.per_workspace["workspace-000"], 250);
    assert!(
        ids.iter()
            .all(|id| truth.users[id].contains("workspace-000"))
    );
    // Beyond the end: an empty page. A bad page number: 400.
    let beyond = get(
        &format!("{base}/2.0/workspaces/workspace-000/members?page=99"),
        Some(&auth),
    )
    .json();
    assert_eq!(beyond["values"].as_array().unwrap().len(), 0);
    assert_eq!(
        get(
            &format!("{base}/2.0/workspaces/workspace-000/members?page=0"),
            Some(&auth)
        )
        .status,
        400
    );
}

#[test]
fn knows_the_truth_about_shared_users() {
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 10,
        members: 300,
        sharing: 0.5,
        ..FakeConfig::default()
    })
    .unwrap();
    let t = fake.truth();
    assert_eq!(t.memberships, 3000);
    // Half the memberships go to a pool of 1,500 users.
    assert!(
        t.unique_users <= 1500 && t.unique_users > 300,
        "{}",
        t.unique_users
    );
    assert_eq!(t.users.values().map(BTreeSet::len).sum::<usize>(), 3000);
}

#[test]
fn scales_to_a_million_memberships() {
    let start = std::time::Instant::now();
    let fake = FakeBitbucket::start(FakeConfig {
        workspaces: 100,
        members: 10_000,
        ..FakeConfig::default()
    })
    .unwrap();
    let auth = bearer(&fake);
    let last = get(
        &format!(
            "{}/2.0/workspaces/workspace-099/permissions?pagelen=100&page=100",
            fake.api_base_url()
        ),
        Some(&auth),
    )
    .json();
    assert_eq!(last["values"].as_array().unwrap().len(), 100);
    assert!(last.get("next").is_none());
    eprintln!("100 x 10,000 ready and served in {:?}", start.elapsed());
}

#[test]
fn checks_credentials_like_bitbucket() {
    use base64::Engine as _;
    let fake = start(1, 3);
    let url = format!("{}/2.0/workspaces/workspace-000", fake.api_base_url());
    let basic = |s: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(s)
        )
    };
    assert_eq!(get(&url, Some(&bearer(&fake))).status, 200);
    assert_eq!(
        get(&url, Some(&basic("admin@example.com:demo-api-token"))).status,
        200
    );
    // App passwords were removed on 2026-07-28.
    assert_eq!(
        get(&url, Some(&basic("demo-admin:demo-app-password"))).status,
        401
    );
    assert_eq!(get(&url, Some("Bearer demo-access-token")).status, 200);
    let plain = get(&url, Some(&basic("admin@example.com:wrong")));
    assert_eq!((plain.status, plain.body.as_str()), (401, "Unauthorized"));
    assert_eq!(get(&url, Some("Bearer demo-api-token")).status, 401);
    let missing = get(&url, None);
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json()["type"], "error");
    let scoped = token(
        &fake,
        "grant_type=client_credentials",
        "repo-only-client:repo-only-secret",
    )
    .json();
    let denied = get(
        &url,
        Some(&format!(
            "Bearer {}",
            scoped["access_token"].as_str().unwrap()
        )),
    );
    assert_eq!(denied.status, 403);
    assert_eq!(
        denied.json()["error"]["detail"]["required"][0],
        "read:workspace:bitbucket"
    );
    // The log says how each request authenticated.
    let kinds: Vec<AuthKind> = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/2.0"))
        .map(|r| r.auth)
        .collect();
    assert!(
        kinds.contains(&AuthKind::Basic)
            && kinds.contains(&AuthKind::Bearer)
            && kinds.contains(&AuthKind::None)
    );
}

#[test]
fn the_token_endpoint_speaks_oauth() {
    let fake = start(1, 1);
    let ok = token(
        &fake,
        "grant_type=client_credentials",
        "demo-client:demo-client-secret",
    );
    let t = ok.json();
    assert_eq!(
        (t["token_type"].as_str(), t["expires_in"].as_i64()),
        (Some("bearer"), Some(7200))
    );
    let refreshed = token(
        &fake,
        &format!(
            "grant_type=refresh_token&refresh_token={}",
            t["refresh_token"].as_str().unwrap()
        ),
        "demo-client:demo-client-secret",
    );
    assert_eq!(refreshed.status, 200);
    let bad = token(
        &fake,
        "grant_type=refresh_token&refresh_token=nope",
        "demo-client:demo-client-secret",
    );
    assert_eq!(
        (bad.status, bad.json()["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let client = token(&fake, "grant_type=client_credentials", "demo-client:nope");
    assert_eq!(
        (client.status, client.json()["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let code = token(
        &fake,
        "grant_type=authorization_code&code=demo-auth-code",
        "demo-client:demo-client-secret",
    );
    assert_eq!(code.status, 200);
    let reused = token(
        &fake,
        "grant_type=authorization_code&code=demo-auth-code",
        "demo-client:demo-client-secret",
    );
    assert_eq!(reused.status, 400, "codes are single use");
}

#[test]
fn tokens_expire_by_lifetime_and_on_demand() {
    let fake = FakeBitbucket::start(FakeConfig {
        token_lifetime: 0,
        ..FakeConfig::default()
    })
    .unwrap();
    let url = format!("{}/2.0/workspaces/workspace-000", fake.api_base_url());
    let expired = get(&url, Some(&bearer(&fake)));
    assert_eq!(expired.status, 401);
    assert!(
        expired.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Access token expired")
    );
    let fake = start(1, 1);
    let auth = bearer(&fake);
    fake.set_faults(Faults {
        expire_tokens_after: Some(2),
        ..Faults::default()
    });
    let statuses: Vec<u16> = (0..4)
        .map(|_| {
            get(
                &url.replace(&url[..url.find("/2.0").unwrap()], &fake.api_base_url()),
                Some(&auth),
            )
            .status
        })
        .collect();
    assert_eq!(statuses, [200, 200, 401, 401]);
    assert_eq!(
        get(
            &format!("{}/2.0/workspaces/workspace-000", fake.api_base_url()),
            Some(&bearer(&fake))
        )
        .status,
        200
    );
}

#[test]
fn injects_rate_limits_server_errors_and_latency() {
    let fake = start(1, 1);
    let auth = bearer(&fake);
    let url = format!("{}/2.0/workspaces/workspace-000", fake.api_base_url());
    fake.set_faults(Faults {
        rate_limit_every: Some(2),
        retry_after: Some(9),
        ..Faults::default()
    });
    let answers: Vec<Answer> = (0..4).map(|_| get(&url, Some(&auth))).collect();
    assert_eq!(
        answers.iter().map(|a| a.status).collect::<Vec<_>>(),
        [200, 429, 200, 429]
    );
    assert_eq!(answers[1].retry_after.as_deref(), Some("9"));
    fake.set_faults(Faults {
        server_error_every: Some((3, 502)),
        ..Faults::default()
    });
    let statuses: Vec<u16> = (0..3).map(|_| get(&url, Some(&auth)).status).collect();
    assert_eq!(statuses, [200, 200, 502]);
    fake.set_faults(Faults {
        rate_limit_for: Some(Duration::from_millis(300)),
        ..Faults::default()
    });
    assert_eq!(get(&url, Some(&auth)).status, 429);
    std::thread::sleep(Duration::from_millis(350));
    assert_eq!(get(&url, Some(&auth)).status, 200);
    fake.set_faults(Faults {
        latency: Duration::from_millis(200),
        ..Faults::default()
    });
    let t = std::time::Instant::now();
    get(&url, Some(&auth));
    assert!(t.elapsed() >= Duration::from_millis(200));
}

#[test]
fn breaks_next_links_on_demand() {
    let fake = start(1, 30);
    let auth = bearer(&fake);
    let url = format!(
        "{}/2.0/workspaces/workspace-000/members?pagelen=10",
        fake.api_base_url()
    );
    let link = |p: &Value| p["next"].as_str().map(String::from);
    fake.set_faults(Faults {
        next: NextFault::Repeat,
        ..Faults::default()
    });
    let p2 = get(&link(&get(&url, Some(&auth)).json()).unwrap(), Some(&auth)).json();
    assert!(link(&p2).unwrap().ends_with("page=1"));
    fake.set_faults(Faults {
        next: NextFault::Foreign(fake.foreign_base_url()),
        ..Faults::default()
    });
    assert!(
        link(&get(&url, Some(&auth)).json())
            .unwrap()
            .starts_with(&fake.foreign_base_url())
    );
    fake.set_faults(Faults {
        next: NextFault::MissingEarly,
        ..Faults::default()
    });
    assert!(link(&get(&url, Some(&auth)).json()).is_none());
    fake.set_faults(Faults {
        next: NextFault::PresentOnLast,
        ..Faults::default()
    });
    let last = get(&format!("{url}&page=3"), Some(&auth)).json();
    let after = get(&link(&last).unwrap(), Some(&auth)).json();
    assert_eq!(after["values"].as_array().unwrap().len(), 0);
    fake.set_faults(Faults {
        duplicate_members: true,
        ..Faults::default()
    });
    let (ids, _) = walk(&url, &auth);
    assert_eq!(ids.len(), 32);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 30);
}

#[test]
fn corrupts_bodies_and_refuses_permissions_on_demand() {
    let fake = start(1, 3);
    let auth = bearer(&fake);
    let url = format!(
        "{}/2.0/workspaces/workspace-000/permissions",
        fake.api_base_url()
    );
    for (fault, check) in [
        (
            BodyFault::MalformedJson,
            Box::new(|a: &Answer| serde_json::from_str::<Value>(&a.body).is_err())
                as Box<dyn Fn(&Answer) -> bool>,
        ),
        (
            BodyFault::Html,
            Box::new(|a: &Answer| a.body.starts_with("<!DOCTYPE html>")),
        ),
        (BodyFault::Empty, Box::new(|a: &Answer| a.body.is_empty())),
        (
            BodyFault::WrongTypes,
            Box::new(|a: &Answer| a.json()["values"].is_object()),
        ),
        (
            BodyFault::NotUtf8,
            Box::new(|a: &Answer| a.body.contains('\u{fffd}') || a.body.len() < 4),
        ),
    ] {
        fake.set_faults(Faults {
            body: fault,
            ..Faults::default()
        });
        let a = get(&url, Some(&auth));
        assert_eq!(a.status, 200);
        assert!(check(&a), "{fault:?}: {}", a.body);
    }
    fake.set_faults(Faults {
        permissions: PermissionsMode::Forbidden,
        ..Faults::default()
    });
    assert_eq!(get(&url, Some(&auth)).status, 403);
    fake.set_faults(Faults {
        permissions: PermissionsMode::ServerError,
        ..Faults::default()
    });
    assert_eq!(get(&url, Some(&auth)).status, 500);
    assert_eq!(
        get(&url.replace("permissions", "members"), Some(&auth)).status,
        200
    );
}

#[test]
fn the_retired_workspaces_listing_answers_410() {
    let fake = start(1, 1);
    let a = get(
        &format!("{}/2.0/workspaces", fake.api_base_url()),
        Some(&bearer(&fake)),
    );
    assert_eq!(a.status, 410);
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("CHANGE-2770")
    );
}

#[test]
fn generated_data_has_the_quirks_of_real_accounts() {
    let fake = start(5, 200);
    let auth = bearer(&fake);
    let mut users = Vec::new();
    let mut memberships = Vec::new();
    for w in 0..5 {
        let (_, pages) = walk(
            &format!(
                "{}/2.0/workspaces/workspace-{w:03}/permissions?pagelen=100",
                fake.api_base_url()
            ),
            &auth,
        );
        for p in pages {
            for v in p["values"].as_array().unwrap() {
                users.push(v["user"].clone());
                memberships.push(v.clone());
            }
        }
    }
    assert!(
        users.iter().any(|u| u.get("username").is_some()),
        "legacy usernames"
    );
    assert!(
        users.iter().any(|u| u.get("has_2fa_enabled").is_none()),
        "missing optional fields"
    );
    assert!(
        users
            .iter()
            .any(|u| u["account_status"] == "inactive" || u["account_status"] == "closed")
    );
    assert!(
        memberships
            .iter()
            .any(|m| m.get("last_accessed").is_none() && m.get("added_on").is_some()),
        "never accessed"
    );
    assert!(
        memberships.iter().any(|m| m.get("added_on").is_none()),
        "moved to admin.atlassian.com"
    );
    let roles: BTreeSet<&str> = memberships
        .iter()
        .map(|m| m["permission"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        BTreeSet::from([
            "collaborator",
            "create-project",
            "member",
            "owner",
            "triage-lead"
        ])
    );
}
