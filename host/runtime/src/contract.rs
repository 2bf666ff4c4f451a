//! What a component must look like: the contract version it targets, and
//! its imports and exports compared with that version's world.

use std::collections::BTreeMap;

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::{ComponentExtern, ComponentItem};

use crate::wit::{ContractVersion, PACKAGE};

/// WASI interfaces a Rust std guest may import (the host links them with an
/// empty context).
pub const ALLOWED_WASI: [&str; 5] = [
    "wasi:cli/",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:filesystem/",
    "wasi:random/",
];

/// An interface and the names of its functions.
pub type Surface = BTreeMap<String, Vec<String>>;

/// A component's imports and exports, read from its own type information.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ComponentSurface {
    /// Imported interfaces and their functions.
    pub imports: Surface,
    /// Exported interfaces and their functions.
    pub exports: Surface,
}

fn items<'a>(engine: &Engine, it: impl Iterator<Item = (&'a str, ComponentExtern<'a>)>) -> Surface {
    it.map(|(name, item)| {
        let funcs = match item.ty {
            ComponentItem::ComponentInstance(inst) => inst
                .exports(engine)
                .filter(|(_, i)| matches!(i.ty, ComponentItem::ComponentFunc(_)))
                .map(|(n, _)| n.to_string())
                .collect(),
            _ => Vec::new(),
        };
        (name.to_string(), funcs)
    })
    .collect()
}

impl ComponentSurface {
    /// Reads a compiled component's surface.
    pub fn of(engine: &Engine, component: &Component) -> Self {
        let ty = component.component_type();
        ComponentSurface {
            imports: items(engine, ty.imports(engine)),
            exports: items(engine, ty.exports(engine)),
        }
    }

    /// The contract version in the component's `connector` export name.
    pub fn contract_version(&self) -> Option<&str> {
        self.exports
            .keys()
            .find_map(|k| k.strip_prefix(&format!("{PACKAGE}/connector@")))
    }
}

fn resolve(version: ContractVersion) -> (wit_parser::Resolve, wit_parser::PackageId) {
    let mut resolve = wit_parser::Resolve::new();
    let pkg = resolve
        .push_str("saas-connector.wit", version.wit_source())
        .expect("the bundled WIT parses");
    (resolve, pkg)
}

/// A contract version's world as its WIT declares it.
pub fn expected_surface(version: ContractVersion) -> ComponentSurface {
    let (resolve, pkg) = resolve(version);
    let world = resolve
        .select_world(&[pkg], Some("saas-connector"))
        .expect("the bundled WIT has the world");
    let surface =
        |items: &wit_parser::IndexMap<wit_parser::WorldKey, wit_parser::WorldItem>| -> Surface {
            items
                .iter()
                .filter_map(|(key, item)| match item {
                    wit_parser::WorldItem::Interface { id, .. } => Some((
                        resolve.name_world_key(key),
                        resolve.interfaces[*id].functions.keys().cloned().collect(),
                    )),
                    _ => None,
                })
                .collect()
        };
    let w = &resolve.worlds[world];
    ComponentSurface {
        imports: surface(&w.imports),
        exports: surface(&w.exports),
    }
}

/// A contract version's interfaces that hold only types: a component
/// imports those it uses.
pub fn type_interfaces(version: ContractVersion) -> Vec<String> {
    let (resolve, pkg) = resolve(version);
    resolve.packages[pkg]
        .interfaces
        .values()
        .filter(|id| resolve.interfaces[**id].functions.is_empty())
        .map(|id| resolve.id_of(*id).expect("a named interface"))
        .collect()
}

/// Differences between a component's surface and its contract version's world.
pub fn world_mismatches(actual: &ComponentSurface, version: ContractVersion) -> Vec<String> {
    let expected = expected_surface(version);
    let types = type_interfaces(version);
    let mut problems = Vec::new();
    for (name, funcs) in &actual.imports {
        if let Some(want) = expected.imports.get(name) {
            for f in funcs {
                if !want.contains(f) {
                    problems.push(format!("import {name} has an unknown function {f}"));
                }
            }
        } else if !ALLOWED_WASI.iter().any(|p| name.starts_with(p)) && !types.contains(name) {
            problems.push(format!(
                "imports {name}, which is neither the contract nor standard WASI"
            ));
        }
    }
    for (name, want) in &expected.exports {
        match actual.exports.get(name) {
            None => problems.push(format!("does not export {name}")),
            Some(funcs) => {
                for f in want.iter().filter(|f| !funcs.contains(f)) {
                    problems.push(format!("export {name} lacks function {f}"));
                }
                for f in funcs.iter().filter(|f| !want.contains(f)) {
                    problems.push(format!("export {name} has an extra function {f}"));
                }
            }
        }
    }
    for name in actual.exports.keys() {
        if !expected.exports.contains_key(name) {
            problems.push(format!(
                "exports {name}, which the contract does not define"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_version_declares_its_own_world() {
        let latest = expected_surface(ContractVersion::V0_2_0);
        assert!(latest.imports.contains_key("saas:connector/http@0.2.0"));
        assert_eq!(
            latest.exports["saas:connector/connector@0.2.0"],
            [
                "info",
                "authenticate",
                "refresh",
                "list-users",
                "compute-status"
            ]
        );
        let old = expected_surface(ContractVersion::V0_1_0);
        assert!(old.imports.contains_key("saas:connector/http@0.1.0"));
        assert!(old.exports.contains_key("saas:connector/groups@0.1.0"));
        assert!(!old.exports.keys().any(|k| k.contains("seats")));
    }
}
