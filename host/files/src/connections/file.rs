//! The index file on disk: readable only by its owner (0600, in a 0700
//! folder), replaced atomically (a temporary file beside it, synced, then
//! renamed over it), and refused when it is of another format version.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Connection, FORMAT, StoreError};

/// The index as it is written.
#[derive(Debug, Serialize, Deserialize)]
struct Index {
    /// [`FORMAT`].
    version: u32,
    /// Every connection.
    #[serde(default, rename = "connection")]
    connections: Vec<Connection>,
}

const HEADER: &str = "# saas-host connections, written by `saas-host connect` and renewed by \
every run.\n# Secret: readable by its owner only. `saas-host disconnect` removes an entry.\n";

/// Creates the folder (and its parents) when missing, owner-only.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Opens (creating) a file readable by its owner only.
pub fn open_private(path: &Path) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// The connections of the index at `path`; none when it does not exist.
pub fn read_index(path: &Path) -> Result<Vec<Connection>, StoreError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(StoreError::Io {
                what: "reading",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    // The parser's message may quote a line, and lines hold secrets.
    let index: Index = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(" at byte {}", s.start))
            .unwrap_or_default();
        StoreError::Format(format!("not a valid index{at}"), path.to_path_buf())
    })?;
    if index.version != FORMAT {
        return Err(StoreError::Format(
            format!("format {} (this saas-host reads {FORMAT})", index.version),
            path.to_path_buf(),
        ));
    }
    Ok(index.connections)
}

/// Replaces the index at `path` with `connections`, atomically, 0600.
pub fn write_index(path: &Path, connections: &[Connection]) -> Result<(), StoreError> {
    let index = Index {
        version: FORMAT,
        connections: connections.to_vec(),
    };
    let io = |source| StoreError::Io {
        what: "writing",
        path: path.to_path_buf(),
        source,
    };
    let body = toml::to_string(&index)
        .map_err(|e| StoreError::Format(e.to_string(), path.to_path_buf()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir).map_err(io)?;
    // tempfile creates the file 0600 on unix.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(HEADER.as_bytes()).map_err(io)?;
    tmp.write_all(body.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
