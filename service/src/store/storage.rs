//! Whether the store's disk takes writes, for `GET /healthz`: the free space of the data
//! directory's file system and a probe that writes, syncs and removes a small file there. A full
//! disk makes every tagging fail (SQLite cannot write), so health must say so rather than `ok`.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::Store;

/// Below this much free space the storage is `low` (health `degraded`, still answering 200).
pub const LOW_SPACE_BYTES: u64 = 256 * 1024 * 1024;

/// A probe's name in the data directory: this process's id and a counter, so two at once never
/// share a file.
fn probe_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(".health-probe-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A probe answers health checks for this long (the probe writes and syncs a file).
const PROBE_EVERY: Duration = Duration::from_secs(5);

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
    let path = dir.join(probe_name());
    let written = std::fs::File::create(&path).and_then(|mut file| {
        file.write_all(&[0u8; 4096])?;
        file.sync_all()
    });
    let removed = match std::fs::remove_file(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && written.is_ok() => Ok(()),
        other => other,
    };
    written.and(removed)
}

impl Store {
    /// The storage's health: probed at most every [`PROBE_EVERY`], the last answer in between.
    pub fn storage_health(&self) -> StorageHealth {
        let mut last = self.storage_probe.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, health)) = last.as_ref().filter(|(at, _)| at.elapsed() < PROBE_EVERY) {
            return health.clone();
        }
        let health = self.probe_storage();
        *last = Some((Instant::now(), health.clone()));
        health
    }

    fn probe_storage(&self) -> StorageHealth {
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
            problem: probed
                .err()
                .map(|e| format!("cannot write in the data directory: {}", e.to_string().to_lowercase())),
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
        assert_eq!(
            std::fs::read_dir(dir.path())
                .unwrap()
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with(".health-probe"))
                .count(),
            0,
            "the probe is removed"
        );
        // A data directory that takes no more writes (here: gone from under the open database;
        // a full disk answers the probe the same way).
        let gone = tempfile::tempdir().unwrap();
        let broken = Store::open(&gone.path().join("db.sqlite3")).unwrap();
        std::fs::remove_dir_all(gone.path()).unwrap();
        let health = broken.storage_health();
        assert!(
            !health.writable && health.problem.as_deref().is_some_and(|p| p.contains("cannot write")),
            "{health:?}"
        );
        assert!(Store::open_in_memory().unwrap().storage_health().writable);
    }
}
