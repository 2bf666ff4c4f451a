//! The sync checkpoint on disk: an append-only NDJSON file in the host's
//! own versioned format ([`FORMAT`], defined and read by
//! `saas_host_files::checkpoint`; [`record`] converts its records).
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

use saas_host_files::checkpoint::{self as format, Page};
use saas_host_files::sha256_hex;

use crate::connector::Connector;
use crate::error::HostError;
use crate::settings::{type_name, value_text, value_type};
use crate::wit::latest::{BillingUnit, Coverage, Setting, User};
use record::Mirror;

pub use saas_host_files::checkpoint::{FORMAT, Header};

/// The header of a sync of `connector` with `settings`.
pub fn header_for(connector: &Connector, settings: &[Setting]) -> Header {
    Header {
        format: FORMAT.into(),
        connector: connector.info().name.clone(),
        contract: connector.contract_version().to_string(),
        component_sha256: connector.sha256().into(),
        settings_sha256: settings_sha256(settings),
    }
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
    sha256_hex(lines.join("\n").as_bytes())
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

/// An open checkpoint file.
pub struct Checkpoint {
    path: PathBuf,
    file: File,
    /// Where a new checkpoint is written until its first page is committed
    /// (then it is renamed over `path`); none once it is in place.
    staged: Option<PathBuf>,
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

impl Checkpoint {
    /// Starts a new checkpoint (and its folder). It replaces any old one
    /// when its first page is committed, not before: a run that fails
    /// before its first step (credentials refused at the first request,
    /// say) leaves the old checkpoint as it was.
    pub fn create(path: &Path, header: &Header) -> Result<Self, HostError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io_error(path, "creating the folder of"))?;
        }
        // A name of this run's own: two runs at once stage apart, and the
        // later first page wins the path.
        static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{}-{run}.new", std::process::id()));
        let staged = path.with_file_name(name);
        let mut file = File::create(&staged).map_err(io_error(&staged, "creating"))?;
        writeln!(file, "{}", header.line()).map_err(io_error(&staged, "writing"))?;
        file.sync_data().map_err(io_error(&staged, "writing"))?;
        Ok(Checkpoint {
            path: path.to_path_buf(),
            file,
            staged: Some(staged),
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
        let contents = format::read(&bytes, expected).map_err(|reason| refuse(path, reason))?;
        let whole = contents.whole;
        let entries = contents
            .pages
            .into_iter()
            .map(|page| Entry {
                cursor: page.cursor,
                users: page.users.mirror(),
                units: page.units.mirror(),
                coverage: page.coverage.mirror(),
            })
            .collect();
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
                staged: None,
            },
            entries,
        ))
    }

    /// Commits one page (written and synced before this returns).
    pub fn append(&mut self, entry: Entry) -> Result<(), HostError> {
        let page = Page {
            cursor: entry.cursor,
            users: entry.users.mirror(),
            units: entry.units.mirror(),
            coverage: entry.coverage.mirror(),
        };
        let mut out = std::io::BufWriter::with_capacity(1 << 16, &self.file);
        page.write_line(&mut out)
            .and_then(|()| out.flush())
            .map_err(io_error(&self.path, "writing"))?;
        drop(out);
        self.file
            .sync_data()
            .map_err(io_error(&self.path, "writing"))?;
        if let Some(staged) = self.staged.take() {
            std::fs::rename(&staged, &self.path).map_err(io_error(&self.path, "replacing"))?;
        }
        Ok(())
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Checkpoint {
    fn drop(&mut self) {
        if let Some(staged) = &self.staged {
            let _ = std::fs::remove_file(staged);
        }
    }
}

#[cfg(test)]
mod tests;
