//! The Atlassian Admin API's JSON, natively: bodies shaped like the
//! examples of `shared/docs/atlassian-admin-api.md` (field names from the
//! organization OpenAPI via jira.js).

use bitbucket_connector::Error;
use bitbucket_connector::admin::wire::{self, OrgWorkspace};
use bitbucket_connector::upstream;
use saas_connector_sdk::http::Response;

fn response(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    }
}

const DAY_2026_06_03: i64 = 1_780_444_800;

#[test]
fn the_users_search_keeps_each_products_entry_and_the_bare_next_cursor() {
    let body = r#"{ "data": [ {
      "accountId": "712020:3f1c", "status": "active", "addedToOrg": "2024-02-11T09:30:00.000Z",
      "email": "dana.rivers@example.com",
      "productAccess": [
        { "key": "bitbucket", "id": "ari:cloud:bitbucket::workspace/470c176d", "lastActiveTimestamp": "2026-06-03T14:22:05Z" },
        { "key": "confluence", "id": "ari:cloud:confluence::site/2f7e1a0c", "lastActiveTimestamp": "2026-11-20T08:01:44Z" } ] },
      { "accountId": "712020:aaaa", "productAccess": null },
      { "name": "no account id: skipped" } ],
      "links": { "self": "Y3VyOjA", "prev": null, "next": "Y3VyOjUw" } }"#;
    let page = wire::users(&response(200, body)).unwrap();
    assert_eq!(page.next.as_deref(), Some("Y3VyOjUw"));
    assert_eq!(page.items.len(), 2);
    let dana = &page.items[0];
    assert_eq!(dana.email.as_deref(), Some("dana.rivers@example.com"));
    assert_eq!(dana.product_access.len(), 2);
    // One workspace's evidence, never the latest over every product.
    let at = wire::last_active_in(
        &dana.product_access,
        "ari:cloud:bitbucket::workspace/470c176d",
    );
    assert_eq!(at, Some(DAY_2026_06_03 + 14 * 3600 + 22 * 60 + 5));
    assert_eq!(
        wire::last_active_in(&dana.product_access, "ari:cloud:bitbucket::workspace/other"),
        None
    );
    assert!(page.items[1].product_access.is_empty());
}

#[test]
fn last_active_dates_fall_back_to_the_plain_date_and_a_v1_next_url_gives_its_cursor() {
    let body = r#"{ "data": { "product_access": [
      { "id": "ari:cloud:bitbucket::workspace/470c176d", "key": "bitbucket", "last_active": "2026-06-03" },
      { "id": "2f7e1a0c", "key": "confluence", "last_active": "2026-05-20", "last_active_timestamp": "2026-05-20T08:01:44Z" } ],
      "added_to_org": "2024-02-11" },
      "links": { "next": "https://api.atlassian.com/admin/v1/orgs/x/users?cursor=QUFBQUFE" } }"#;
    let page = wire::last_active(&response(200, body)).unwrap();
    assert_eq!(page.items[0].1, Some(DAY_2026_06_03));
    assert_eq!(page.next.as_deref(), Some("QUFBQUFE"));
}

#[test]
fn a_workspace_resource_matches_by_uuid_then_url_then_name_and_never_another_product() {
    let ws = OrgWorkspace {
        id: "ari:cloud:bitbucket::workspace/470c176d-3574-44ea-bb41-89e8638bcca4".into(),
        name: Some("Acme Dev".into()),
        host_url: Some("https://bitbucket.org/acme-dev".into()),
        product: Some("bitbucket".into()),
    };
    assert!(ws.is("renamed", "{470C176D-3574-44EA-BB41-89E8638BCCA4}"));
    assert!(ws.is("acme-dev", ""));
    assert!(!ws.is("acme-ops", "{00000000-0000-4000-a000-000000000000}"));
    let confluence = OrgWorkspace {
        product: Some("confluence".into()),
        name: Some("acme-dev".into()),
        ..ws
    };
    assert!(!confluence.is("acme-dev", ""));
}

#[test]
fn admin_errors_are_typed_from_their_status_with_the_code_in_the_message() {
    let body = r#"{ "errors": [ { "id": "b4fc", "status": "404", "code": "ADMIN-404-8",
        "title": "User not found", "detail": "No user with that account id exists in this directory." } ] }"#;
    match upstream::api_error(&response(404, body), "lookup") {
        Error::NotFound(m) => assert!(
            m.contains("ADMIN-404-8") && m.contains("User not found"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    let gateway = r#"{ "timestamp": "2025-06-06T06:03:27.122+00:00", "status": 403, "error": "Forbidden",
        "message": "User has no permission to access resource." }"#;
    match upstream::api_error(&response(403, gateway), "users") {
        Error::Forbidden(m) => assert!(m.contains("no permission"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        upstream::api_error(
            &response(429, r#"{"errors":[{"code":"ADMIN-429-1"}]}"#),
            "x"
        ),
        Error::RateLimited(_)
    ));
    assert!(matches!(
        wire::users(&response(200, "<html>oops</html>")),
        Err(Error::MalformedResponse(_))
    ));
    assert!(matches!(
        wire::users(&response(200, r#"{"data": {"not": "a list"}}"#)),
        Err(Error::MalformedResponse(_))
    ));
}

#[test]
fn dates_read_as_rfc_3339_or_plain_days_and_garbage_is_none() {
    assert_eq!(wire::parse_day_or_time("2026-06-03"), Some(DAY_2026_06_03));
    assert_eq!(
        wire::parse_day_or_time("2026-06-03T00:00:00.000Z"),
        Some(DAY_2026_06_03)
    );
    for bad in ["", "2026-13-01", "2026-06", "yesterday", "2026-06-03-04"] {
        assert_eq!(wire::parse_day_or_time(bad), None, "{bad}");
    }
}
