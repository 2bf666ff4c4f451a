//! What the native tests share: the SDK's real HTTP client over loopback
//! (so the same code the component runs is tested against the fake
//! Bitbucket) and a logger that remembers its lines.

#[allow(dead_code, reason = "each test crate uses a part")]
pub mod listing;

use std::sync::Mutex;

pub use saas_connector_sdk::http::NativeHttp as Native;
use saas_connector_sdk::log::Logger;

/// Remembers log lines.
#[derive(Default)]
pub struct Lines(pub Mutex<Vec<String>>);

impl Logger for Lines {
    fn warn(&self, m: &str) {
        self.0.lock().unwrap().push(m.to_string());
    }
    fn debug(&self, m: &str) {
        self.0.lock().unwrap().push(m.to_string());
    }
    fn progress(&self, _: u64, _: Option<u64>, _: &str) {}
}
