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

/// The bundled connectors by name.
pub const NAMES: [(&str, &[u8]); 2] = [("bitbucket", BITBUCKET), ("bitbucket-dc", BITBUCKET_DC)];

/// The bundled component `choice` names (none: the default), unless a
/// file by that name exists.
pub fn named(choice: Option<&Path>) -> Option<&'static [u8]> {
    let Some(path) = choice else {
        return Some(BITBUCKET);
    };
    if path.exists() {
        return None;
    }
    let name = path.to_str()?;
    NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, wasm)| *wasm)
}

/// The bytes of the component `choice` names: a bundled one or a file.
pub fn read(choice: Option<&Path>) -> anyhow::Result<Cow<'static, [u8]>> {
    use anyhow::Context;
    match (named(choice), choice) {
        (Some(wasm), _) => Ok(Cow::Borrowed(wasm)),
        (None, Some(path)) => std::fs::read(path).map(Cow::Owned).with_context(|| {
            format!(
                "reading {} (bundled connectors: bitbucket, bitbucket-dc)",
                path.display()
            )
        }),
        (None, None) => unreachable!("no choice is the default"),
    }
}

/// Loads the component `choice` names.
pub fn load(
    runtime: &Runtime,
    choice: Option<&Path>,
) -> Result<Connector, saas_runtime::HostError> {
    match (named(choice), choice) {
        (Some(wasm), _) => runtime.load(wasm),
        (None, Some(path)) => runtime.load_file(path),
        (None, None) => runtime.load(BITBUCKET),
    }
}
