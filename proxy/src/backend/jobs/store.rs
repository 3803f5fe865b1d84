//! `<data-dir>/jobs.sqlite3`: batch jobs, their items and the webhook deliveries (rusqlite,
//! bundled SQLite, WAL). Every state change is one transaction: an item's result is written with
//! its state, a job's end with its webhook delivery, so a `kill -9` leaves either the change or
//! nothing. An item stays `pending` until its result is recorded: after a crash it is sent again
//! (the service's content-hash idempotency answers it without running the model). Async code
//! reaches the store only through [`JobStore::call`], on tokio's blocking pool, so a large job's
//! transaction, a WAL checkpoint or a slow disk never holds up a runtime thread; code already on
//! the blocking pool (the retention sweep) calls the methods directly.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;

use crate::backend::error::BackendError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('tag', 'retag')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'cancelled', 'completed', 'failed')),
    options TEXT NOT NULL,
    source_job TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    seq INTEGER NOT NULL,
    asset_id TEXT,
    content_hash TEXT,
    spooled INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'skipped', 'cancelled')),
    result TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX IF NOT EXISTS items_by_state ON items(job_id, state);
CREATE INDEX IF NOT EXISTS items_by_hash ON items(content_hash) WHERE spooled = 1;
CREATE INDEX IF NOT EXISTS jobs_by_created ON jobs(created_at, id);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs(status, updated_at);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    event TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_status INTEGER,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_by_job ON deliveries(job_id);
";

/// The job statuses and kinds [`JobFilter`] takes.
pub const STATUSES: [&str; 5] = ["queued", "running", "cancelled", "completed", "failed"];
pub const KINDS: [&str; 2] = ["tag", "retag"];
/// The statuses of jobs that have ended (the ones that may be deleted).
const ENDED: &str = "('cancelled', 'completed', 'failed')";

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// One item to create.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub asset_id: Option<String>,
    pub content_hash: Option<String>,
    /// The bytes are in the spool under `content_hash`.
    pub spooled: bool,
}

/// One item to work on.
#[derive(Debug, Clone)]
pub struct Item {
    pub seq: i64,
    pub asset_id: Option<String>,
    pub content_hash: Option<String>,
    pub spooled: bool,
}

/// A job's status, as `GET /api/v1/backend/jobs/{id}` answers it.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    pub job_id: String,
    pub kind: String,
    pub status: String,
    pub total: i64,
    pub done: i64,
    pub failed: i64,
    pub skipped: i64,
    pub cancelled: i64,
    pub pending: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub source_job: Option<String>,
    pub options: Value,
    pub summary: Value,
}

impl JobView {
    /// The job has ended (nothing more will run unless resumed).
    pub fn ended(&self) -> bool {
        matches!(self.status.as_str(), "cancelled" | "completed" | "failed")
    }
}

/// Which jobs [`JobStore::list`] answers: any of `statuses` (all when empty), of `kind` (any when
/// `None`). Values are checked by the caller against [`STATUSES`] and [`KINDS`].
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub statuses: Vec<String>,
    pub kind: Option<String>,
}

/// A place in the newest-first listing: the last job of a page (the keyset of the next one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCursor {
    pub created_at: i64,
    pub id: String,
}

/// A webhook delivery that is due.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub event: String,
    pub url: String,
    pub body: String,
    pub attempts: i64,
}

#[derive(Debug)]
pub struct JobStore {
    conn: Mutex<Connection>,
}

