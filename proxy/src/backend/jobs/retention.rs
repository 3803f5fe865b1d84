//! Retention of ended jobs and pruning of the spool. [`delete_job`] is the one way a job goes
//! (`DELETE /api/v1/backend/jobs/{id}` and the sweep): the job, its items and deliveries in one
//! transaction, then the spool files no remaining item references. [`sweep`] runs at start-up and
//! every [`SWEEP_EVERY`] ([`run`]): it deletes ended jobs last changed more than the retention ago
//! (`--job-retention-hours`, none when off), then removes spool files no item references that are
//! older than [`SPOOL_GRACE`] — a file being uploaded into a job right now is younger, and pinned
//! (see [`Spool`]). The clock is a parameter, so the rules are tested without waiting.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::spool::Spool;
use super::store::JobStore;
use crate::backend::error::BackendError;
use crate::backend::Backend;

/// How often the sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);
/// An unreferenced spool file younger than this is kept (its job may be being created).
pub const SPOOL_GRACE: Duration = Duration::from_secs(60 * 60);
/// Jobs deleted per store query of the sweep.
const BATCH: usize = 500;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub jobs: usize,
    pub files: usize,
}

/// Deletes an ended job (a queued or running one is a conflict, an unknown one `unknown_job`),
/// then the spool files that only its items referenced; answers how many files were removed. A
/// file that cannot be removed is logged and left to the sweep: the job is gone either way.
pub fn delete_job(store: &JobStore, spool: &Spool, id: &str) -> Result<usize, BackendError> {
    let hashes = store.delete(id)?;
    let mut removed = 0;
    for hash in hashes {
        match spool.remove_unreferenced(&hash, |h| store.references(h)) {
            Ok(true) => removed += 1,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(job = id, %error, "a deleted job's spool file is left for the sweep")
            }
        }
    }
    Ok(removed)
}

fn unix_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// One sweep at `now`: ended jobs whose `updated_at` is more than `retention` before `now` are
/// deleted (none when `retention` is `None`), then every spool file that no item references and
/// whose modification time is more than [`SPOOL_GRACE`] before `now`.
pub fn sweep(
    store: &JobStore,
    spool: &Spool,
    retention: Option<Duration>,
    now: SystemTime,
) -> Result<Swept, BackendError> {
    let mut swept = Swept::default();
    if let Some(retention) = retention {
        let before = unix_ms(now).saturating_sub(i64::try_from(retention.as_millis()).unwrap_or(i64::MAX));
        loop {
            let ids = store.ended_before(before, BATCH)?;
            for id in &ids {
                match delete_job(store, spool, id) {
                    Ok(files) => {
                        swept.jobs += 1;
                        swept.files += files;
                    }
                    // Resumed (or deleted) since it was listed: not ours to delete any more.
                    Err(BackendError::Conflict(_) | BackendError::UnknownJob(_)) => {}
                    Err(other) => return Err(other),
                }
            }
            if ids.len() < BATCH {
                break;
            }
        }
    }
    let old = now.checked_sub(SPOOL_GRACE).unwrap_or(UNIX_EPOCH);
    for (hash, modified) in spool.files()? {
        if modified < old && spool.remove_unreferenced(&hash, |h| store.references(h))? {
            swept.files += 1;
        }
    }
    Ok(swept)
}

