//! The on-disk cache of compiled components, keyed by the wasm's SHA-256
//! and wasmtime's compatibility hash, so a second start does not compile.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::HostError;

pub use saas_host_files::sha256_hex;

/// The default cache folder: `$XDG_CACHE_HOME/saas-host` or `~/.cache/saas-host`.
pub fn default_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("saas-host"))
}

/// Where the compiled form of `wasm` for `engine` is kept.
pub fn entry(dir: &Path, engine: &Engine, wasm: &[u8]) -> PathBuf {
    let mut h = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    dir.join(format!("{}-{:016x}.cwasm", sha256_hex(wasm), h.finish()))
}

/// How a component was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Origin {
    /// Compiled now (no cache, or a miss).
    Compiled,
    /// Loaded from the cache.
    Cached,
}

fn compile(engine: &Engine, wasm: &[u8]) -> Result<Component, HostError> {
    Component::from_binary(engine, wasm).map_err(|e| HostError::Load(format!("{e:#}")))
}

/// Loads a component from the cache, or compiles it and fills the cache.
/// Cache failures are not fatal: the component is compiled instead.
pub fn load(
    engine: &Engine,
    dir: Option<&Path>,
    wasm: &[u8],
) -> Result<(Component, Origin), HostError> {
    let Some(dir) = dir else {
        return Ok((compile(engine, wasm)?, Origin::Compiled));
    };
    let path = entry(dir, engine, wasm);
    if path.exists() {
        // SAFETY: the file was written by `Engine::precompile_component` of an
        // engine with the same compatibility hash, into the host's own cache.
        match unsafe { Component::deserialize_file(engine, &path) } {
            Ok(c) => return Ok((c, Origin::Cached)),
            Err(e) => tracing::warn!("ignoring a broken cache entry {}: {e}", path.display()),
        }
    }
    let bytes = engine
        .precompile_component(wasm)
        .map_err(|e| HostError::Load(format!("{e:#}")))?;
    // SAFETY: the bytes come from `precompile_component` of this very engine.
    let component = unsafe { Component::deserialize(engine, &bytes) }
        .map_err(|e| HostError::Load(format!("{e:#}")))?;
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path)
    };
    if let Err(e) = write() {
        tracing::warn!("could not write the compile cache {}: {e}", path.display());
    }
    Ok((component, Origin::Compiled))
}
