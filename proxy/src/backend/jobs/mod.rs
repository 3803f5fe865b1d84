//! Batch jobs of the back-end API: the store (`jobs.sqlite3`), the spool of uploaded files and the
//! worker that works through them, two items at a time, and resumes by itself after a restart; the
//! retention sweep that deletes old ended jobs and prunes the spool.

pub mod retention;
pub mod spool;
pub mod store;
pub mod worker;

/// A new job id: `job_` and 16 random hex digits.
pub fn new_job_id() -> String {
    format!("job_{}", smart_tags_credentials::secret::random_hex(8).unwrap_or_else(|_| crate::unique_id()))
}
