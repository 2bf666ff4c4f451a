//! What a component must look like: the contract version it targets, and
//! its imports and exports compared with the `wit/` world.

use std::collections::BTreeMap;

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::{ComponentExtern, ComponentItem};

use crate::bindings::{CONTRACT_VERSION, WIT_SOURCE};

/// The package every contract interface belongs to.
pub const PACKAGE: &str = "saas:connector";

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

/// The contract's world as the WIT declares it.
pub fn expected_surface() -> ComponentSurface {
    let mut resolve = wit_parser::Resolve::new();
    let pkg = resolve
        .push_str("saas-connector.wit", WIT_SOURCE)
        .expect("the bundled WIT parses");
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

/// The contract's interfaces that hold only types (`types`, `access`): a
/// component imports those it uses.
pub fn type_interfaces() -> Vec<String> {
    let mut resolve = wit_parser::Resolve::new();
    let pkg = resolve
        .push_str("saas-connector.wit", WIT_SOURCE)
        .expect("the bundled WIT parses");
    resolve.packages[pkg]
        .interfaces
        .values()
        .filter(|id| resolve.interfaces[**id].functions.is_empty())
        .map(|id| resolve.id_of(*id).expect("a named interface"))
        .collect()
}

/// Whether a component built against `found` can run on this host: same
/// major version, and below 1.0 the same minor version.
pub fn is_compatible(found: &str) -> bool {
    let parse = |v: &str| -> Option<(u64, u64)> {
        let mut parts = v.split(['.', '-', '+']);
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    match (parse(found), parse(CONTRACT_VERSION)) {
        (Some((0, a)), Some((0, b))) => a == b,
        (Some((a, _)), Some((b, _))) => a == b,
        _ => false,
    }
}

/// Differences between a component's surface and the contract's world.
pub fn world_mismatches(actual: &ComponentSurface) -> Vec<String> {
    let expected = expected_surface();
    let mut problems = Vec::new();
    for (name, funcs) in &actual.imports {
        if let Some(want) = expected.imports.get(name) {
            for f in funcs {
                if !want.contains(f) {
                    problems.push(format!("import {name} has an unknown function {f}"));
                }
            }
        } else if !ALLOWED_WASI.iter().any(|p| name.starts_with(p))
            && !type_interfaces().contains(name)
        {
            problems.push(format!(
                "imports {name}, which is neither the contract nor standard WASI"
            ));
        }
    }
    for (name, want) in &expected.exports {
        match actual.exports.get(name) {
            None => problems.push(format!("does not export {name}")),
            Some(funcs) => {
                for f in want {
                    if !funcs.contains(f) {
                        problems.push(format!("export {name} lacks function {f}"));
                    }
                }
                for f in funcs {
                    if !want.contains(f) {
                        problems.push(format!("export {name} has an extra function {f}"));
                    }
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
    fn the_bundled_wit_declares_the_world() {
        let s = expected_surface();
        assert!(s.imports.contains_key("saas:connector/http@0.2.0"));
        assert_eq!(
            s.exports["saas:connector/connector@0.2.0"],
            [
                "info",
                "authenticate",
                "refresh",
                "list-users",
                "compute-status"
            ]
        );
    }

    #[test]
    fn versions_below_one_need_the_same_minor() {
        assert!(is_compatible("0.2.0"));
        assert!(is_compatible("0.2.7"));
        assert!(!is_compatible("0.1.0"));
        assert!(!is_compatible("1.1.0"));
        assert!(!is_compatible("garbage"));
    }
}
