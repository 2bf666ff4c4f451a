//! The sync checkpoint: an append-only NDJSON file in the host's own
//! versioned format ([`FORMAT`], records of [`record`], no generated type).
//! The first line is a [`Header`]: the format, the connector, its contract
//! version, the component's SHA-256 and a hash of the settings; resuming
//! checks each. Every further line is one committed page and the cursor
//! after it. Only a last line cut short by a crash is dropped; a corrupt
//! line before it refuses the file, naming the line, so nothing good is
//! ever thrown away unsaid. No line holds a secret.

pub mod record;

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::connector::Connector;
use crate::error::HostError;
use crate::settings::{type_name, value_text, value_type};
use crate::wit::latest::{BillingUnit, Coverage, Setting, User};
use record::Mirror;

/// The format this host writes and reads.
pub const FORMAT: &str = "saas-host-checkpoint/3";

/// Formats of earlier hosts, each with who wrote it: refused, never misread.
const EARLIER: [(&str, &str); 2] = [
    ("saas-host-checkpoint/1", "saas-host 0.1 (contract 0.1.0)"),
    (
        "saas-host-checkpoint/2",
        "saas-host 0.1 on the contract 0.2.0 draft",
    ),
];

/// What a checkpoint belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Header {
    /// [`FORMAT`].
    pub format: String,
    /// The connector's name.
    pub connector: String,
    /// The contract version the component was built against.
    pub contract: String,
    /// SHA-256 of the component.
    pub component_sha256: String,
    /// SHA-256 of the effective settings (see [`settings_sha256`]).
    pub settings_sha256: String,
}

impl Header {
    /// The header of a sync of `connector` with `settings`.
    pub fn new(connector: &Connector, settings: &[Setting]) -> Self {
        Header {
            format: FORMAT.into(),
            connector: connector.info().name.clone(),
            contract: connector.contract_version().to_string(),
            component_sha256: connector.sha256().into(),
            settings_sha256: settings_sha256(settings),
        }
    }

    /// Where the checkpoint of this sync goes by default:
    /// `$XDG_STATE_HOME/saas-host/checkpoints/` (or `~/.local/state/...`),
    /// one file per connector and settings. None without either variable.
    pub fn default_path(&self) -> Option<PathBuf> {
        let state = std::env::var_os("XDG_STATE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
        let key = sha256_hex(format!(
            "{}|{}",
            self.component_sha256, self.settings_sha256
        ));
        Some(state.join("saas-host").join("checkpoints").join(format!(
            "{}-{}.ndjson",
            self.connector,
            &key[..16]
        )))
    }
}

fn sha256_hex(text: String) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A hash of settings that depends on their names, types and values only,
/// not on their order or on any generated type's serialisation.
pub fn settings_sha256(settings: &[Setting]) -> String {
    let mut lines: Vec<String> = settings
        .iter()
        .map(|s| {
            let ty = type_name(value_type(&s.value));
            format!("{}:{ty}={:?}", s.name, value_text(&s.value))
        })
        .collect();
    lines.sort();
    sha256_hex(lines.join("\n"))
}

/// One committed page.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The cursor after this page; none when the listing is complete.
    pub cursor: Option<String>,
    /// The page's users.
    pub users: Vec<User>,
    /// The page's billing units.
    pub units: Vec<BillingUnit>,
    /// The page's coverage.
    pub coverage: Vec<Coverage>,
}

/// A page as one line of the file.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Line {
    cursor: Option<String>,
    users: Vec<record::User>,
    units: Vec<record::BillingUnit>,
    coverage: Vec<record::Coverage>,
}

/// An open checkpoint file.
pub struct Checkpoint {
    path: PathBuf,
    file: File,
}

fn io_error(path: &Path, what: &str) -> impl FnOnce(std::io::Error) -> HostError {
    let context = format!("{what} the checkpoint {}", path.display());
    move |source| HostError::Io { context, source }
}

fn refuse(path: &Path, reason: String) -> HostError {
    HostError::Checkpoint {
        path: path.to_path_buf(),
        reason,
    }
}

