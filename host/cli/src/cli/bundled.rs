//! The connectors built into the command line, each chosen by its name
//! wherever a component's path is taken (`--connector bitbucket-dc`); a
//! file of that name, when one exists, wins.

use std::borrow::Cow;
use std::path::Path;

use saas_runtime::{Connector, Runtime};

/// The Bitbucket Cloud component of this checkout: the default.
pub const BITBUCKET: &[u8] = include_bytes!(env!("BUNDLED_CONNECTOR_WASM"));

/// The Bitbucket Data Center component of this checkout.
pub const BITBUCKET_DC: &[u8] = include_bytes!(env!("BUNDLED_DC_CONNECTOR_WASM"));

/// The host probe of `conform-host`.
pub const PROBE: &[u8] = include_bytes!(env!("BUNDLED_PROBE_WASM"));

/// The bundled connectors by name.
pub const NAMES: [(&str, &[u8]); 2] = [("bitbucket", BITBUCKET), ("bitbucket-dc", BITBUCKET_DC)];

/// What `--connector` names: a bundled component or a file.
enum Choice<'a> {
    Bundled(&'static [u8]),
    File(&'a Path),
}

/// The component `choice` names (none: the default); a name of a bundled
/// one is a file when a file by that name exists.
fn choose(choice: Option<&Path>) -> Choice<'_> {
    let Some(path) = choice else {
        return Choice::Bundled(BITBUCKET);
    };
    let bundled = (!path.exists())
        .then(|| path.to_str())
        .flatten()
        .and_then(|name| NAMES.iter().find(|(n, _)| *n == name));
    match bundled {
        Some((_, wasm)) => Choice::Bundled(wasm),
        None => Choice::File(path),
    }
}

/// The bytes of the component `choice` names: a bundled one or a file.
pub fn read(choice: Option<&Path>) -> anyhow::Result<Cow<'static, [u8]>> {
    use anyhow::Context;
    match choose(choice) {
        Choice::Bundled(wasm) => Ok(Cow::Borrowed(wasm)),
        Choice::File(path) => std::fs::read(path).map(Cow::Owned).with_context(|| {
            format!(
                "reading {} (bundled connectors: bitbucket, bitbucket-dc)",
                path.display()
            )
        }),
    }
}

/// Loads the component `choice` names.
pub fn load(
    runtime: &Runtime,
    choice: Option<&Path>,
) -> Result<Connector, saas_runtime::HostError> {
    match choose(choice) {
        Choice::Bundled(wasm) => runtime.load(wasm),
        Choice::File(path) => runtime.load_file(path),
    }
}
