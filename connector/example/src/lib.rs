//! A connector for Nimbus Notes, an imaginary SaaS: the README's
//! walk-through of the SDK, compiled and run by the tests.
//!
//! Its API: `GET {base-url}/api/v1/account` answers
//! `{"seats": {"purchased": 50, "used": 3}}`, and
//! `GET {base-url}/api/v1/members?page=N` answers
//! `{"members": [{"id", "email", "name", "role", "last_seen"}], "next_page": N | null}`
//! with `last_seen` in Unix seconds. Both take `Authorization: Bearer <token>`.

use saas_connector_sdk::http::{self, HttpClient, Request, Response};
use saas_connector_sdk::{
    AccessLevel, AccountState, AccountStatus, BillingUnit, Connector, ConnectorError,
    ConnectorInfo, Coverage, Credential, CredentialKind, CredentialSlot, Evidence, EvidenceKind,
    ListingProgress, Membership, PageStats, RequestBudgets, Result, SeatFacts, Session, Setting,
    SettingSpec, SettingType, SettingValue, SlotCredential, UnitKind, UnitRef, User, UserPage,
    credentials, cursor, error, settings,
};
use serde_json::Value;

/// The connector. It keeps no state: every call gets what it needs.
pub struct Nimbus;

const SOURCE: &str = "nimbus-last-seen";

fn base_url(config: &[Setting]) -> Result<String> {
    settings::base_url(config, "base-url")?
        .ok_or_else(|| ConnectorError::InvalidConfig("base-url is required".into()))
}

fn get(base: &str, session: &Session, path: &str) -> Result<Value> {
    let request = Request::get(
        format!("{base}{path}"),
        &format!("Bearer {}", session.state),
    );
    let response: Response = http::client().send(request).map_err(error::from_http)?;
    // Nimbus says why it refuses a token: an expired one cannot be renewed
    // here (a bearer token has no refresh), so the user must renew it.
    if response.status == 401 && String::from_utf8_lossy(&response.body).contains("expired") {
        return Err(ConnectorError::ExpiredCredentials(format!(
            "GET {path}: the Nimbus token has expired"
        )));
    }
    if !response.is_success() {
        return Err(error::from_status(&response, format!("GET {path}")));
    }
    serde_json::from_slice(&response.body)
        .map_err(|e| ConnectorError::MalformedResponse(format!("GET {path}: {e}")))
}

fn member(v: &Value, unit: &UnitRef) -> Option<User> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    let role = text("role");
    Some(User {
        id: text("id")?,
        account_id: None,
        email: text("email"),
        display_name: text("name"),
        username: None,
        status: AccountStatus {
            upstream: None,
            state: AccountState::Unknown,
        },
        mfa_enabled: None,
        created_at: None,
        memberships: vec![Membership {
            unit: unit.clone(),
            level: Some(match role.as_deref() {
                Some("admin") => AccessLevel::Admin,
                _ => AccessLevel::Member,
            }),
            role,
            billable: true,
            billable_reason: "every Nimbus member holds a seat".into(),
            added_at: None,
            evidence: v
                .get("last_seen")
                .and_then(Value::as_i64)
                .map(|at| Evidence {
                    source: SOURCE.into(),
                    kind: EvidenceKind::Web,
                    at,
                })
                .into_iter()
                .collect(),
            evidence_gap: None,
        }],
    })
}

impl Connector for Nimbus {
    fn info() -> ConnectorInfo {
        ConnectorInfo {
            name: "nimbus".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract_version: saas_connector_sdk::CONTRACT_VERSION.into(),
            description: "Nimbus Notes (an imaginary SaaS): members, last seen, seats.".into(),
            settings: vec![
                SettingSpec::new("base-url", SettingType::Url, "Where the Nimbus API is.")
                    .default(SettingValue::Url("https://api.nimbus-notes.example".into())),
            ],
            credential_slots: vec![
                CredentialSlot::new("nimbus", &[CredentialKind::BearerToken], "An API token.")
                    .required(),
            ],
            // Page numbers shift when members join, so a cursor (a page
            // number) does not survive a restart: no resumable-listing.
            // Nothing else optional is implemented either.
            capabilities: Vec::new(),
            budgets: RequestBudgets {
                requests_per_hour: Some(3_600),
                max_concurrency: Some(4),
            },
        }
    }

    fn authenticate(config: &[Setting], given: &[SlotCredential]) -> Result<Session> {
        let Credential::BearerToken(token) = credentials::require(given, "nimbus")? else {
            return Err(ConnectorError::InvalidConfig(
                "nimbus takes a bearer token".into(),
            ));
        };
        let session = Session {
            state: token.clone(),
            secrets: Vec::new(),
            expires_at: None,
            scopes: Vec::new(),
            principal: None,
            renewed: Vec::new(),
        };
        get(&base_url(config)?, &session, "/api/v1/account")?;
        Ok(session)
    }

    fn list_users(config: &[Setting], session: &Session, cursor: Option<&str>) -> Result<UserPage> {
        let base = base_url(config)?;
        let unit = UnitRef {
            kind: UnitKind::Workspace,
            id: base.clone(),
            key: "nimbus".into(),
        };
        // The cursor is the next page's number, sealed with the base URL it
        // belongs to: a damaged cursor, or one made for another Nimbus, is
        // refused before any request.
        let page: u32 = match cursor {
            None => 1,
            Some(c) => cursor::open(c)
                .and_then(|state| String::from_utf8(state).ok())
                .and_then(|state| {
                    let (made_for, page) = state.rsplit_once('#')?;
                    (made_for == base).then(|| page.parse().ok())?
                })
                .ok_or_else(|| {
                    ConnectorError::InvalidCursor("not a Nimbus cursor of this base URL".into())
                })?,
        };
        let mut units = Vec::new();
        if page == 1 {
            let account = get(&base, session, "/api/v1/account")?;
            let seat = |k: &str| {
                account["seats"][k]
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
            };
            units.push(BillingUnit {
                unit: unit.clone(),
                name: Some("Nimbus Notes".into()),
                created_at: None,
                seats: Some(SeatFacts {
                    purchased: seat("purchased"),
                    used: seat("used"),
                    unlimited: false,
                }),
            });
        }
        let body = get(&base, session, &format!("/api/v1/members?page={page}"))?;
        let users: Vec<User> = body["members"]
            .as_array()
            .ok_or_else(|| ConnectorError::MalformedResponse("no members array".into()))?
            .iter()
            .filter_map(|m| member(m, &unit))
            .collect();
        // A next page that does not follow this one would list pages again
        // (or forever): the upstream broke its paging.
        let next = match body["next_page"].as_u64() {
            Some(n) if n <= u64::from(page) => {
                return Err(ConnectorError::Pagination(format!(
                    "page {page} names page {n} as the next"
                )));
            }
            next => next,
        };
        Ok(UserPage {
            progress: ListingProgress {
                units_done: u32::from(next.is_none()),
                units_total: Some(1),
                memberships_listed: users.len() as u64,
                memberships_total: None,
            },
            users,
            units,
            // Nimbus reports last_seen for everyone it has seen: it covers the unit.
            coverage: vec![Coverage {
                source: SOURCE.into(),
                unit_id: unit.id,
            }],
            next_cursor: next.map(|n| cursor::seal(format!("{base}#{n}").as_bytes())),
            session: None,
            stats: PageStats {
                requests: 1 + u32::from(page == 1),
                duplicates_dropped: 0,
            },
        })
    }
}

saas_connector_sdk::register_connector!(Nimbus);