impl JobStore {
    pub fn open(path: &Path) -> Result<JobStore, rusqlite::Error> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(JobStore { conn: Mutex::new(conn) })
    }

    /// Runs `f` with the store on tokio's blocking pool and answers what it answers: the one way
    /// async code uses the store. `f` owns its arguments (the task outlives a dropped request, so
    /// a transaction it started always ends as it would have); a task that panicked or was
    /// cancelled is logged and answered as a job store failure.
    pub async fn call<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&JobStore) -> Result<T, BackendError> + Send + 'static,
    ) -> Result<T, BackendError> {
        let store = Arc::clone(self);
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::error!(%error, "a job store task did not finish");
                Err(BackendError::Store)
            }
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error>) -> Result<T, BackendError> {
        let mut conn = match self.conn.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        Ok(f(&mut conn)?)
    }

    /// Creates a queued job with its items, in one transaction.
    pub fn create(
        &self,
        id: &str,
        kind: &str,
        options: &Value,
        source_job: Option<&str>,
        items: &[NewItem],
    ) -> Result<(), BackendError> {
        self.with(|conn| {
            let tx = conn.transaction()?;
            let now = now_ms();
            tx.execute(
                "INSERT INTO jobs (id, kind, status, options, source_job, created_at, updated_at) VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?5)",
                params![id, kind, options.to_string(), source_job, now],
            )?;
            {
                let mut insert = tx.prepare("INSERT INTO items (job_id, seq, asset_id, content_hash, spooled, state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)")?;
                for (seq, item) in items.iter().enumerate() {
                    insert.execute(params![id, seq as i64, item.asset_id, item.content_hash, item.spooled, now])?;
                }
            }
            tx.commit()
        })
    }

    pub fn job(&self, id: &str) -> Result<Option<JobView>, BackendError> {
        self.with(|conn| view(conn, id))
    }

    /// [`JobStore::job`], an unknown job being `unknown_job`.
    pub fn known_job(&self, id: &str) -> Result<JobView, BackendError> {
        self.job(id)?.ok_or_else(|| BackendError::UnknownJob(id.to_owned()))
    }

    /// The oldest job that is queued or running (left running by a crash, too).
    pub fn next_runnable(&self) -> Result<Option<(String, String, Value)>, BackendError> {
        self.with(|conn| {
            conn.query_row(
                "SELECT id, kind, options FROM jobs WHERE status IN ('queued', 'running') ORDER BY created_at, id LIMIT 1",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
            )
            .optional()
            .map(|row| row.map(|(id, kind, options)| (id, kind, serde_json::from_str(&options).unwrap_or(Value::Null))))
        })
    }

    /// Marks a queued job running.
    pub fn start(&self, id: &str) -> Result<(), BackendError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE jobs SET status = 'running', updated_at = ?2 WHERE id = ?1 AND status = 'queued'",
                params![id, now_ms()],
            )?;
            Ok(())
        })
    }

    pub fn status(&self, id: &str) -> Result<Option<String>, BackendError> {
        self.with(|conn| conn.query_row("SELECT status FROM jobs WHERE id = ?1", [id], |r| r.get(0)).optional())
    }

    /// Jobs queued or running, and their items still to tag (`GET /metrics`): through the
    /// status and `(job_id, state)` indexes, so ended jobs' items are never read.
    pub fn backlog(&self) -> Result<(i64, i64), BackendError> {
        self.with(|conn| {
            conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM items i WHERE i.job_id = j.id AND i.state = 'pending')), 0)
                   FROM jobs j WHERE j.status IN ('queued', 'running')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
    }

    pub fn pending(&self, id: &str) -> Result<Vec<Item>, BackendError> {
        self.with(|conn| {
            let mut select = conn.prepare("SELECT seq, asset_id, content_hash, spooled FROM items WHERE job_id = ?1 AND state = 'pending' ORDER BY seq")?;
            let rows = select.query_map([id], |r| Ok(Item { seq: r.get(0)?, asset_id: r.get(1)?, content_hash: r.get(2)?, spooled: r.get(3)? }))?;
            rows.collect()
        })
    }

    /// Every item of a job (for the apply of a dry run).
    pub fn items(&self, id: &str) -> Result<Vec<Item>, BackendError> {
        self.with(|conn| {
            let mut select =
                conn.prepare("SELECT seq, asset_id, content_hash, spooled FROM items WHERE job_id = ?1 ORDER BY seq")?;
            let rows = select.query_map([id], |r| {
                Ok(Item { seq: r.get(0)?, asset_id: r.get(1)?, content_hash: r.get(2)?, spooled: r.get(3)? })
            })?;
            rows.collect()
        })
    }

    /// Records one item's result and state, in one transaction.
    pub fn record(&self, id: &str, seq: i64, state: &str, result: &Value) -> Result<(), BackendError> {
        self.with(|conn| {
            let tx = conn.transaction()?;
            let now = now_ms();
            tx.execute(
                "UPDATE items SET state = ?3, result = ?4, updated_at = ?5 WHERE job_id = ?1 AND seq = ?2",
                params![id, seq, state, result.to_string(), now],
            )?;
            tx.execute("UPDATE jobs SET updated_at = ?2 WHERE id = ?1", params![id, now])?;
            tx.commit()
        })
    }

    /// Ends a running job whose items have all ended: `completed`, or `failed` when every item
    /// failed; the webhook delivery (if any) is queued in the same transaction.
    pub fn finish(&self, id: &str, webhook: Option<&str>) -> Result<Option<JobView>, BackendError> {
        self.with(|conn| {
            let tx = conn.transaction()?;
            let Some(job) = view(&tx, id)? else { return Ok(None) };
            if job.pending > 0 || job.status != "running" {
                return Ok(None);
            }
            let status = if job.total > 0 && job.failed == job.total { "failed" } else { "completed" };
            tx.execute("UPDATE jobs SET status = ?2, updated_at = ?3 WHERE id = ?1", params![id, status, now_ms()])?;
            let job = view(&tx, id)?;
            if let (Some(url), Some(job)) = (webhook, &job) {
                queue_delivery(&tx, url, job)?;
            }
            tx.commit()?;
            Ok(job)
        })
    }

    /// Cancels a queued or running job: its pending items become `cancelled` (items in flight
    /// still record their result).
    pub fn cancel(&self, id: &str, webhook: Option<&str>) -> Result<JobView, BackendError> {
        let result = self.with(|conn| {
            let tx = conn.transaction()?;
            let Some(job) = view(&tx, id)? else { return Ok(Err(BackendError::UnknownJob(id.to_owned()))) };
            if job.ended() {
                return Ok(Err(BackendError::Conflict(format!("job {id} has already ended ({})", job.status))));
            }
            let now = now_ms();
            tx.execute(
                "UPDATE items SET state = 'cancelled', updated_at = ?2 WHERE job_id = ?1 AND state = 'pending'",
                params![id, now],
            )?;
            tx.execute("UPDATE jobs SET status = 'cancelled', updated_at = ?2 WHERE id = ?1", params![id, now])?;
            let Some(job) = view(&tx, id)? else { return Ok(Err(BackendError::UnknownJob(id.to_owned()))) };
            if let Some(url) = webhook {
                queue_delivery(&tx, url, &job)?;
            }
            tx.commit()?;
            Ok(Ok(job))
        })?;
        result
    }

    /// Lets a cancelled job go on with its cancelled (never run) items, and an ended one try its
    /// retryable failed items again (the service was down or busy: `retryable` in their result);
    /// a queued or running one is left as it is (the worker goes on with it by itself). An ended
    /// job with neither is a conflict.
    pub fn resume(&self, id: &str) -> Result<JobView, BackendError> {
        let result = self.with(|conn| {
            let tx = conn.transaction()?;
            let Some(job) = view(&tx, id)? else { return Ok(Err(BackendError::UnknownJob(id.to_owned()))) };
            match job.status.as_str() {
                "queued" | "running" => {}
                status => {
                    let now = now_ms();
                    let again = tx.execute(
                        "UPDATE items SET state = 'pending', result = NULL, updated_at = ?2
                         WHERE job_id = ?1 AND (state = 'cancelled' OR (state = 'failed' AND json_extract(result, '$.retryable') = 1))",
                        params![id, now],
                    )?;
                    if again == 0 && status != "cancelled" {
                        return Ok(Err(BackendError::Conflict(format!("job {id} has ended ({status}) with no retryable failed item: nothing to resume"))));
                    }
                    tx.execute("UPDATE jobs SET status = 'queued', updated_at = ?2 WHERE id = ?1", params![id, now])?;
                }
            }
            let job = view(&tx, id)?;
            tx.commit()?;
            Ok(job.ok_or_else(|| BackendError::UnknownJob(id.to_owned())))
        })?;
        result
    }

    /// Ended items' results, in order, after `after` (a sequence number), at most `limit`.
    pub fn results(&self, id: &str, after: i64, limit: i64) -> Result<Vec<(i64, Value)>, BackendError> {
        self.with(|conn| {
            let mut select = conn.prepare("SELECT seq, result FROM items WHERE job_id = ?1 AND seq > ?2 AND result IS NOT NULL ORDER BY seq LIMIT ?3")?;
            let rows = select.query_map(params![id, after, limit], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            rows.map(|row| row.map(|(seq, text)| (seq, serde_json::from_str(&text).unwrap_or(Value::Null)))).collect()
        })
    }

    /// The item of `asset_id` in a job, with its result.
    pub fn item_by_asset(&self, id: &str, asset_id: &str) -> Result<Option<(Item, Option<Value>)>, BackendError> {
        self.with(|conn| {
            conn.query_row(
                "SELECT seq, asset_id, content_hash, spooled, result FROM items WHERE job_id = ?1 AND asset_id = ?2 ORDER BY seq DESC LIMIT 1",
                params![id, asset_id],
                |r| {
                    let item = Item { seq: r.get(0)?, asset_id: r.get(1)?, content_hash: r.get(2)?, spooled: r.get(3)? };
                    let result: Option<String> = r.get(4)?;
                    Ok((item, result.and_then(|t| serde_json::from_str(&t).ok())))
                },
            )
            .optional()
        })
    }

    /// Jobs newest first (`created_at`, then id, both descending) after `after`, at most `limit`;
    /// answers the page and the cursor of the next one (`None` at the end). The store is locked
    /// for the page's ids, then for each job's view in turn (a large job's counts take a while),
    /// so the worker records results in between; a job deleted meanwhile is left out.
    pub fn list(
        &self,
        filter: &JobFilter,
        after: Option<&ListCursor>,
        limit: usize,
    ) -> Result<(Vec<JobView>, Option<ListCursor>), BackendError> {
        let statuses = (!filter.statuses.is_empty()).then(|| serde_json::json!(filter.statuses).to_string());
        let take = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
        let keys: Vec<(i64, String)> = self.with(|conn| {
            let mut select = conn.prepare(
                "SELECT created_at, id FROM jobs
                 WHERE (?1 IS NULL OR status IN (SELECT value FROM json_each(?1)))
                   AND (?2 IS NULL OR kind = ?2)
                   AND (?3 IS NULL OR (created_at, id) < (?3, ?4))
                 ORDER BY created_at DESC, id DESC LIMIT ?5",
            )?;
            let rows = select.query_map(
                params![statuses, filter.kind, after.map(|c| c.created_at), after.map(|c| c.id.as_str()), take],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            rows.collect()
        })?;
        let mut jobs = Vec::with_capacity(keys.len().min(limit));
        for (_, id) in keys.iter().take(limit) {
            if let Some(job) = self.job(id)? {
                jobs.push(job);
            }
        }
        // The keyset of the page's last row, even if that job was deleted meanwhile.
        let next = (keys.len() > limit)
            .then(|| limit.checked_sub(1).and_then(|last| keys.get(last)))
            .flatten()
            .map(|(created_at, id)| ListCursor { created_at: *created_at, id: id.clone() });
        Ok((jobs, next))
    }

    /// Deletes an ended job with its items and webhook deliveries, in one transaction; answers the
    /// content hashes its items had in the spool (remove those no other item references with
    /// [`crate::backend::jobs::retention::delete_job`]). A queued or running job is a conflict.
    pub fn delete(&self, id: &str) -> Result<Vec<String>, BackendError> {
        let result = self.with(|conn| {
            let tx = conn.transaction()?;
            let Some(status) = tx.query_row("SELECT status FROM jobs WHERE id = ?1", [id], |r| r.get::<_, String>(0)).optional()? else {
                return Ok(Err(BackendError::UnknownJob(id.to_owned())));
            };
            if status == "queued" || status == "running" {
                return Ok(Err(BackendError::Conflict(format!("job {id} is {status}: cancel it first"))));
            }
            let hashes: Vec<String> = {
                let mut select = tx.prepare("SELECT DISTINCT content_hash FROM items WHERE job_id = ?1 AND spooled = 1 AND content_hash IS NOT NULL")?;
                let rows = select.query_map([id], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            tx.execute("DELETE FROM deliveries WHERE job_id = ?1", [id])?;
            tx.execute("DELETE FROM items WHERE job_id = ?1", [id])?;
            tx.execute("DELETE FROM jobs WHERE id = ?1", [id])?;
            tx.commit()?;
            Ok(Ok(hashes))
        })?;
        result
    }

    /// Whether any item (of any job) has its file in the spool under `content_hash`.
    pub fn references(&self, content_hash: &str) -> Result<bool, BackendError> {
        self.with(|conn| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM items WHERE content_hash = ?1 AND spooled = 1)",
                [content_hash],
                |r| r.get(0),
            )
        })
    }

    /// Up to `limit` ended jobs last changed before `before` (unix ms), oldest first.
    pub fn ended_before(&self, before: i64, limit: usize) -> Result<Vec<String>, BackendError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(|conn| {
            let mut select = conn.prepare(&format!(
                "SELECT id FROM jobs WHERE status IN {ENDED} AND updated_at < ?1 ORDER BY updated_at, id LIMIT ?2"
            ))?;
            let rows = select.query_map(params![before, limit], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// Deliveries due now, oldest first.
    pub fn due_deliveries(&self, now: i64) -> Result<Vec<Delivery>, BackendError> {
        self.with(|conn| {
            let mut select = conn.prepare("SELECT id, event, url, body, attempts FROM deliveries WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at LIMIT 16")?;
            let rows = select.query_map([now], |r| Ok(Delivery { id: r.get(0)?, event: r.get(1)?, url: r.get(2)?, body: r.get(3)?, attempts: r.get(4)? }))?;
            rows.collect()
        })
    }

    /// Records one delivery attempt: delivered, tried again at `next_at`, or given up (`None`).
    pub fn delivery_attempt(
        &self,
        id: &str,
        status: Option<u16>,
        delivered: bool,
        next_at: Option<i64>,
    ) -> Result<(), BackendError> {
        self.with(|conn| {
            let state = if delivered { "delivered" } else if next_at.is_some() { "pending" } else { "failed" };
            conn.execute(
                "UPDATE deliveries SET state = ?2, attempts = attempts + 1, next_at = COALESCE(?3, next_at), last_status = ?4, updated_at = ?5 WHERE id = ?1",
                params![id, state, next_at, status, now_ms()],
            )?;
            Ok(())
        })
    }

    /// A delivery's state and attempts (tests, the job answer).
    pub fn deliveries(&self, job_id: &str) -> Result<Vec<Value>, BackendError> {
        self.with(|conn| {
            let mut select = conn.prepare(
                "SELECT id, event, state, attempts, last_status FROM deliveries WHERE job_id = ?1 ORDER BY updated_at",
            )?;
            let rows = select.query_map([job_id], |r| {
                Ok(serde_json::json!({
                    "id": r.get::<_, String>(0)?, "event": r.get::<_, String>(1)?, "state": r.get::<_, String>(2)?,
                    "attempts": r.get::<_, i64>(3)?, "last_status": r.get::<_, Option<i64>>(4)?,
                }))
            })?;
            rows.collect()
        })
    }
}

fn view(conn: &Connection, id: &str) -> Result<Option<JobView>, rusqlite::Error> {
    let Some((kind, status, options, source_job, created_at, updated_at)) = conn
        .query_row(
            "SELECT kind, status, options, source_job, created_at, updated_at FROM jobs WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut counts = std::collections::BTreeMap::new();
    {
        let mut select = conn.prepare("SELECT state, COUNT(*) FROM items WHERE job_id = ?1 GROUP BY state")?;
        let rows = select.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            counts.insert(state, n);
        }
    }
    let count = |s: &str| counts.get(s).copied().unwrap_or(0);
    let total: i64 = counts.values().sum();
    // Reused and changed counts come from the recorded results.
    let (reused, changed, off): (i64, i64, i64) = conn.query_row(
        "SELECT COALESCE(SUM(json_extract(result, '$.reused') = 1), 0), COALESCE(SUM(json_extract(result, '$.status') = 'changed'), 0),
                COALESCE(SUM(json_extract(result, '$.status') = 'smart_tags_off'), 0)
         FROM items WHERE job_id = ?1 AND result IS NOT NULL",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let summary = if kind == "retag" {
        serde_json::json!({
            "changed": changed, "unchanged": count("done") - changed, "needs_image": count("skipped") - off, "smart_tags_off": off,
            "failed": count("failed"),
        })
    } else {
        serde_json::json!({"tagged": count("done") - reused, "reused": reused, "skipped": count("skipped"), "failed": count("failed"), "cancelled": count("cancelled")})
    };
    Ok(Some(JobView {
        job_id: id.to_owned(),
        kind,
        status,
        total,
        done: count("done"),
        failed: count("failed"),
        skipped: count("skipped"),
        cancelled: count("cancelled"),
        pending: count("pending"),
        created_at,
        updated_at,
        source_job,
        options: serde_json::from_str(&options).unwrap_or(Value::Null),
        summary,
    }))
}

fn queue_delivery(conn: &Connection, url: &str, job: &JobView) -> Result<(), rusqlite::Error> {
    let event = format!("job.{}", job.status);
    let delivery_id =
        format!("dlv_{}", smart_tags_credentials::secret::random_hex(12).unwrap_or_else(|_| crate::unique_id()));
    let body = serde_json::json!({"event": event, "delivery_id": delivery_id, "job": job}).to_string();
    let now = now_ms();
    conn.execute(
        "INSERT INTO deliveries (id, job_id, event, url, body, state, next_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6)",
        params![delivery_id, job.job_id, event, url, body, now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<NewItem> {
        (0..n)
            .map(|i| NewItem { asset_id: Some(format!("a{i}")), content_hash: Some(format!("{i:064}")), spooled: true })
            .collect()
    }

    #[test]
    fn a_job_runs_to_its_end_and_queues_its_webhook_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = JobStore::open(&dir.path().join("jobs.sqlite3")).unwrap();
        store.create("job_1", "tag", &serde_json::json!({}), None, &items(3)).unwrap();
        assert_eq!(store.next_runnable().unwrap().unwrap().0, "job_1");
        store.start("job_1").unwrap();
        let pending = store.pending("job_1").unwrap();
        assert_eq!(pending.len(), 3);
        store.record("job_1", 0, "done", &serde_json::json!({"reused": true})).unwrap();
        store.record("job_1", 1, "failed", &serde_json::json!({})).unwrap();
        assert!(store.finish("job_1", Some("https://x/")).unwrap().is_none(), "an item is pending");
        store.record("job_1", 2, "done", &serde_json::json!({"reused": false})).unwrap();
        let job = store.finish("job_1", Some("https://x/")).unwrap().unwrap();
        assert_eq!((job.status.as_str(), job.done, job.failed, job.total), ("completed", 2, 1, 3));
        assert_eq!(job.summary["reused"], 1);
        assert!(store.finish("job_1", Some("https://x/")).unwrap().is_none(), "ends once");
        let due = store.due_deliveries(now_ms() + 1).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].event, "job.completed");
        assert!(store.next_runnable().unwrap().is_none());
        // Reopening keeps everything (the file is the state).
        drop(store);
        let store = JobStore::open(&dir.path().join("jobs.sqlite3")).unwrap();
        assert_eq!(store.results("job_1", -1, 10).unwrap().len(), 3);
    }

    #[test]
    fn cancel_then_resume_runs_only_the_cancelled_items() {
        let dir = tempfile::tempdir().unwrap();
        let store = JobStore::open(&dir.path().join("jobs.sqlite3")).unwrap();
        store.create("job_2", "tag", &serde_json::json!({}), None, &items(4)).unwrap();
        store.start("job_2").unwrap();
        store.record("job_2", 0, "done", &serde_json::json!({})).unwrap();
        let job = store.cancel("job_2", None).unwrap();
        assert_eq!((job.status.as_str(), job.cancelled, job.done), ("cancelled", 3, 1));
        assert!(store.next_runnable().unwrap().is_none());
        assert!(matches!(store.cancel("job_2", None), Err(BackendError::Conflict(_))));
        let job = store.resume("job_2").unwrap();
        assert_eq!((job.status.as_str(), job.pending), ("queued", 3));
        assert_eq!(store.pending("job_2").unwrap().iter().map(|i| i.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(matches!(store.resume("job_x"), Err(BackendError::UnknownJob(_))));
    }

    /// Sets a job's status and creation time through another connection to the same file (the
    /// store itself only ever writes "now").
    fn set(path: &Path, id: &str, status: &str, created_at: i64) {
        let conn = Connection::open(path).unwrap();
        conn.execute("UPDATE jobs SET status = ?2, created_at = ?3 WHERE id = ?1", params![id, status, created_at])
            .unwrap();
    }

    #[test]
    fn jobs_are_listed_newest_first_in_keyset_pages_with_filters() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite3");
        let store = JobStore::open(&path).unwrap();
        // 7 jobs; jobs 2, 3 and 4 share one creation time (the id orders them).
        let statuses = ["completed", "running", "failed", "queued", "completed", "cancelled", "completed"];
        let created = [1000, 2000, 3000, 3000, 3000, 4000, 5000];
        for (i, (status, at)) in statuses.iter().zip(created).enumerate() {
            let kind = if i % 2 == 0 { "tag" } else { "retag" };
            store.create(&format!("job_{i}"), kind, &serde_json::json!({}), None, &items(i % 3)).unwrap();
            set(&path, &format!("job_{i}"), status, at);
        }
        let all = JobFilter::default();
        let ids = |jobs: &[JobView]| jobs.iter().map(|j| j.job_id.clone()).collect::<Vec<_>>();
        let (page, next) = store.list(&all, None, 10).unwrap();
        assert_eq!(ids(&page), ["job_6", "job_5", "job_4", "job_3", "job_2", "job_1", "job_0"]);
        assert_eq!(next, None, "everything fits");
        assert_eq!(
            (page[2].total, page[2].kind.as_str(), page[2].status.as_str()),
            (1, "tag", "completed"),
            "a full job view"
        );
        // Pages of 2 join up without a gap or a repeat, even inside the tie at 3000.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let (page, next) = store.list(&all, after.as_ref(), 2).unwrap();
            assert!(page.len() <= 2);
            seen.extend(ids(&page));
            match next {
                Some(cursor) => {
                    assert_eq!(cursor.id, page[1].job_id, "the cursor is the page's last job");
                    after = Some(cursor);
                }
                None => break,
            }
        }
        assert_eq!(seen, ["job_6", "job_5", "job_4", "job_3", "job_2", "job_1", "job_0"]);
        let (page, next) = store.list(&all, None, 7).unwrap();
        assert_eq!((page.len(), next), (7, None), "an exact fit has no next page");
        let completed = JobFilter { statuses: vec!["completed".to_owned()], kind: None };
        assert_eq!(ids(&store.list(&completed, None, 10).unwrap().0), ["job_6", "job_4", "job_0"]);
        let active = JobFilter { statuses: vec!["queued".to_owned(), "running".to_owned()], kind: None };
        assert_eq!(ids(&store.list(&active, None, 10).unwrap().0), ["job_3", "job_1"]);
        let completed_tags = JobFilter { statuses: vec!["completed".to_owned()], kind: Some("tag".to_owned()) };
        let (page, next) = store.list(&completed_tags, None, 2).unwrap();
        assert_eq!(ids(&page), ["job_6", "job_4"]);
        assert_eq!(ids(&store.list(&completed_tags, next.as_ref(), 2).unwrap().0), ["job_0"]);
        let retags = JobFilter { statuses: Vec::new(), kind: Some("retag".to_owned()) };
        assert_eq!(ids(&store.list(&retags, None, 10).unwrap().0), ["job_5", "job_3", "job_1"]);
    }

    #[test]
    fn only_an_ended_job_is_deleted_with_its_items_and_deliveries() {
        let dir = tempfile::tempdir().unwrap();
        let store = JobStore::open(&dir.path().join("jobs.sqlite3")).unwrap();
        store.create("job_r", "tag", &serde_json::json!({}), None, &items(2)).unwrap();
        match store.delete("job_r") {
            Err(BackendError::Conflict(message)) => assert_eq!(message, "job job_r is queued: cancel it first"),
            other => panic!("a queued job is not deleted: {other:?}"),
        }
        store.start("job_r").unwrap();
        assert!(matches!(store.delete("job_r"), Err(BackendError::Conflict(m)) if m.contains("running")));
        assert!(matches!(store.delete("job_none"), Err(BackendError::UnknownJob(_))));
        store.record("job_r", 0, "done", &serde_json::json!({})).unwrap();
        store.record("job_r", 1, "failed", &serde_json::json!({})).unwrap();
        store.finish("job_r", Some("https://x/")).unwrap().unwrap();
        assert_eq!(store.deliveries("job_r").unwrap().len(), 1);
        store.create("job_k", "tag", &serde_json::json!({}), None, &items(1)).unwrap();
        let mut hashes = store.delete("job_r").unwrap();
        hashes.sort();
        assert_eq!(hashes, [format!("{:064}", 0), format!("{:064}", 1)], "the spool files its items had");
        assert!(store.job("job_r").unwrap().is_none());
        assert!(store.results("job_r", -1, 10).unwrap().is_empty(), "its items are gone");
        assert!(store.deliveries("job_r").unwrap().is_empty(), "its deliveries are gone");
        assert!(store.due_deliveries(now_ms() + 1).unwrap().is_empty());
        assert!(store.references(&format!("{:064}", 0)).unwrap(), "job_k's item still has it");
        assert!(!store.references(&format!("{:064}", 1)).unwrap());
        assert!(store.job("job_k").unwrap().is_some(), "other jobs are untouched");
        assert!(matches!(store.delete("job_r"), Err(BackendError::UnknownJob(_))), "once");
    }

    #[test]
    fn ended_jobs_are_found_by_their_last_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite3");
        let store = JobStore::open(&path).unwrap();
        for (id, status) in [("job_a", "completed"), ("job_b", "running"), ("job_c", "cancelled"), ("job_d", "failed")]
        {
            store.create(id, "tag", &serde_json::json!({}), None, &[]).unwrap();
            let conn = Connection::open(&path).unwrap();
            conn.execute("UPDATE jobs SET status = ?2, updated_at = 100 WHERE id = ?1", params![id, status]).unwrap();
        }
        Connection::open(&path).unwrap().execute("UPDATE jobs SET updated_at = 300 WHERE id = 'job_d'", []).unwrap();
        assert_eq!(store.ended_before(200, 10).unwrap(), ["job_a", "job_c"]);
        assert_eq!(store.ended_before(200, 1).unwrap(), ["job_a"]);
        assert_eq!(store.ended_before(301, 10).unwrap(), ["job_a", "job_c", "job_d"]);
        assert!(store.ended_before(100, 10).unwrap().is_empty(), "strictly before");
    }

    /// While another thread holds the connection for 300 ms, a `call` waits on the blocking pool:
    /// the only thread of a `current_thread` runtime still wakes a 10 ms sleep on time (had `f` run
    /// inline, the sleep could only end after the lock was let go).
    #[test]
    fn call_waits_for_the_store_off_the_runtime_thread() {
        use std::time::{Duration, Instant};
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(JobStore::open(&dir.path().join("jobs.sqlite3")).unwrap());
        store.create("job_b", "tag", &serde_json::json!({}), None, &items(2)).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let (locked, is_locked) = std::sync::mpsc::channel();
        let holder = {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let _conn = store.conn.lock().unwrap();
                locked.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(300));
            })
        };
        is_locked.recv().unwrap();
        let (slept, called, job) = runtime.block_on(async {
            let start = Instant::now();
            let sleeper = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(10)).await;
                start.elapsed()
            });
            let job = store.call(|store| store.job("job_b")).await;
            let called = start.elapsed();
            (sleeper.await.unwrap(), called, job)
        });
        holder.join().unwrap();
        assert_eq!(job.unwrap().unwrap().total, 2, "the call answers what the method answers");
        assert!(called >= Duration::from_millis(250), "the call waited for the lock ({called:?})");
        assert!(slept < Duration::from_millis(150), "the runtime thread was blocked: a 10 ms sleep took {slept:?}");
        // A task that panics is a job store failure, not a panic of the caller.
        let failed = runtime.block_on(store.call(|_| -> Result<(), BackendError> { panic!("a broken closure") }));
        assert!(matches!(failed, Err(BackendError::Store)), "{failed:?}");
        let unknown = runtime.block_on(store.call(|store| store.resume("job_none")));
        assert!(
            matches!(unknown, Err(BackendError::UnknownJob(ref id)) if id == "job_none"),
            "the method's own error: {unknown:?}"
        );
    }
}
