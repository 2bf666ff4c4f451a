//! Bitbucket Cloud and Atlassian Admin API answers: any status, headers
//! and body go through every parser the listing, groups and sign-in use.
//! Each must return a value or a typed error, never panic.

#![no_main]

use bitbucket_connector::admin::wire as admin;
use bitbucket_connector::{upstream, wire};
use libfuzzer_sys::fuzz_target;
use saas_connector_sdk::http::Response;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data.split_first() {
        Some((s, rest)) => (200 + u16::from(*s % 4) * 100 + u16::from(*s % 30), rest),
        None => (200, data),
    };
    let response = Response {
        status,
        headers: vec![("retry-after".into(), "7".into())],
        body: body.to_vec(),
    };
    let _ = upstream::api_error(&response, "fuzz");
    let _ = upstream::token_error(&response);
    let _ = wire::token_grant(&response);
    let _ = wire::scope_detail(&response);
    if let Ok(page) = wire::member_page(&response, "fuzz") {
        for entry in &page.values {
            let _ = entry.dated();
            let _ = entry.user("ws", "{ws}", "fuzz");
        }
    }
    if let Ok(account) = wire::parse::<wire::Account>(&response, "fuzz") {
        let _ = account.user("fuzz");
    }
    if let Ok(page) = wire::page(&response, "fuzz") {
        for v in &page.values {
            let _ = wire::discovered_workspace(v);
            let _ = wire::workspace(v, "fuzz");
            let _ = wire::group(v, "ws");
            let _ = wire::group_member(v);
        }
    }
    for parsed in [
        admin::users(&response).map(|p| p.next_cursor(&mut Vec::new(), "fuzz")),
        admin::last_active(&response).map(|p| p.next_cursor(&mut Vec::new(), "fuzz")),
        admin::workspaces(&response).map(|p| p.next_cursor(&mut Vec::new(), "fuzz")),
        admin::groups(&response, "dir").map(|p| p.next_cursor(&mut Vec::new(), "fuzz")),
    ] {
        let _ = parsed;
    }
    let _ = admin::role_resources(&response);
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = wire::parse_time(text);
        let _ = admin::parse_day_or_time(text);
    }
});
