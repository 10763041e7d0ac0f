//! The saved login: `credentials.json` in the user's config directory,
//! readable by its owner only because it holds a bearer token.

use super::api::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Credentials {
    pub url: String,
    pub token: String,
    pub email: String,
}

/// `$SLUICE_CONFIG_DIR`, else `<config dir>/sluice`.
pub fn dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("SLUICE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("sluice"))
        .ok_or_else(|| Error::Other("cannot find a config directory; set SLUICE_CONFIG_DIR".into()))
}

pub fn path() -> Result<PathBuf> {
    Ok(dir()?.join("credentials.json"))
}

pub fn load() -> Result<Option<Credentials>> {
    let path = path()?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Other(format!("cannot read {}: {e}", path.display()))),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Error::Other(format!(
            "{} is damaged ({e}); run `sluice login` again",
            path.display()
        ))
    })
}

pub fn save(creds: &Credentials) -> Result<PathBuf> {
    let dir = dir()?;
    let path = dir.join("credentials.json");
    let fail = |what: &str, e: std::io::Error| Error::Other(format!("cannot {what}: {e}"));
    create_private_dir(&dir).map_err(|e| fail(&format!("create {}", dir.display()), e))?;
    let json = serde_json::to_string_pretty(creds).expect("credentials serialize");
    // Write a sibling file and rename it, so a crash never leaves half a file.
    let tmp = dir.join(".credentials.json.tmp");
    write_private(&tmp, json.as_bytes())
        .map_err(|e| fail(&format!("write {}", tmp.display()), e))?;
    std::fs::rename(&tmp, &path).map_err(|e| fail(&format!("write {}", path.display()), e))?;
    Ok(path)
}

/// Answers whether there was a file to remove.
pub fn remove() -> Result<bool> {
    let path = path()?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::Other(format!(
            "cannot remove {}: {e}",
            path.display()
        ))),
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    // Tighten a directory made earlier by someone else's umask.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // `mode` applies only when the file is new.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
