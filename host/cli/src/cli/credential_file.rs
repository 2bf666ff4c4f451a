//! Keeping renewed credentials (a rotated refresh token) where they came
//! from: the TOML config file is rewritten atomically (a temporary file in
//! the same folder, with the file's permissions, renamed over it; comments
//! and layout kept). A value that came from an environment variable cannot
//! be changed by saas-host, so that case is refused with the variable's
//! name, which the runtime turns into a loud warning.

use std::io::Write as _;
use std::path::PathBuf;

use saas_runtime::credentials::CredentialStore;
use saas_runtime::latest::RenewedField;
use saas_runtime::settings::env_name;

/// The config file the credentials were read from, if any.
#[derive(Debug, Clone)]
pub struct ConfigFileStore {
    /// The file.
    pub path: Option<PathBuf>,
    /// Whether variables overrode the file (not for the demo).
    pub read_env: bool,
}

/// Sets `field` in the slot's table (or a saas-host 0.1 flat table); a
/// renewed refresh token replaces a spent authorization code.
fn set_field(doc: &mut toml_edit::DocumentMut, r: &RenewedField) {
    let credentials = doc
        .entry("credentials")
        .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
    let Some(credentials) = credentials.as_table_like_mut() else {
        return;
    };
    let flat = credentials.iter().any(|(_, v)| v.is_str()) && credentials.get(&r.slot).is_none();
    let table = if flat {
        credentials
    } else {
        let slot = credentials
            .entry(&r.slot)
            .or_insert(toml_edit::Item::Table(toml_edit::Table::new()));
        match slot.as_table_like_mut() {
            Some(t) => t,
            None => return,
        }
    };
    table.insert(&r.field, toml_edit::value(r.value.clone()));
    if r.field == "refresh-token" {
        for spent in ["code", "auth-code"] {
            table.remove(spent);
        }
    }
}

impl CredentialStore for ConfigFileStore {
    fn store(&self, renewed: &[RenewedField]) -> Result<String, String> {
        if self.read_env
            && let Some(r) = renewed
                .iter()
                .find(|r| std::env::var(env_name(&r.slot, &r.field)).is_ok_and(|v| !v.is_empty()))
        {
            return Err(format!(
                "it came from the environment variable {}, which saas-host cannot change",
                env_name(&r.slot, &r.field)
            ));
        }
        let Some(path) = &self.path else {
            return Err("no config file was given".into());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let mut doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|_| format!("{} is no longer valid TOML", path.display()))?;
        for r in renewed {
            set_field(&mut doc, r);
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let write = || -> std::io::Result<()> {
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            tmp.as_file()
                .set_permissions(std::fs::metadata(path)?.permissions())?;
            tmp.write_all(doc.to_string().as_bytes())?;
            tmp.as_file().sync_all()?;
            tmp.persist(path).map_err(|e| e.error)?;
            Ok(())
        };
        write().map_err(|e| format!("rewriting {}: {e}", path.display()))?;
        Ok(path.display().to_string())
    }
}
