//! The sync checkpoint: an append-only NDJSON file. The first line names the
//! format and the sync it belongs to; each further line is one committed
//! page (its users, units, coverage and the cursor after it). A line cut short by
//! a crash is dropped on resume, so a sync killed at any point resumes from
//! its last whole page. No line holds a secret.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::bindings::{BillingUnit, Coverage, User};
use crate::error::HostError;

const FORMAT: &str = "saas-host-checkpoint/2";

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    fingerprint: String,
}

/// One committed page.
#[derive(Serialize, Deserialize)]
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
}

fn io_error(path: &Path, what: &str) -> impl FnOnce(std::io::Error) -> HostError {
    let context = format!("{what} the checkpoint {}", path.display());
    move |source| HostError::Io { context, source }
}

impl Checkpoint {
    /// Starts a new checkpoint, replacing any old one.
    pub fn create(path: &Path, fingerprint: &str) -> Result<Self, HostError> {
        let mut file = File::create(path).map_err(io_error(path, "creating"))?;
        let header = Header {
            format: FORMAT.into(),
            fingerprint: fingerprint.into(),
        };
        writeln!(
            file,
            "{}",
            serde_json::to_string(&header).expect("serialises")
        )
        .map_err(io_error(path, "writing"))?;
        file.sync_data().map_err(io_error(path, "writing"))?;
        Ok(Checkpoint {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Opens a checkpoint to resume: returns its committed entries. A torn
    /// last line is cut off; a checkpoint of another sync is refused.
    pub fn resume(path: &Path, fingerprint: &str) -> Result<(Self, Vec<Entry>), HostError> {
        let reader = BufReader::new(File::open(path).map_err(io_error(path, "opening"))?);
        let mut good_len = 0u64;
        let mut entries = Vec::new();
        let mut header_ok = false;
        for line in reader.split(b'\n') {
            let line = line.map_err(io_error(path, "reading"))?;
            let whole = line.len() as u64 + 1;
            if !header_ok {
                let header: Header = serde_json::from_slice(&line).map_err(|_| HostError::Io {
                    context: format!("reading the checkpoint {}", path.display()),
                    source: std::io::Error::other("not a checkpoint file"),
                })?;
                if header.format != FORMAT {
                    return Err(HostError::Io {
                        context: format!("resuming from {}", path.display()),
                        source: std::io::Error::other(format!(
                            "the checkpoint is in the format {:?}, written by another version \
                             of saas-host (this one writes {FORMAT:?}): run again without --resume",
                            header.format
                        )),
                    });
                }
                if header.fingerprint != fingerprint {
                    return Err(HostError::Io {
                        context: format!("resuming from {}", path.display()),
                        source: std::io::Error::other(
                            "the checkpoint belongs to another connector or configuration; start without --resume",
                        ),
                    });
                }
                header_ok = true;
            } else {
                match serde_json::from_slice::<Entry>(&line) {
                    Ok(entry) => entries.push(entry),
                    Err(_) => break,
                }
            }
            good_len += whole;
        }
        if !header_ok {
            return Err(HostError::Io {
                context: format!("reading the checkpoint {}", path.display()),
                source: std::io::Error::other("empty checkpoint file"),
            });
        }
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io_error(path, "opening"))?;
        file.set_len(good_len)
            .map_err(io_error(path, "truncating"))?;
        let mut checkpoint = Checkpoint {
            path: path.to_path_buf(),
            file,
        };
        use std::io::Seek;
        checkpoint
            .file
            .seek(std::io::SeekFrom::End(0))
            .map_err(io_error(path, "seeking"))?;
        Ok((checkpoint, entries))
    }

    /// Commits one page.
    pub fn append(&mut self, entry: &Entry) -> Result<(), HostError> {
        let mut line = serde_json::to_vec(entry).expect("serialises");
        line.push(b'\n');
        self.file
            .write_all(&line)
            .map_err(io_error(&self.path, "writing"))?;
        self.file
            .sync_data()
            .map_err(io_error(&self.path, "writing"))
    }
}
