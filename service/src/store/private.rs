//! Files only the service's user may read: the data directory 0700, the database and its WAL and
//! shared-memory files 0600. New ones are created so; ones an earlier version left readable
//! (0755 / 0644) are tightened when the store opens. SQLite gives the WAL and shared-memory files
//! the database file's mode when it creates them; they are tightened too in case they already
//! existed.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Mode of the data directory.
pub const DIR_MODE: u32 = 0o700;
/// Mode of the database files.
pub const FILE_MODE: u32 = 0o600;

/// Makes an existing `dir` readable by others 0700 (new ones are created 0700).
pub fn restrict_dir(dir: &Path) -> io::Result<()> {
    restrict(dir, DIR_MODE)
}

/// Makes the database at `path` and its `-wal` and `-shm` files, where they exist, 0600.
pub fn restrict_database(path: &Path) -> io::Result<()> {
    restrict(path, FILE_MODE)?;
    for suffix in ["-wal", "-shm"] {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        match restrict(Path::new(&companion), FILE_MODE) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

/// Clears the group and other bits of `path` when any is set. A file this user may not change
/// (another owner: a shared volume, a container with a random user id) is left as it is, with a
/// warning, rather than keeping the service from starting.
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    let current = std::fs::metadata(path)?.permissions().mode();
    if current & 0o077 != 0 {
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode)) {
            Ok(()) => {
                tracing::info!(path = %path.display(), from = format!("{:o}", current & 0o777), to = format!("{:o}", current & mode), "made private to this user")
            }
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                tracing::warn!(path = %path.display(), mode = format!("{:o}", current & 0o777), "readable by other users and not this user's to change: make it {:o}", mode);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_store_is_private_and_an_old_readable_one_is_tightened() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        let store = super::super::Store::open(&dir.join("smart-tags.db")).unwrap();
        store.token_keys().unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("smart-tags.db")), 0o600);
        assert_eq!(mode(&dir.join("smart-tags.db-wal")), 0o600);
        drop(store);
        // An installation from before: readable by every local user (closing removed the WAL).
        for (path, loose) in [(dir.clone(), 0o755), (dir.join("smart-tags.db"), 0o644)] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(loose)).unwrap();
        }
        let store = super::super::Store::open(&dir.join("smart-tags.db")).unwrap();
        store.token_keys().unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("smart-tags.db")), 0o600);
        assert_eq!(mode(&dir.join("smart-tags.db-wal")), 0o600);
    }
}
