//! A test connector for Cirrus Chat, an imaginary SaaS, and the proof that
//! a connector author can write a scenario from the README alone
//! (`tests/scenarios/cirrus`). Unlike the README's Nimbus example it trades
//! an OAuth client for tokens (and renews them), pages by next links with a
//! total, and resumes from sealed cursors.
//!
//! Its API: `POST {base-url}/oauth/token` (form `grant_type=
//! client_credentials`, `client_id`, `client_secret`) answers
//! `{"access_token", "expires_in"}`; `GET {base-url}/v2/members?limit=N`
//! answers `{"data": [{"user_id", "mail", "full_name", "admin",
//! "suspended", "last_active"}], "total": T, "links": {"next": URL}}`,
//! `next` absent on the last page, `last_active` in Unix seconds.
//!
//! Its `defect` setting builds in one of the defects of [`defect`], for the
//! kit's own tests; the default has none.

pub mod defect;
pub mod groups;
pub mod member;
pub mod paging;
pub mod status;

use saas_connector_sdk::http::{self, HttpClient, Method, Request, Response};
use saas_connector_sdk::log::{self as host_log, Logger};
use saas_connector_sdk::{
    BillingUnit, Capability, Connector, ConnectorError, ConnectorInfo, Coverage, Credential,
    CredentialKind, CredentialSlot, Group, GroupMember, GroupUpdate, ListingProgress, PageStats,
    RequestBudgets, Result, ScopeError, Session, Setting, SettingSpec, SettingType, SettingValue,
    SlotCredential, UnitKind, UnitRef, User, UserPage, credentials, cursor, error, settings,
};
use serde_json::Value;

use defect::Defect;
use paging::State;

/// The connector.
pub struct Cirrus;

use member::SOURCE;
const PAGE: u32 = 3;

fn base_url(config: &[Setting]) -> Result<String> {
    // The defect is read leniently everywhere else; its type is checked
    // here, with the rest of the settings.
    settings::string(config, "defect")?;
    let base = match defect(config) {
        Defect::UncheckedUrl => settings::url(config, "base-url")?,
        _ => settings::base_url(config, "base-url")?,
    };
    base.ok_or_else(|| ConnectorError::InvalidConfig("base-url is required".into()))
}

fn defect(config: &[Setting]) -> Defect {
    settings::string(config, "defect")
        .ok()
        .flatten()
        .map_or(Defect::None, |d| Defect::named(&d))
}

/// The session's state: the token and the client it came from (to renew).
#[derive(serde::Serialize, serde::Deserialize)]
struct Tokens {
    token: String,
    client_id: String,
    client_secret: String,
}

fn tokens(session: &Session) -> Result<Tokens> {
    serde_json::from_str(&session.state)
        .map_err(|_| ConnectorError::InvalidConfig("not a Cirrus session".into()))
}

fn session_of(t: &Tokens) -> Session {
    Session {
        state: serde_json::to_string(t).unwrap_or_default(),
        secrets: [&t.token, &t.client_secret]
            .into_iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect(),
        expires_at: None,
        scopes: Vec::new(),
        principal: None,
        renewed: Vec::new(),
    }
}

fn token(base: &str, client_id: &str, client_secret: &str, defect: Defect) -> Result<Tokens> {
    let form: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", client_id)
        .append_pair("client_secret", client_secret)
        .finish();
    let request = Request::new(Method::Post, format!("{base}/oauth/token"))
        .body("application/x-www-form-urlencoded", form.into_bytes());
    let response = http::client().send(request).map_err(error::from_http)?;
    if defect == Defect::Token401AsUpstream && response.status == 401 {
        return Err(ConnectorError::Upstream(
            saas_connector_sdk::UpstreamError {
                status: 401,
                message: "POST /oauth/token".into(),
            },
        ));
    }
    let refused = response.status == 400 || response.status == 401;
    if refused || (defect == Defect::Token5xxAsRefused && response.status >= 500) {
        return Err(ConnectorError::InvalidCredentials(
            "Cirrus refused the OAuth client".into(),
        ));
    }
    if !response.is_success() {
        return Err(error::from_status(&response, "POST /oauth/token".into()));
    }
    let body: Value = serde_json::from_slice(&response.body)
        .map_err(|e| ConnectorError::MalformedResponse(format!("POST /oauth/token: {e}")))?;
    let token = body["access_token"]
        .as_str()
        .ok_or_else(|| ConnectorError::MalformedResponse("no access_token".into()))?;
    Ok(Tokens {
        token: token.into(),
        client_id: client_id.into(),
        client_secret: client_secret.into(),
    })
}

