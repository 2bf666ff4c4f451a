//! Chromium for the report's browser test: Debian's `chromium` package,
//! installed by `apt-get` when the machine lacks it, so that a fresh machine
//! needs nothing installed by hand.

use std::path::Path;
use std::process::Command;

use crate::run_command;

/// Where Debian's package puts the browser; the test looks there too
/// (or at `$CHROMIUM`).
const CHROMIUM: &str = "/usr/bin/chromium";

/// The packages: the browser, and a font so that the screenshot has text.
const PACKAGES: &[&str] = &["chromium", "fonts-dejavu-core"];

/// True when this process runs as root, so that `apt-get` may install.
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Installs Chromium unless `$CHROMIUM` or `/usr/bin/chromium` is there.
pub fn ensure_chromium() -> Result<(), String> {
    if let Some(given) = std::env::var_os("CHROMIUM") {
        return if Path::new(&given).is_file() {
            Ok(())
        } else {
            Err(format!("$CHROMIUM names {given:?}, which is not a file"))
        };
    }
    if Path::new(CHROMIUM).is_file() {
        return Ok(());
    }
    // Without root, `sudo -n` asks no password; it fails at once where one
    // would be needed, and the error says what to do instead.
    let prefix: &[&str] = if is_root() { &[] } else { &["sudo", "-n"] };
    let apt = |args: &[&str]| {
        let mut words = prefix.iter().chain(&["apt-get"]).chain(args);
        let mut command = Command::new(words.next().expect("a program"));
        // Debconf asks nothing, and the packages' scripts do not wait.
        command.args(words).env("DEBIAN_FRONTEND", "noninteractive");
        run_command(&mut command)
    };
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(PACKAGES);
    apt(&["update"]).and_then(|()| apt(&install)).map_err(|e| {
        format!(
            "{e}: the report's browser test needs Chromium; install Debian's `chromium` \
                 package, or set CHROMIUM to a Chromium binary"
        )
    })
}
