//! Parsing of Bitbucket's JSON and error answers, over bodies shaped like the
//! real API (see fixtures/README.md for where each shape comes from).

use bitbucket_connector::Error;
use bitbucket_connector::{upstream, wire};
use saas_connector_sdk::http::Response;
use saas_connector_sdk::{AccessLevel, AccountState};

fn response(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn parses_the_openapi_permissions_example() {
    let body = response(200, include_str!("fixtures/permissions_example.json"));
    let page = wire::member_page(&body, "t").unwrap();
    let untyped = wire::page(
        &response(200, include_str!("fixtures/permissions_example.json")),
        "t",
    )
    .unwrap();
    assert_eq!(
        (page.size, page.page, page.pagelen, page.next),
        (Some(2), Some(1), Some(10), None)
    );
    assert_eq!(
        (untyped.size, untyped.page, untyped.values.len()),
        (Some(2), Some(1), 2)
    );
    let users: Vec<_> = page
        .values
        .iter()
        .map(|v| v.user("bbworkspace1", "{a15f}", "t").unwrap())
        .collect();
    assert_eq!(users[0].id, "{470c176d-3574-44ea-bb41-89e8638bcca4}");
    let owner = &users[0].memberships[0];
    assert_eq!(
        (owner.role.as_deref(), owner.level),
        (Some("owner"), Some(AccessLevel::Owner))
    );
    assert!(owner.billable);
    assert_eq!(users[1].username.as_deref(), Some("seanaty"));
    assert!(users[1].memberships[0].evidence.is_empty());
}

#[test]
fn parses_todays_fields_and_tolerates_wrong_optional_types() {
    let body = response(200, include_str!("fixtures/permissions_2026.json"));
    let page = wire::member_page(&body, "t").unwrap();
    let ada = page.values[0].user("acme", "{w}", "t").unwrap();
    assert_eq!(ada.username.as_deref(), Some("ada"));
    assert_eq!(ada.mfa_enabled, Some(true));
    assert_eq!(ada.created_at, Some(1_546_300_800));
    assert_eq!(ada.status.state, AccountState::Active);
    let m = &ada.memberships[0];
    assert_eq!(
        (m.role.as_deref(), m.level),
        (Some("collaborator"), Some(AccessLevel::Elevated))
    );
    assert_eq!(
        m.evidence
            .iter()
            .map(|e| (e.source.as_str(), e.at))
            .collect::<Vec<_>>(),
        [(
            wire::PERMISSIONS_SOURCE,
            wire::parse_time("2026-11-01T08:00:00+00:00").unwrap()
        )]
    );
    assert!(m.added_at.is_some());
    let odd = page.values[1].user("acme", "{w}", "t").unwrap();
    assert_eq!(
        (odd.display_name, odd.mfa_enabled, odd.status.upstream),
        (None, None, None)
    );
}

#[test]
fn parses_iso_times_with_and_without_fractions() {
    assert_eq!(
        wire::parse_time("2026-01-01T00:00:00+00:00"),
        Some(1_767_225_600)
    );
    assert_eq!(
        wire::parse_time("2026-01-01T00:00:00.123456+00:00"),
        Some(1_767_225_600)
    );
    assert_eq!(
        wire::parse_time("2026-01-01T01:00:00+01:00"),
        Some(1_767_225_600)
    );
    assert_eq!(wire::parse_time("yesterday"), None);
}

#[test]
fn bad_bodies_are_typed_errors() {
    for body in [
        "",
        "   ",
        "{\"values\": 3}",
        "<!DOCTYPE html><html>oops</html>",
        "{\"values\": [",
        "[]",
    ] {
        let err = wire::member_page(&response(200, body), "members").unwrap_err();
        assert!(
            matches!(err, Error::MalformedResponse(_)),
            "{body:?} gave {err:?}"
        );
    }
    let not_utf8 = Response {
        status: 200,
        headers: vec![],
        body: vec![b'{', 0xff, b'}'],
    };
    assert!(
        matches!(wire::member_page(&not_utf8, "m"), Err(Error::MalformedResponse(m)) if m.contains("UTF-8"))
    );
}

#[test]
fn a_member_without_a_uuid_or_a_user_is_malformed() {
    for entry in [
        r#"{"user": {"display_name": "x"}}"#,
        r#"{"user": {"uuid": ""}}"#,
        r#"{"user": "{u}"}"#,
        r#"{"permission": "owner"}"#,
    ] {
        let v: wire::MemberEntry = serde_json::from_str(entry).unwrap();
        assert!(
            matches!(v.user("w", "{w}", "t"), Err(Error::MalformedResponse(_))),
            "{entry}"
        );
    }
}

#[test]
fn wrongly_typed_fields_read_as_absent_and_escapes_are_decoded() {
    let body = response(
        200,
        r#"{"size": "2", "page": -1, "pagelen": 1.5, "next": 7, "values": [
            {"user": {"uuid": "{a\u00e9}", "display_name": ["x"], "nickname": null,
                      "username": "b\"o", "has_2fa_enabled": "yes",
                      "account_status": {"s": 1}, "created_on": 3},
             "permission": 4, "added_on": "", "last_accessed": false,
             "workspace": {"slug": "w", "links": {"html": [1, 2]}}}
        ]}"#,
    );
    let page = wire::member_page(&body, "t").unwrap();
    assert_eq!(
        (page.size, page.page, page.pagelen, page.next),
        (None, None, None, None)
    );
    let entry = &page.values[0];
    // An empty string is still a date field that is there.
    assert!(entry.dated());
    let user = entry.user("w", "{w}", "t").unwrap();
    assert_eq!(user.id, "{a\u{e9}}");
    assert_eq!(user.username.as_deref(), Some("b\"o"));
    assert_eq!(
        (user.display_name, user.mfa_enabled, user.created_at),
        (None, None, None)
    );
    assert_eq!(user.status.state, AccountState::Unknown);
    let m = &user.memberships[0];
    assert_eq!((m.role.as_deref(), m.level, m.added_at), (None, None, None));
    assert!(m.evidence.is_empty());
}