/// Cirrus's 401 to a personal token: `token_expired`, or refused.
fn personal_refused(response: &Response, defect: Defect) -> ConnectorError {
    let expired = serde_json::from_slice::<Value>(&response.body)
        .is_ok_and(|b| b["error"] == "token_expired");
    if expired && defect != Defect::ExpiredAsInvalid {
        ConnectorError::ExpiredCredentials("the personal token has expired: make a new one".into())
    } else {
        ConnectorError::InvalidCredentials("Cirrus refused the personal token".into())
    }
}

/// A session of a personal token, proved by one cheap request. It cannot
/// be renewed: there is no client to ask with.
fn personal(base: &str, token: &str, defect: Defect) -> Result<Session> {
    let tokens = Tokens {
        token: token.into(),
        client_id: String::new(),
        client_secret: String::new(),
    };
    let response = get(&format!("{base}/v2/members?limit=1"), &tokens, defect)?;
    if response.status == 401 {
        return Err(personal_refused(&response, defect));
    }
    if !response.is_success() {
        return Err(error::from_status(&response, "GET /v2/members".into()));
    }
    Ok(session_of(&tokens))
}

/// Runs `f` with a group client of these settings and session.
fn with_groups<T>(
    config: &[Setting],
    session: &Session,
    f: impl FnOnce(&groups::Groups<'_>) -> Result<T>,
) -> Result<T> {
    let base = base_url(config)?;
    let t = tokens(session)?;
    f(&groups::Groups {
        base: &base,
        token: &t.token,
        defect: defect(config),
    })
}

fn get(url: &str, t: &Tokens, defect: Defect) -> Result<Response> {
    http::client()
        .send(Request::get(url, &format!("Bearer {}", t.token)))
        .map_err(|e| defect::exchange_error(defect, &e).unwrap_or_else(|| error::from_http(e)))
}

/// Cirrus's answer to a token without a scope: 403 with
/// `{"error": "insufficient_scope", "required_scopes": [...]}`.
fn lacks_scope(response: &Response, url: &str) -> Option<ConnectorError> {
    let body: Value = serde_json::from_slice(&response.body).ok()?;
    if response.status != 403 || body["error"] != "insufficient_scope" {
        return None;
    }
    let required = body["required_scopes"].as_array()?;
    Some(ConnectorError::InsufficientScope(ScopeError {
        required: required
            .iter()
            .filter_map(|s| Some(s.as_str()?.to_string()))
            .collect(),
        granted: Vec::new(),
        message: format!("GET {url}: the token lacks a scope"),
    }))
}

fn refuse(response: &Response, url: &str, defect: Defect, token: &str) -> ConnectorError {
    let scope = lacks_scope(response, url).filter(|_| defect != Defect::ScopeAsForbidden);
    let error = scope
        .or_else(|| defect::page_error(defect, response, url))
        .unwrap_or_else(|| error::from_status(response, format!("GET {url}")));
    match (defect, error) {
        (Defect::TokenInErrors, ConnectorError::Upstream(mut u)) => {
            u.message = format!("{} (with token {token})", u.message);
            ConnectorError::Upstream(u)
        }
        (_, error) => error,
    }
}

impl Connector for Cirrus {
    fn info() -> ConnectorInfo {
        ConnectorInfo {
            name: "cirrus".into(),
            version: "1.0.0-rc.1".into(),
            contract_version: saas_connector_sdk::CONTRACT_VERSION.into(),
            description: "Cirrus Chat (an imaginary SaaS): members, last active, seats.".into(),
            settings: vec![
                SettingSpec::new("base-url", SettingType::Url, "Where the Cirrus API is.")
                    .default(SettingValue::Url("https://api.cirrus-chat.example".into())),
                SettingSpec::new(
                    "defect",
                    SettingType::String,
                    "Test only: one defect to build in.",
                ),
            ],
            credential_slots: vec![
                CredentialSlot::new(
                    "cirrus",
                    &[
                        CredentialKind::OauthClientCredentials,
                        CredentialKind::BearerToken,
                    ],
                    "A Cirrus OAuth client, or a personal token.",
                )
                .required(),
            ],
            capabilities: vec![
                Capability::Refresh,
                Capability::ResumableListing,
                Capability::GroupRead,
                Capability::GroupWrite,
            ],
            budgets: RequestBudgets {
                requests_per_hour: Some(3_600),
                max_concurrency: Some(2),
            },
        }
    }

    fn authenticate(config: &[Setting], given: &[SlotCredential]) -> Result<Session> {
        let base = base_url(config)?;
        let client = match credentials::require(given, "cirrus") {
            Ok(Credential::OauthClientCredentials(c)) => c.clone(),
            Ok(Credential::BearerToken(token)) if defect(config) != Defect::BearerRefused => {
                return personal(&base, token, defect(config));
            }
            Ok(_) => {
                return Err(ConnectorError::InvalidConfig(
                    "cirrus takes an OAuth client".into(),
                ));
            }
            Err(_) if defect(config) == Defect::NoCredentialCheck => {
                saas_connector_sdk::OauthClient {
                    client_id: String::new(),
                    client_secret: String::new(),
                }
            }
            Err(e) => return Err(e),
        };
        let tokens = token(
            &base,
            &client.client_id,
            &client.client_secret,
            defect(config),
        )?;
        if defect(config) == Defect::RefuseValid {
            return Err(ConnectorError::InvalidCredentials("no".into()));
        }
        Ok(session_of(&tokens))
    }

    fn compute_status(
        listing: &saas_connector_sdk::Listing,
        policy: &saas_connector_sdk::Policy,
    ) -> Result<saas_connector_sdk::StatusReport> {
        Ok(status::compute(listing, policy))
    }

    fn list_groups(config: &[Setting], session: &Session, scope: &str) -> Result<Vec<Group>> {
        with_groups(config, session, |g| g.list(scope))
    }

    fn get_group(config: &[Setting], session: &Session, group: &str) -> Result<Group> {
        with_groups(config, session, |g| g.get(group))
    }

    fn create_group(
        config: &[Setting],
        session: &Session,
        scope: &str,
        name: &str,
    ) -> Result<Group> {
        with_groups(config, session, |g| g.create(scope, name))
    }

    fn update_group(
        config: &[Setting],
        session: &Session,
        group: &str,
        update: &GroupUpdate,
    ) -> Result<Group> {
        with_groups(config, session, |g| g.update(group, update))
    }

    fn delete_group(config: &[Setting], session: &Session, group: &str) -> Result<()> {
        with_groups(config, session, |g| g.delete(group))
    }

    fn list_members(
        config: &[Setting],
        session: &Session,
        group: &str,
    ) -> Result<Vec<GroupMember>> {
        with_groups(config, session, |g| g.members(group))
    }

    fn add_member(config: &[Setting], _: &Session, _: &str, _: &str) -> Result<()> {
        if defect(config) == Defect::MembershipAnswerEmpty {
            return Ok(());
        }
        Err(error::unsupported("add-member"))
    }

    fn refresh(config: &[Setting], session: &Session) -> Result<Session> {
        let t = tokens(session)?;
        Ok(session_of(&token(
            &base_url(config)?,
            &t.client_id,
            &t.client_secret,
            defect(config),
        )?))
    }

    fn list_users(config: &[Setting], session: &Session, from: Option<&str>) -> Result<UserPage> {
        let (base, defect) = (base_url(config)?, defect(config));
        let mut state = match from {
            Some(text) => State::from_cursor(text, &base, defect)?,
            None => State {
                base: base.clone(),
                next: format!("{base}/v2/members?limit={PAGE}"),
                visited: Vec::new(),
                listed: 0,
                total: None,
                token: None,
                session: None,
            },
        };
        defect::misbehave(defect);
        let mut t = tokens(session)?;
        let bound = cursor::checksum(t.token.as_bytes());
        if state.session.is_some_and(|s| s != bound) {
            return Err(ConnectorError::InvalidCursor(
                "a cursor of another session".into(),
            ));
        }
        if defect == Defect::LogToken {
            host_log::logger().debug(&format!("listing with token {}", t.token));
        }
        if defect == Defect::PhoneHome {
            let _ = get("https://telemetry.cirrus-chat.example/ping", &t, defect);
        }
        let (mut requests, mut renewed) = (1, None);
        let mut response = get(&state.next, &t, defect)?;
        if response.status == 401 && t.client_id.is_empty() {
            // A personal token: nothing to renew it with.
            return Err(personal_refused(&response, defect));
        }
        if response.status == 401 {
            let stale = t.token.clone();
            t = token(&base, &t.client_id, &t.client_secret, defect)?;
            requests += 2;
            if defect == Defect::StaleToken {
                let old = Tokens {
                    token: stale,
                    client_id: t.client_id.clone(),
                    client_secret: t.client_secret.clone(),
                };
                let _ = get(&state.next, &old, defect);
            }
            response = get(&state.next, &t, defect)?;
            renewed = Some(session_of(&t));
        }
        let last_page = state.listed + u64::from(PAGE) >= state.total.unwrap_or(u64::MAX);
        if defect == Defect::DropFailedLastPage && response.status >= 500 && last_page {
            return Ok(UserPage {
                users: Vec::new(),
                units: Vec::new(),
                coverage: Vec::new(),
                next_cursor: None,
                progress: ListingProgress {
                    units_done: 1,
                    units_total: Some(1),
                    memberships_listed: state.listed,
                    memberships_total: state.total,
                },
                session: renewed,
                stats: PageStats {
                    requests,
                    duplicates_dropped: 0,
                },
            });
        }
        if !response.is_success() {
            return Err(refuse(&response, &state.next, defect, &t.token));
        }
        let empty_end = defect::unreadable_is_end(defect, &response.body);
        if defect == Defect::TrapOnMalformed
            && serde_json::from_slice::<Value>(&response.body).is_err()
        {
            panic!("the page is not JSON");
        }
        let body: Value = if empty_end {
            serde_json::json!({ "data": [], "total": state.listed })
        } else {
            serde_json::from_slice(&response.body).map_err(|e| {
                ConnectorError::MalformedResponse(format!("GET {}: {e}", state.next))
            })?
        };
        let unit = UnitRef {
            kind: UnitKind::Workspace,
            id: base.clone(),
            key: member::UNIT_KEY.into(),
        };
        let as_object: Vec<Value>;
        let items = match (&body["data"], defect) {
            (Value::Array(items), _) => items,
            (Value::Object(m), Defect::ObjectItems) => {
                as_object = m
                    .values()
                    .flat_map(|v| v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]))
                    .collect();
                &as_object
            }
            _ => return Err(ConnectorError::MalformedResponse("no data array".into())),
        };
        if defect == Defect::EmptyPageMalformed && items.is_empty() {
            return Err(ConnectorError::MalformedResponse(
                "a page without members".into(),
            ));
        }
        let mut users: Vec<User> = Vec::new();
        let mut ids = std::collections::BTreeSet::new();
        for item in items {
            let user = member::member(item, &unit, defect == Defect::DropEmail)?;
            if ids.insert(user.id.clone()) {
                users.push(user);
            }
        }
        let dropped = (items.len() - users.len()) as u32;
        let total = body["total"].as_u64();
        state.total = total;
        state.listed += users.len() as u64;
        state.visited.push(cursor::checksum(state.next.as_bytes()));
        let wrapped = defect == Defect::RepeatIsEnd && dropped > 0;
        let next = match body["links"]["next"].as_str().filter(|_| !wrapped) {
            Some(next) => {
                paging::check_next(next, &base, &state, defect)?;
                state.next = if defect == Defect::BuildNextUrl {
                    let page = state.visited.len() + 1;
                    format!("{base}/v2/members?limit={PAGE}&page={page}")
                } else {
                    next.to_string()
                };
                true
            }
            None if defect != Defect::IgnoreTotal
                && !wrapped
                && total.is_some_and(|t| t > state.listed) =>
            {
                return Err(ConnectorError::Pagination(format!(
                    "the last page came after {} of {} members",
                    state.listed,
                    total.unwrap_or_default()
                )));
            }
            None => false,
        };
        if defect == Defect::TokenInCursor {
            state.token = Some(t.token.clone());
        }
        Ok(UserPage {
            progress: ListingProgress {
                units_done: u32::from(!next),
                units_total: Some(1),
                memberships_listed: state.listed,
                memberships_total: total,
            },
            units: vec![BillingUnit {
                unit: unit.clone(),
                name: Some(status::unit_name(
                    settings::string(config, "defect").ok().flatten().as_deref(),
                )),
                created_at: None,
                seats: None,
            }],
            coverage: vec![Coverage {
                source: SOURCE.into(),
                unit_id: unit.id.clone(),
            }],
            users,
            next_cursor: next.then(|| {
                if defect == Defect::SessionBoundCursor {
                    state.session = Some(cursor::checksum(t.token.as_bytes()));
                }
                state.to_cursor(defect)
            }),
            session: renewed,
            stats: PageStats {
                requests: if defect == Defect::UncountedRequests {
                    0
                } else {
                    requests
                },
                duplicates_dropped: dropped,
            },
        })
    }
}

saas_connector_sdk::register_connector!(Cirrus);
