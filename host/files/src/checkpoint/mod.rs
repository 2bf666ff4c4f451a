//! The sync checkpoint's format: an append-only NDJSON file in the host's
//! own versioned format ([`FORMAT`], records of [`records`]). The first
//! line is a [`Header`]: the format, the connector, its contract version,
//! the component's SHA-256 and a hash of the settings. Every further line
//! is one committed [`Page`] and the cursor after it.
//!
//! [`read`] is the whole reading rule, on bytes: only a last line cut short
//! by a crash is dropped; a corrupt line before it refuses the file, naming
//! the line, so nothing good is ever thrown away unsaid.

pub mod records;

use std::path::PathBuf;

use crate::sha256_hex;
use serde::{Deserialize, Serialize};

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
    /// SHA-256 of the effective settings.
    pub settings_sha256: String,
}

impl Header {
    /// Where the checkpoint of this sync goes by default:
    /// `$XDG_STATE_HOME/saas-host/checkpoints/` (or `~/.local/state/...`),
    /// one file per connector and settings. None without either variable.
    pub fn default_path(&self) -> Option<PathBuf> {
        let state = std::env::var_os("XDG_STATE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
        let key =
            sha256_hex(format!("{}|{}", self.component_sha256, self.settings_sha256).as_bytes());
        Some(state.join("saas-host").join("checkpoints").join(format!(
            "{}-{}.ndjson",
            self.connector,
            &key[..16]
        )))
    }

    /// The header as its line (without the newline).
    pub fn line(&self) -> String {
        serde_json::to_string(self).expect("a header serialises")
    }
}

/// A committed page as one line of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Page {
    /// The cursor after this page; none when the listing is complete.
    pub cursor: Option<String>,
    /// The page's users.
    pub users: Vec<records::User>,
    /// The page's billing units.
    pub units: Vec<records::BillingUnit>,
    /// The page's coverage.
    pub coverage: Vec<records::Coverage>,
}

impl Page {
    /// The page as its line, newline included.
    pub fn line(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        self.write_line(&mut bytes)
            .expect("memory takes every write");
        bytes
    }

    /// Writes the page as its line, newline included, as it is serialised:
    /// a page of ten thousand memberships is never a whole line in memory.
    /// A failed write may leave a torn line, which reading drops.
    pub fn write_line(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer(&mut *w, self)?;
        w.write_all(b"\n")
    }
}

/// What a checkpoint's bytes hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    /// The committed pages, in order.
    pub pages: Vec<Page>,
    /// How many bytes are whole lines: anything after is a torn last line,
    /// which the caller drops.
    pub whole: usize,
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
        let sha: String = found.component_sha256.chars().take(12).collect();
        return Some(format!(
            "it was written for another component ({} {sha}, contract {}): {again}",
            found.connector, found.contract
        ));
    }
    (found.settings_sha256 != expected.settings_sha256)
        .then(|| format!("it was written with other settings: {again}"))
}

/// Reads a checkpoint's bytes for a sync whose header is `expected`: its
/// pages, or why it is refused (another format, component or settings; an
/// empty file; a corrupt line that is not the last).
pub fn read(bytes: &[u8], expected: &Header) -> Result<Contents, String> {
    // Only whole lines count: a last line without its newline is torn.
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let mut lines = bytes[..whole].split(|b| *b == b'\n');
    let first = lines
        .next()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| "it is empty; run again without --resume".to_string())?;
    let header: serde_json::Value = serde_json::from_slice(first).unwrap_or_default();
    if let Some(reason) = header_mismatch(&header, expected) {
        return Err(reason);
    }
    let mut pages = Vec::new();
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.is_empty()) {
        let page: Page = serde_json::from_slice(line).map_err(|e| {
            format!(
                "line {} is corrupt ({e}); the pages before it are intact, but a checkpoint is \
                 never resumed past a gap: run again without --resume",
                i + 2
            )
        })?;
        pages.push(page);
    }
    Ok(Contents { pages, whole })
}

#[cfg(test)]
mod tests;
