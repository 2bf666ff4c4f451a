//! Checkpoint files as a crash, a disk or a person may leave them: any
//! bytes give the committed pages or a reason to refuse, never a panic,
//! and what reads back is a prefix of whole lines.

#![no_main]

use libfuzzer_sys::fuzz_target;
use saas_host_files::checkpoint::{FORMAT, Header, read};

fuzz_target!(|data: &[u8]| {
    let expected = Header {
        format: FORMAT.into(),
        connector: "bitbucket".into(),
        contract: "0.2.0".into(),
        component_sha256: "ab".repeat(32),
        settings_sha256: "cd".repeat(32),
    };
    // As found, and behind the expected header (to reach the pages).
    let mut behind = format!("{}\n", expected.line()).into_bytes();
    behind.extend_from_slice(data);
    for bytes in [data, behind.as_slice()] {
        if let Ok(contents) = read(bytes, &expected) {
            assert!(contents.whole <= bytes.len());
            assert!(contents.whole == 0 || bytes[contents.whole - 1] == b'\n');
            for page in &contents.pages {
                let line = page.line();
                assert!(serde_json::from_slice::<serde_json::Value>(&line).is_ok());
            }
        }
    }
});