/// Why the header `found` does not fit `expected`, when it does not.
fn header_mismatch(found: &serde_json::Value, expected: &Header) -> Option<String> {
    let again = "run again without --resume";
    let format = found.get("format").and_then(|f| f.as_str());
    let Some(format) = format else {
        return Some(format!("it is not a saas-host checkpoint; {again}"));
    };
    if let Some((_, who)) = EARLIER.iter().find(|(f, _)| *f == format) {
        return Some(format!("it was written by {who}: {again}"));
    }
    if format != FORMAT {
        return Some(format!(
            "it is in the format {format:?}, which this saas-host (writing {FORMAT:?}) does not \
             read: {again}"
        ));
    }
    let Ok(found) = serde_json::from_value::<Header>(found.clone()) else {
        return Some(format!("its first line is not a valid header; {again}"));
    };
    if (&found.connector, &found.contract, &found.component_sha256)
        != (
            &expected.connector,
            &expected.contract,
            &expected.component_sha256,
        )
    {
        return Some(format!(
            "it was written for another component ({} {}, contract {}): {again}",
            found.connector,
            &found.component_sha256[..found.component_sha256.len().min(12)],
            found.contract
        ));
    }
    (found.settings_sha256 != expected.settings_sha256)
        .then(|| format!("it was written with other settings: {again}"))
}

impl Checkpoint {
    /// Starts a new checkpoint (and its folder), replacing any old one.
    pub fn create(path: &Path, header: &Header) -> Result<Self, HostError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io_error(path, "creating the folder of"))?;
        }
        let mut file = File::create(path).map_err(io_error(path, "creating"))?;
        let line = serde_json::to_string(header).expect("a header serialises");
        writeln!(file, "{line}").map_err(io_error(path, "writing"))?;
        file.sync_data().map_err(io_error(path, "writing"))?;
        Ok(Checkpoint {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Opens a checkpoint to resume and returns its committed pages. A
    /// checkpoint of another format, component or settings is refused, and
    /// so is a corrupt line that is not the last.
    pub fn resume(path: &Path, expected: &Header) -> Result<(Self, Vec<Entry>), HostError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io_error(path, "opening"))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(io_error(path, "reading"))?;
        // Only whole lines count: a last line without its newline is torn.
        let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let mut lines = bytes[..whole].split(|b| *b == b'\n');
        let first = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| refuse(path, "it is empty; run again without --resume".into()))?;
        let header: serde_json::Value = serde_json::from_slice(first).unwrap_or_default();
        if let Some(reason) = header_mismatch(&header, expected) {
            return Err(refuse(path, reason));
        }
        let mut entries = Vec::new();
        for (i, line) in lines.enumerate().filter(|(_, l)| !l.is_empty()) {
            let line: Line = serde_json::from_slice(line).map_err(|e| {
                refuse(
                    path,
                    format!(
                        "line {} is corrupt ({e}); the pages before it are intact, but a \
                         checkpoint is never resumed past a gap: run again without --resume",
                        i + 2
                    ),
                )
            })?;
            entries.push(Entry {
                cursor: line.cursor,
                users: line.users.mirror(),
                units: line.units.mirror(),
                coverage: line.coverage.mirror(),
            });
        }
        if whole < bytes.len() {
            tracing::info!(
                "the checkpoint {} ends in a line cut short; it is dropped",
                path.display()
            );
            file.set_len(whole as u64)
                .map_err(io_error(path, "truncating"))?;
        }
        file.seek(std::io::SeekFrom::End(0))
            .map_err(io_error(path, "seeking"))?;
        Ok((
            Checkpoint {
                path: path.to_path_buf(),
                file,
            },
            entries,
        ))
    }

    /// Commits one page (written and synced before this returns).
    pub fn append(&mut self, entry: &Entry) -> Result<(), HostError> {
        let line = Line {
            cursor: entry.cursor.clone(),
            users: entry.users.clone().mirror(),
            units: entry.units.clone().mirror(),
            coverage: entry.coverage.clone().mirror(),
        };
        let mut bytes = serde_json::to_vec(&line).expect("a page serialises");
        bytes.push(b'\n');
        self.file
            .write_all(&bytes)
            .map_err(io_error(&self.path, "writing"))?;
        self.file
            .sync_data()
            .map_err(io_error(&self.path, "writing"))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests;
