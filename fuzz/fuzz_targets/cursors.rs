//! Cursors as they come back from a checkpoint file anyone may edit: both
//! connectors decode any text to a cursor of theirs or `invalid-cursor`,
//! and a Cloud cursor that decodes only holds links on the API's origin.

#![no_main]

use bitbucket_connector::cursor::Cursor;
use bitbucket_connector::endpoints::{Config, Endpoints};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let config = Config {
        api_base_url: Some("https://api.bitbucket.example".into()),
        ..Config::default()
    };
    let endpoints = Endpoints::new(&config).expect("a valid config");
    if let Ok(cursor) = Cursor::decode(text, &endpoints, config.listing_hash()) {
        // What decodes re-encodes and decodes to itself.
        let again = Cursor::decode(&cursor.encode(), &endpoints, config.listing_hash());
        assert_eq!(again.ok(), Some(cursor));
    }
    // The same bytes as a cursor's JSON, checksummed as the connector would.
    if let Ok(cursor) = serde_json::from_slice::<Cursor>(data) {
        let _ = Cursor::decode(&cursor.encode(), &endpoints, config.listing_hash());
    }
    let _ = bitbucket_dc_connector::cursor::Cursor::decode(text, "https://bitbucket.example");
});
