//! Whether the store's disk takes writes, for `GET /healthz`: the free space of the data
//! directory's file system and a probe that writes, syncs and removes a small file there. A full
//! disk makes every tagging fail (SQLite cannot write), so health must say so rather than `ok`.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::Store;

/// Below this much free space the storage is `low` (health `degraded`, still answering 200).
pub const LOW_SPACE_BYTES: u64 = 256 * 1024 * 1024;

/// The probe's name in the data directory.
const PROBE: &str = ".health-probe";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorageHealth {
    /// A 4 KiB file could be written and synced in the data directory.
    pub writable: bool,
    /// Bytes free for this process on the data directory's file system (`None`: in memory).
    pub free_bytes: Option<u64>,
    /// Less than [`LOW_SPACE_BYTES`] free.
    pub low: bool,
    /// Why the probe failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

fn probe(dir: &Path) -> std::io::Result<()> {
    let path = dir.join(PROBE);
    let written = std::fs::File::create(&path).and_then(|mut file| {
        file.write_all(&[0u8; 4096])?;
        file.sync_all()
    });
    let removed = std::fs::remove_file(&path);
    written.and(removed)
}

impl Store {
    /// The storage's health now (a small write: call it for health checks, not per request).
    pub fn storage_health(&self) -> StorageHealth {
        let Some(dir) = self.path.as_deref().and_then(Path::parent) else {
            return StorageHealth { writable: true, free_bytes: None, low: false, problem: None };
        };
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let free_bytes = rustix::fs::statvfs(dir).ok().map(|s| s.f_bavail.saturating_mul(s.f_frsize));
        let probed = probe(dir);
        StorageHealth {
            writable: probed.is_ok(),
            free_bytes,
            low: free_bytes.is_some_and(|f| f < LOW_SPACE_BYTES),
            problem: probed.err().map(|e| format!("cannot write in the data directory: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writable_directory_is_healthy_and_a_read_only_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let health = store.storage_health();
        assert!(health.writable && health.free_bytes.is_some_and(|f| f > 0) && health.problem.is_none(), "{health:?}");
        assert!(!dir.path().join(PROBE).exists(), "the probe is removed");
        // A data directory that takes no more writes (here: gone from under the open database;
        // a full disk answers the probe the same way).
        let gone = tempfile::tempdir().unwrap();
        let broken = Store::open(&gone.path().join("db.sqlite3")).unwrap();
        std::fs::remove_dir_all(gone.path()).unwrap();
        let health = broken.storage_health();
        assert!(!health.writable && health.problem.as_deref().is_some_and(|p| p.contains("cannot write")), "{health:?}");
        assert!(Store::open_in_memory().unwrap().storage_health().writable);
    }
}