/// Runs [`sweep`] at once and then every [`SWEEP_EVERY`], on the blocking pool.
pub async fn run(backend: Arc<Backend>) {
    loop {
        let b = Arc::clone(&backend);
        let retention = backend.config.job_retention;
        match tokio::task::spawn_blocking(move || sweep(&b.jobs, &b.spool, retention, SystemTime::now())).await {
            Ok(Ok(swept)) if swept != Swept::default() => {
                tracing::info!(jobs = swept.jobs, files = swept.files, "retention sweep")
            }
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::error!(%error, "the retention sweep failed"),
            Err(error) => tracing::error!(%error, "the retention sweep stopped"),
        }
        tokio::time::sleep(SWEEP_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::jobs::store::NewItem;
    use serde_json::json;

    const HOUR: Duration = Duration::from_secs(3600);

    struct Fixture {
        dir: tempfile::TempDir,
        store: JobStore,
        spool: Spool,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let store = JobStore::open(&dir.path().join("jobs.sqlite3")).unwrap();
            let spool = Spool::open(&dir.path().join("spool")).unwrap();
            Fixture { dir, store, spool }
        }

        /// A spool file of `bytes`, last modified at `modified`; answers its hash.
        fn file(&self, bytes: &[u8], modified: SystemTime) -> String {
            let hash = smart_tags_core::preprocess::sha256_hex(bytes);
            let path = self.dir.path().join("spool").join(&hash);
            std::fs::write(&path, bytes).unwrap();
            std::fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
            hash
        }

        /// A job over the spool files `hashes`, in `status`, last changed at `updated_at`.
        fn job(&self, id: &str, hashes: &[&str], status: &str, updated_at: SystemTime) {
            let items: Vec<NewItem> = hashes
                .iter()
                .map(|h| NewItem {
                    asset_id: Some(format!("{id}-{h}")),
                    content_hash: Some((*h).to_owned()),
                    spooled: true,
                })
                .collect();
            self.store.create(id, "tag", &json!({}), None, &items).unwrap();
            // Another connection to the same file: the store itself only ever writes "now".
            let conn = rusqlite::Connection::open(self.dir.path().join("jobs.sqlite3")).unwrap();
            conn.execute(
                "UPDATE jobs SET status = ?2, updated_at = ?3 WHERE id = ?1",
                rusqlite::params![id, status, unix_ms(updated_at)],
            )
            .unwrap();
        }

        fn exists(&self, hash: &str) -> bool {
            self.spool.path(hash).is_some()
        }
    }

    #[test]
    fn the_sweep_deletes_old_ended_jobs_only_and_prunes_exactly_the_unreferenced_old_files() {
        let f = Fixture::new();
        let now = SystemTime::now() + 1000 * HOUR;
        let old = now - 200 * HOUR;
        let recent = now - 2 * HOUR;
        let (shared, own, running_file, orphan_old, orphan_new) = (
            f.file(b"shared", old),
            f.file(b"own", old),
            f.file(b"running", old),
            f.file(b"orphan-old", old),
            f.file(b"orphan-new", now - HOUR / 2),
        );
        f.job("job_old_done", &[&shared, &own], "completed", old);
        f.job("job_old_failed", &[], "failed", old);
        f.job("job_old_cancelled", &[], "cancelled", old);
        f.job("job_recent_done", &[&shared], "completed", recent);
        f.job("job_old_running", &[&running_file], "running", old);
        f.job("job_old_queued", &[], "queued", old);
        std::fs::write(f.dir.path().join("spool").join(".tmp-upload"), b"partial").unwrap();

        let swept = sweep(&f.store, &f.spool, Some(168 * HOUR), now).unwrap();
        assert_eq!(swept, Swept { jobs: 3, files: 2 }, "three old ended jobs; `own` and the old orphan");
        for gone in ["job_old_done", "job_old_failed", "job_old_cancelled"] {
            assert!(f.store.job(gone).unwrap().is_none(), "{gone}");
        }
        for kept in ["job_recent_done", "job_old_running", "job_old_queued"] {
            assert!(f.store.job(kept).unwrap().is_some(), "{kept}");
        }
        assert!(f.exists(&shared), "a kept job still references it");
        assert!(f.exists(&running_file), "a running job references it");
        assert!(!f.exists(&own), "only the deleted job referenced it");
        assert!(!f.exists(&orphan_old), "no item references it and it is old");
        assert!(f.exists(&orphan_new), "younger than an hour: its job may be being created");
        assert!(f.dir.path().join("spool/.tmp-upload").exists(), "temporary files are the spool's own business");
        assert!(f.store.results("job_old_done", -1, 10).unwrap().is_empty(), "its items are gone");

        // Nothing more to do at the same time; later the recent job's turn comes, and its file goes.
        assert_eq!(sweep(&f.store, &f.spool, Some(168 * HOUR), now).unwrap(), Swept::default());
        let later = now + 167 * HOUR;
        assert_eq!(
            sweep(&f.store, &f.spool, Some(168 * HOUR), later).unwrap(),
            Swept { jobs: 1, files: 2 },
            "the job, then shared and orphan-new"
        );
        assert!(!f.exists(&shared) && !f.exists(&orphan_new));
        assert!(f.exists(&running_file));
    }

    #[test]
    fn without_retention_jobs_stay_but_orphans_are_still_pruned() {
        let f = Fixture::new();
        let now = SystemTime::now() + 1000 * HOUR;
        let ancient = now - 10_000 * HOUR;
        let (kept, orphan) = (f.file(b"kept", ancient), f.file(b"orphan", ancient));
        f.job("job_ancient", &[&kept], "completed", ancient);
        assert_eq!(sweep(&f.store, &f.spool, None, now).unwrap(), Swept { jobs: 0, files: 1 });
        assert!(f.store.job("job_ancient").unwrap().is_some());
        assert!(f.exists(&kept) && !f.exists(&orphan));
    }

    #[test]
    fn deleting_a_job_removes_the_files_only_it_referenced() {
        let f = Fixture::new();
        let now = SystemTime::now();
        let (shared, own) = (f.file(b"shared", now), f.file(b"own", now));
        f.job("job_a", &[&shared, &own, &own], "completed", now);
        f.job("job_b", &[&shared], "running", now);
        assert!(
            matches!(delete_job(&f.store, &f.spool, "job_b"), Err(BackendError::Conflict(m)) if m.contains("cancel it first"))
        );
        assert!(matches!(delete_job(&f.store, &f.spool, "job_none"), Err(BackendError::UnknownJob(_))));
        assert_eq!(delete_job(&f.store, &f.spool, "job_a").unwrap(), 1, "own, once; shared stays for job_b");
        assert!(f.exists(&shared) && !f.exists(&own));
        assert!(matches!(delete_job(&f.store, &f.spool, "job_a"), Err(BackendError::UnknownJob(_))));
        f.store.cancel("job_b", None).unwrap();
        assert_eq!(delete_job(&f.store, &f.spool, "job_b").unwrap(), 1);
        assert!(!f.exists(&shared));
    }
}
