//! What the command-line tests share: `saas-host` with a clean environment
//! pointed at a fake Bitbucket.

use std::path::Path;
use std::process::{Command, Stdio};

use fake_bitbucket::FakeBitbucket;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_saas-host");

/// `saas-host` with only `PATH`, cache and state under `home`, and the
/// fake's URLs and OAuth consumer in the environment.
pub fn cmd(fake: &FakeBitbucket, home: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("XDG_CACHE_HOME", home)
        .env("XDG_STATE_HOME", home)
        .env("BITBUCKET_API_BASE_URL", fake.api_base_url())
        .env("BITBUCKET_TOKEN_URL", fake.token_url())
        .env("BITBUCKET_CLIENT_ID", "demo-client")
        .env("BITBUCKET_CLIENT_SECRET", "demo-client-secret")
        .stdin(Stdio::null());
    c
}
