//! File primitives of the key store: atomic writes (a temporary file in the same folder, then a
//! rename) with the permissions set before any byte is written.

use std::fs;
use std::io::Write;
use std::path::Path;

use super::KeyStoreError;

/// Permissions of a private key file.
pub const KEY_MODE: u32 = 0o600;
/// Permissions of certificates and the state file.
pub const PUBLIC_MODE: u32 = 0o644;

/// Writes `bytes` to `path` atomically with `mode` (unix permissions).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyStoreError> {
    let error = |source| KeyStoreError::Write { path: path.to_owned(), source };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let suffix = smart_tags_credentials::secret::random_hex(6)?;
    let temp = dir.join(format!(".{name}.{suffix}.tmp"));
    let result = (|| {
        let mut file = open_new(&temp, mode)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(error)
}

#[cfg(unix)]
fn open_new(path: &Path, mode: u32) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(path)
}

#[cfg(not(unix))]
fn open_new(path: &Path, _mode: u32) -> std::io::Result<fs::File> {
    fs::OpenOptions::new().write(true).create_new(true).open(path)
}

/// Creates `dir` (and its parents) with owner-only access to the folder itself.
pub fn create_dir(dir: &Path) -> Result<(), KeyStoreError> {
    let error = |source| KeyStoreError::Write { path: dir.to_owned(), source };
    fs::create_dir_all(dir).map_err(error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(error)?;
    }
    Ok(())
}

/// Reads a text file.
pub fn read_text(path: &Path) -> Result<String, KeyStoreError> {
    fs::read_to_string(path).map_err(|source| KeyStoreError::Read { path: path.to_owned(), source })
}
