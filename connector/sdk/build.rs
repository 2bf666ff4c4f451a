//! Finds the newest contract version under `wit/` and generates the
//! bindings for it: the WIT package line is the only place the version is
//! written.

use std::path::{Path, PathBuf};

fn version_of(folder: &Path) -> Option<(Vec<u64>, String)> {
    let world = std::fs::read_to_string(folder.join("world.wit")).ok()?;
    let line = world
        .lines()
        .find(|l| l.trim_start().starts_with("package "))?;
    let version = line
        .split('@')
        .nth(1)?
        .trim()
        .trim_end_matches(';')
        .to_string();
    let key = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    Some((key, version))
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let wit = manifest.join("../../wit");
    println!("cargo:rerun-if-changed={}", wit.display());
    let mut versions: Vec<(Vec<u64>, String, PathBuf)> = std::fs::read_dir(&wit)
        .expect("the workspace's wit/ folder")
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| version_of(&e.path()).map(|(k, v)| (k, v, e.path())))
        .collect();
    versions.sort();
    let (_, version, folder) = versions
        .pop()
        .expect("at least one contract version in wit/");
    let folder = folder.canonicalize().expect("the contract folder");
    for entry in std::fs::read_dir(&folder)
        .expect("the contract folder")
        .flatten()
    {
        println!("cargo:rerun-if-changed={}", entry.path().display());
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    std::fs::write(
        out.join("contract.rs"),
        format!(
            "/// The contract version this SDK builds connectors against.\n\
             pub const CONTRACT_VERSION: &str = {version:?};\n\n\
             /// The generated bindings. Private to the SDK: connectors use the\n\
             /// re-exports at the crate root.\n\
             #[doc(hidden)]\n\
             pub mod __bindings {{\n\
             wit_bindgen::generate!({{\n\
                 path: {folder:?},\n\
                 world: \"saas-connector\",\n\
                 pub_export_macro: true,\n\
                 export_macro_name: \"export\",\n\
                 default_bindings_module: \"saas_connector_sdk::__bindings\",\n\
                 additional_derives: [PartialEq, Eq],\n\
             }});\n\
             }}\n"
        ),
    )
    .expect("write the bindings");
}
