//! The README's example connector (Nimbus Notes, an imaginary SaaS) in the
//! host, against a Nimbus stand-in on loopback: a second API fits the
//! contract, and the SDK's defaults and standard status rules hold for it.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use saas_runtime::egress::{Allowlist, EgressLimits};
use saas_runtime::imports::Io;
use saas_runtime::latest::Setting;
use saas_runtime::latest::{
    Activity, ConnectorError, Credential, Policy, SettingValue, SlotCredential,
};
use saas_runtime::listing::LoopOptions;
use saas_runtime::settings::set_setting;
use saas_runtime::sync::{self, CheckpointAt, SyncRequest};
use saas_runtime::{Config, Connector};
use serde_json::{Value, json};

const TOKEN: &str = "nimbus-test-token";
const NOW: i64 = 1_800_000_000;

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

fn denied() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "bad token"})),
    )
        .into_response()
}

/// Seven members on three pages: five seen lately, one long ago, one never.
fn members(page: u64) -> Value {
    let all: Vec<Value> = (0..7)
        .map(|i| {
            let mut m = json!({"id": format!("n-{i}"), "email": format!("p{i}@nimbus.example"),
                "name": format!("Person {i}"), "role": if i == 0 { "admin" } else { "member" }});
            match i {
                5 => m["last_seen"] = json!(NOW - 400 * 86_400),
                6 => {}
                _ => m["last_seen"] = json!(NOW - 86_400 * i),
            }
            m
        })
        .collect();
    let start = ((page - 1) * 3) as usize;
    let chunk: Vec<Value> = all.iter().skip(start).take(3).cloned().collect();
    json!({"members": chunk, "next_page": if start + 3 < all.len() { json!(page + 1) } else { Value::Null }})
}

/// Starts the stand-in on a loopback port; it lives as long as the test.
fn nimbus() -> String {
    let app = Router::new()
        .route(
            "/api/v1/account",
            get(|h: HeaderMap| async move {
                if !authorised(&h) {
                    return denied();
                }
                Json(json!({"seats": {"purchased": 50, "used": 7}})).into_response()
            }),
        )
        .route(
            "/api/v1/members",
            get(
                |h: HeaderMap, Query(q): Query<std::collections::HashMap<String, u64>>| async move {
                    if !authorised(&h) {
                        return denied();
                    }
                    Json(members(q.get("page").copied().unwrap_or(1))).into_response()
                },
            ),
        );
    let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    base
}

/// I/O allowed to reach only the stand-in, the settings pointing at it
/// and their config.
fn reaching(example: &Connector, base: String) -> (Io, Vec<Setting>, Config) {
    let url = url::Url::parse(&base).unwrap();
    let (io, _) = e2e::io_with(EgressLimits::default(), Allowlist::of_urls([&url]).unwrap());
    let mut settings = Vec::new();
    set_setting(&mut settings, "base-url", SettingValue::Url(base));
    let config = example.config(&settings).unwrap();
    (io, settings, config)
}

fn credentials(token: &str) -> Vec<SlotCredential> {
    vec![SlotCredential {
        slot: "nimbus".into(),
        credential: Credential::BearerToken(token.into()),
    }]
}

#[test]
fn the_example_connector_lists_members_seats_and_evidence_through_the_host() {
    let base = nimbus();
    let example = e2e::runtime().load(&e2e::example()).unwrap();
    let world =
        saas_runtime::contract::world_mismatches(example.surface(), example.contract_version());
    assert!(world.is_empty(), "{world:?}");
    assert!(example.size() <= 300_000, "{} bytes", example.size());
    let (io, settings, config) = reaching(&example, base);

    let options = LoopOptions::default();
    let bad =
        sync::authenticate(&example, &io, &config, &credentials("wrong"), &options).unwrap_err();
    assert!(bad.to_string().contains("invalid-credentials"), "{bad}");

    let listing = sync::list_all(
        &example,
        &io,
        &SyncRequest::new(settings, credentials(TOKEN)),
        &mut |_| {},
    )
    .unwrap();
    assert!(listing.complete, "{:?}", listing.stop);
    assert_eq!(listing.users.len(), 7);
    assert_eq!(listing.stats.steps, 3);
    let policy = Policy {
        as_of: NOW,
        inactive_after_days: 90,
        purchased_seats: None,
    };
    let report = sync::compute_status(&example, &io, &listing, policy).unwrap();
    let count = |a: Activity| report.users.iter().filter(|u| u.activity == a).count();
    assert_eq!(
        (
            count(Activity::Active),
            count(Activity::Inactive),
            count(Activity::NeverActive)
        ),
        (5, 1, 1)
    );
    let unit = &report.seats.per_unit[0];
    assert_eq!(
        (unit.used, unit.purchased, unit.reported_used),
        (7, Some(50), Some(7))
    );
    assert_eq!(report.seats.purchased, Some(50));
    assert_eq!(unit.admins, ["n-0"]);
    let seen = report.users.iter().find(|u| u.user_id == "n-1").unwrap();
    assert_eq!(seen.last_active_source.as_deref(), Some("nimbus-last-seen"));

    // Groups and release-seats are not declared: the SDK's defaults answer.
    let err = example
        .signed_in(&io, &config, &listing.session)
        .list_groups("nimbus")
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Unsupported(_)), "{err:?}");
    let err = example
        .signed_in(&io, &config, &listing.session)
        .release_seats(&["n-5".into()], "nimbus", false)
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Unsupported(_)), "{err:?}");
}

#[test]
fn a_connector_without_resumable_listing_neither_checkpoints_nor_resumes() {
    let base = nimbus();
    let example = e2e::runtime().load(&e2e::example()).unwrap();
    let (io, settings, _) = reaching(&example, base);
    let dir = tempfile::tempdir().unwrap();
    let mut request = SyncRequest::new(settings, credentials(TOKEN));
    request.checkpoint = CheckpointAt::File(dir.path().join("checkpoint"));
    // Nimbus pages by number, which shifts when members join: the example
    // does not declare resumable-listing.
    let listing = sync::list_all(&example, &io, &request, &mut |_| {}).unwrap();
    assert!(listing.complete);
    assert!(!dir.path().join("checkpoint").exists());
    request.resume = true;
    let err = sync::list_all(&example, &io, &request, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("resumable-listing"), "{err}");
}
