//! The settings file as an operator may write it: any text parses to
//! settings or an error naming what is wrong, never a panic.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use saas_host_files::config_file::parse;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse(text, Path::new("/etc/saas-host"));
    }
});
