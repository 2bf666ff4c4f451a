//! The on-disk cache of compiled components, keyed by the wasm's SHA-256
//! and wasmtime's compatibility hash, so a second start does not compile.
//! Bounded: each new entry evicts all but the [`KEEP`] most recently used,
//! so upgrades of a connector or of the host do not pile up forever.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

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

/// Entries the cache keeps: every connector and version an operator runs
/// at once, with room to spare (a compiled connector is a few MB).
pub const KEEP: usize = 32;

/// A writer's temporary file this old is a leftover of a process that died.
const LEFTOVER: Duration = Duration::from_secs(3600);

/// Removes all but the `keep` most recently used entries (`.cwasm` files,
/// by modification time, which a hit renews) in `dir`, and writers'
/// leftovers (`.tmp<pid>` files older than an hour). Other files are left
/// alone. Returns how many files went.
pub fn evict(dir: &Path, keep: usize) -> std::io::Result<usize> {
    let now = SystemTime::now();
    let mut entries = Vec::new();
    let mut removed = 0;
    for file in std::fs::read_dir(dir)? {
        let file = file?;
        let path = file.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let Ok(used) = file.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        if ext == "cwasm" {
            entries.push((used, path));
        } else if ext.starts_with("tmp")
            && now.duration_since(used).is_ok_and(|age| age > LEFTOVER)
            && std::fs::remove_file(&path).is_ok()
        {
            removed += 1;
        }
    }
    entries.sort_by_key(|(used, _)| std::cmp::Reverse(*used));
    for (_, path) in entries.iter().skip(keep) {
        if std::fs::remove_file(path).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Marks an entry as used now, so that eviction keeps it; a cache that
/// cannot be written to is still read.
fn renew(path: &Path) {
    let touched = std::fs::File::options()
        .append(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()));
    if let Err(e) = touched {
        tracing::debug!("could not mark {} as used: {e}", path.display());
    }
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
            Ok(c) => {
                renew(&path);
                return Ok((c, Origin::Cached));
            }
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
    match evict(dir, KEEP) {
        Ok(0) => {}
        Ok(n) => tracing::debug!("evicted {n} old files from the compile cache"),
        Err(e) => tracing::warn!("could not trim the compile cache {}: {e}", dir.display()),
    }
    Ok((component, Origin::Compiled))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, name: &str, age_secs: u64) {
        let path = dir.join(name);
        std::fs::write(&path, b"x").unwrap();
        let f = std::fs::File::options().append(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(age_secs))
            .unwrap();
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|f| f.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn eviction_keeps_the_most_recently_used_entries_and_other_files() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..6 {
            // e0 was used last, e5 first.
            file(dir.path(), &format!("e{i}.cwasm"), 60 * (i + 1));
        }
        file(dir.path(), "e9.tmp123", 2 * 3600);
        file(dir.path(), "e8.tmp456", 60);
        file(dir.path(), "notes.txt", 10 * 86_400);
        assert_eq!(evict(dir.path(), 3).unwrap(), 4);
        let kept = ["e0.cwasm", "e1.cwasm", "e2.cwasm", "e8.tmp456", "notes.txt"];
        assert_eq!(names(dir.path()), kept);
        // Renewed, the oldest kept entry outlives a newer one.
        renew(&dir.path().join("e2.cwasm"));
        assert_eq!(evict(dir.path(), 2).unwrap(), 1);
        let kept = ["e0.cwasm", "e2.cwasm", "e8.tmp456", "notes.txt"];
        assert_eq!(names(dir.path()), kept);
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        assert!(evict(&dir.path().join("gone"), KEEP).is_err());
    }
}
