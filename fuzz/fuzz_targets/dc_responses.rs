//! Bitbucket Data Center answers: any body goes through the page envelope,
//! the paging rule and every item reader. Each must return a value or a
//! typed error, never panic.

#![no_main]

use bitbucket_dc_connector::{paging, wire};
use libfuzzer_sys::fuzz_target;
use saas_connector_sdk::http::Response;

fuzz_target!(|data: &[u8]| {
    let (start, body) = match data.split_first() {
        Some((s, rest)) => (u32::from(*s) * 25, rest),
        None => (0, data),
    };
    let response = Response {
        status: 200,
        headers: Vec::new(),
        body: body.to_vec(),
    };
    let _ = wire::error_message(&response);
    let _ = wire::is_authorisation_refusal(&response);
    let Ok(value) = wire::json(&response, "fuzz") else {
        return;
    };
    let _ = wire::License::read(&value);
    if let Ok(page) = wire::page(value, "fuzz") {
        let _ = paging::next(&page, start, "fuzz");
        let _ = wire::items(&page.values, "fuzz", wire::DetailedUser::read);
        let _ = wire::items(&page.values, "fuzz", wire::user_key);
        let _ = wire::items(&page.values, "fuzz", wire::group_name);
        let _ = wire::items(&page.values, "fuzz", |v| wire::grant(v, wire::user_key));
        let _ = wire::items(&page.values, "fuzz", |v| wire::grant(v, wire::group_name));
    }
});