#[test]
fn an_entry_that_is_not_an_object_is_malformed_without_quoting_it() {
    let err = wire::member_page(
        &response(200, r#"{"values": ["ada@example.com"]}"#),
        "members",
    )
    .unwrap_err();
    let Error::MalformedResponse(message) = err else {
        panic!("{err:?}")
    };
    assert!(message.contains("unexpected shape"), "{message}");
    assert!(!message.contains("ada@"), "{message}");
}

#[test]
fn error_answers_map_to_typed_errors() {
    let expired = response(
        401,
        r#"{"type":"error","error":{"message":"Access token expired. Use your refresh token."}}"#,
    );
    assert!(upstream::is_expired_token(&expired));
    assert!(matches!(
        upstream::api_error(&expired, "x"),
        Error::ExpiredCredentials(_)
    ));
    assert!(!upstream::is_expired_token(&response(401, "Unauthorized")));
    assert!(
        matches!(upstream::api_error(&response(401, "Unauthorized"), "x"), Error::InvalidCredentials(m) if m.contains("Unauthorized"))
    );
    let scope = response(
        403,
        r#"{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"granted":["repository"],"required":["read:workspace:bitbucket"]}}}"#,
    );
    match upstream::api_error(&scope, "x") {
        Error::InsufficientScope(s) => {
            assert_eq!(s.required, ["read:workspace:bitbucket"]);
            assert_eq!(s.granted, ["repository"]);
        }
        other => panic!("{other:?}"),
    }
    let mut limited = response(429, "");
    limited.headers.push(("retry-after".into(), "17".into()));
    assert!(matches!(
        upstream::api_error(&limited, "x"),
        Error::RateLimited(saas_connector_sdk::RateLimit {
            retry_after: Some(17),
            ..
        })
    ));
    assert!(matches!(
        upstream::api_error(&response(404, "{}"), "x"),
        Error::NotFound(_)
    ));
    let gone = response(
        410,
        r#"{"type":"error","error":{"message":"CHANGE-2770 - Functionality has been deprecated"}}"#,
    );
    assert!(
        matches!(upstream::api_error(&gone, "x"), Error::NotFound(message) if message.contains("CHANGE-2770"))
    );
    let html = response(502, "<html><body>Bad gateway</body></html>");
    assert!(
        matches!(upstream::api_error(&html, "x"), Error::Upstream(u) if u.status == 502 && u.message.contains("HTML"))
    );
    let bare = response(500, r#"{"message": "Something went wrong", "id": "abc"}"#);
    assert!(
        matches!(upstream::api_error(&bare, "x"), Error::Upstream(u) if u.message.contains("Something went wrong"))
    );
}

#[test]
fn token_endpoint_errors_map_to_typed_errors() {
    let grant = response(
        400,
        r#"{"error":"invalid_grant","error_description":"Invalid refresh_token"}"#,
    );
    assert!(
        matches!(upstream::token_error(&grant), Error::InvalidCredentials(m) if m.contains("Invalid refresh_token"))
    );
    let client = response(
        401,
        r#"{"error":"invalid_client","error_description":"Invalid OAuth client credentials"}"#,
    );
    assert!(matches!(
        upstream::token_error(&client),
        Error::InvalidCredentials(_)
    ));
    assert!(matches!(
        upstream::token_error(&response(401, "nope")),
        Error::InvalidCredentials(_)
    ));
}

#[test]
fn token_grants_parse_expiry_and_scopes() {
    let ok = response(
        200,
        r#"{"access_token":"at","token_type":"bearer","expires_in":7200,"refresh_token":"rt","scopes":"account team"}"#,
    );
    let g = wire::token_grant(&ok).unwrap();
    assert_eq!(
        (g.expires_in, g.refresh_token.as_deref(), g.scopes.len()),
        (Some(7200), Some("rt"), 2)
    );
    let no_token = response(200, r#"{"token_type":"bearer"}"#);
    assert!(matches!(
        wire::token_grant(&no_token),
        Err(Error::MalformedResponse(_))
    ));
    let huge = response(200, r#"{"access_token":"at","expires_in":1e300}"#);
    assert_eq!(wire::token_grant(&huge).unwrap().expires_in, None);
}
