//! The job worker: one tokio task that takes the oldest queued or running job (so a job left
//! running by a crash or `kill -9` goes on by itself at start-up), works on `concurrency` of its
//! pending items at a time (preprocessing on the blocking pool, the service with the workflow's
//! timeout and retries), records each item's result in one transaction, and ends the job with its
//! webhook. A cancelled job starts no new item; the ones in flight still record their result.
//! While the tagging service is down, an item that meets it goes back to the queue unrecorded and
//! the job waits for the service ([`Outage`]), for at most `--job-outage-minutes`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use smart_tags_core::workflow::{Outcome, Step, StepKind, StepResult, StepStatus};
use tokio::task::JoinSet;

use super::store::Item;
use crate::backend::memory::Wait;
use crate::backend::tagging::{tag_image, TagInput};
use crate::backend::upload::ImageUpload;
use crate::backend::Backend;

/// Runs forever: the jobs one after the other. A job a previous process left `running` goes on at
/// once: a re-sent item whose first request the service is still working on waits for it there
/// (one lock per content hash) and is answered from its saved prediction.
pub async fn run(backend: Arc<Backend>) {
    loop {
        match backend.jobs.call(|store| store.next_runnable()).await {
            Ok(Some((id, kind, options))) => run_job(&backend, &id, &kind, &options).await,
            Ok(None) => {
                tokio::select! {
                    () = backend.wake.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}

async fn run_job(backend: &Arc<Backend>, id: &str, kind: &str, options: &Value) {
    let job = id.to_owned();
    if backend
        .jobs
        .call({
            let job = job.clone();
            move |store| store.start(&job)
        })
        .await
        .is_err()
    {
        tokio::time::sleep(Duration::from_secs(1)).await;
        return;
    }
    let Ok(items) = backend
        .jobs
        .call({
            let job = job.clone();
            move |store| store.pending(&job)
        })
        .await
    else {
        tokio::time::sleep(Duration::from_secs(1)).await;
        return;
    };
    tracing::info!(job = id, pending = items.len(), "job running");
    let mut queue: VecDeque<Item> = items.into();
    let mut outage = Outage::default();
    let mut running = JoinSet::new();
    let mut stopped = false;
    loop {
        while !stopped && !outage.pausing(backend.config.job_outage_wait) && running.len() < backend.config.concurrency
        {
            if !still_running(backend, id).await {
                stopped = true;
                break;
            }
            let Some(item) = queue.pop_front() else { break };
            let (backend, id, kind, options) = (Arc::clone(backend), id.to_owned(), kind.to_owned(), options.clone());
            let give_back = !outage.gave_up && !backend.config.job_outage_wait.is_zero();
            running.spawn(async move {
                let (state, result) = if kind == "retag" {
                    retag_item(&backend, &options, &item).await
                } else {
                    tag_item(&backend, &options, &item).await
                };
                let met_outage = state == "failed" && service_down(&result);
                // The service is down (its health check fails too: a slow or busy service that
                // answers it is not waited for): the item goes back to the queue, unrecorded.
                if give_back && met_outage && !backend.service.healthy().await {
                    return Ran::GivenBack(item);
                }
                let (job, seq) = (id.clone(), item.seq);
                if let Err(error) = backend.jobs.call(move |store| store.record(&job, seq, state, &result)).await {
                    tracing::error!(job = id, seq = item.seq, %error, "cannot record an item's result");
                }
                Ran::Recorded { met_outage }
            });
        }
        match running.join_next().await {
            Some(Ok(Ran::GivenBack(item))) => {
                queue.push_front(item);
                if outage.since.is_none() {
                    tracing::warn!(job = id, "the tagging service is down: the job waits for it");
                }
                outage.since.get_or_insert_with(Instant::now);
            }
            // The service answered: an outage given up on is over.
            Some(Ok(Ran::Recorded { met_outage: false })) => outage = Outage::default(),
            Some(_) => {}
            None if stopped || queue.is_empty() => break,
            // Nothing in flight and the service is down: wait for it (a cancel ends the wait).
            None => {
                if still_running(backend, id).await {
                    outage.wait(backend, id).await;
                } else {
                    stopped = true;
                }
            }
        }
    }
    let webhook = options.get("webhook_url").and_then(Value::as_str).map(str::to_owned);
    match backend.jobs.call(move |store| store.finish(&job, webhook.as_deref())).await {
        Ok(Some(job)) => {
            tracing::info!(job = id, status = job.status, done = job.done, failed = job.failed, "job ended");
            backend.job_ended();
        }
        Ok(None) => {
            // Cancelled, or an item could not be recorded: look again shortly.
            if !stopped {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
    }
}

fn failed_result(item: &Item, folder: Option<&str>, step: StepKind, code: &str, message: &str) -> Value {
    json!({
        "asset_id": item.asset_id, "content_hash": item.content_hash, "folder": folder,
        "outcome": Outcome::Failed, "steps": [StepResult::failed(step, 1, code, message)],
        "tags": null, "reused": false, "retryable": crate::backend::tagging::retryable_code(code),
    })
}

/// Whether the job is still `running` (not cancelled meanwhile).
async fn still_running(backend: &Backend, id: &str) -> bool {
    let job = id.to_owned();
    matches!(backend.jobs.call(move |store| store.status(&job)).await, Ok(Some(s)) if s == "running")
}

/// How an item's task ended.
enum Ran {
    /// Met a service that is down: back to the queue, nothing recorded.
    GivenBack(Item),
    /// Its result is recorded; `met_outage`: it failed on a down, busy or slow service.
    Recorded { met_outage: bool },
}

/// The codes that mean the tagging service is down or overloaded, not that the item is bad.
const OUTAGE_CODES: [&str; 3] = ["service_unavailable", "service_busy", "service_timeout"];

/// Whether an item failed because the service is down (a tag item's steps, a retag item's error).
fn service_down(result: &Value) -> bool {
    let is_outage = |code: Option<&str>| code.is_some_and(|c| OUTAGE_CODES.contains(&c));
    is_outage(result.pointer("/error/code").and_then(Value::as_str))
        || result
            .get("steps")
            .and_then(Value::as_array)
            .is_some_and(|steps| steps.iter().any(|s| is_outage(s.get("code").and_then(Value::as_str))))
}

/// A job's wait for a tagging service that is down: no new item starts, the health check is
/// tried after 1, 2, 4 … 30 s, and once the service has been down longer than the job outage
/// wait (`--job-outage-minutes`), items are tried and fail as they come, as without a wait.
#[derive(Debug, Default)]
struct Outage {
    since: Option<Instant>,
    /// Longer than the wait: items fail (until the service answers again).
    gave_up: bool,
    /// The next health check's delay.
    backoff: Duration,
}

impl Outage {
    /// Whether new items wait.
    fn pausing(&mut self, limit: Duration) -> bool {
        if let Some(since) = self.since {
            if since.elapsed() >= limit && !self.gave_up {
                tracing::warn!(
                    waited_s = since.elapsed().as_secs(),
                    "the tagging service is still down: the job's items now fail as they come"
                );
                self.gave_up = true;
            }
        }
        self.since.is_some() && !self.gave_up
    }

    /// One health check after the backoff; the outage ends when the service answers.
    async fn wait(&mut self, backend: &Backend, job: &str) {
        if self.gave_up || self.since.is_none() {
            return;
        }
        self.backoff = (self.backoff * 2).clamp(Duration::from_secs(1), Duration::from_secs(30));
        tokio::time::sleep(self.backoff).await;
        if backend.service.healthy().await {
            tracing::info!(
                job,
                down_s = self.since.map_or(0, |s| s.elapsed().as_secs()),
                "the tagging service answers again: the job goes on"
            );
            *self = Outage::default();
        }
    }
}

/// Tags one spooled file; answers the item's state and its result.
async fn tag_item(backend: &Backend, options: &Value, item: &Item) -> (&'static str, Value) {
    let folder = options.get("folder").and_then(Value::as_str);
    let missing = || {
        (
            "failed",
            failed_result(
                item,
                folder,
                StepKind::Thumbnails,
                "spool_missing",
                "the uploaded file is no longer in the spool",
            ),
        )
    };
    let Some(path) = item.content_hash.as_deref().and_then(|hash| backend.spool.path(hash)) else { return missing() };
    // Charged its size before it is read into memory.
    let Ok(metadata) = tokio::fs::metadata(&path).await else { return missing() };
    let Ok(charge) = backend.memory.body(metadata.len(), Wait::Forever).await else {
        return (
            "failed",
            failed_result(
                item,
                folder,
                StepKind::Thumbnails,
                "internal",
                "the proxy failed on this item: its log says why",
            ),
        );
    };
    let Ok(bytes) = tokio::fs::read(&path).await else { return missing() };
    let input = TagInput {
        asset_id: item.asset_id.clone(),
        folder: folder.map(str::to_owned),
        force: options.get("force").and_then(Value::as_bool).unwrap_or(false),
        thumbnail: false,
    };
    match tag_image(backend, ImageUpload { bytes: bytes.into(), charge }, &input, Wait::Forever).await {
        Ok(result) => {
            let skipped = result.steps.iter().any(|s| {
                s.step == StepKind::SmartTags
                    && s.status == StepStatus::Skipped
                    && s.code.as_deref() == Some("smart_tags_off")
            });
            let state = match result.outcome {
                Outcome::Failed => "failed",
                _ if skipped => "skipped",
                _ => "done",
            };
            (state, serde_json::to_value(&result).unwrap_or(Value::Null))
        }
        Err(error) => ("failed", failed_result(item, folder, StepKind::Thumbnails, &error.code(), &error.to_string())),
    }
}

/// Re-tags one asset from its stored model output.
async fn retag_item(backend: &Backend, options: &Value, item: &Item) -> (&'static str, Value) {
    let mut body = json!({"dry_run": options.get("dry_run").and_then(Value::as_bool).unwrap_or(true)});
    match (&item.asset_id, &item.content_hash) {
        (Some(id), _) => body["asset_id"] = json!(id),
        (None, Some(hash)) => body["content_hash"] = json!(hash),
        (None, None) => {
            return ("failed", json!({"error": {"code": "no_asset", "message": "the item names no asset"}}))
        }
    }
    if let Some(locale) = options.get("locale").and_then(Value::as_str) {
        body["locale"] = json!(locale);
    }
    if options.get("ignore_smart_tag_flag").and_then(Value::as_bool) == Some(true) {
        body["ignore_smart_tag_flag"] = json!(true);
    }
    let step = match backend.service.workflow().await {
        Ok((_, workflow)) => {
            workflow.step(StepKind::SmartTags).cloned().unwrap_or_else(|| Step::new(StepKind::SmartTags))
        }
        Err(_) => Step::new(StepKind::SmartTags),
    };
    let (attempts, answer) =
        crate::backend::tagging::with_retries(&step, || backend.service.retag(&body, step.timeout())).await;
    match answer {
        Ok(mut answer) => {
            let skipped =
                matches!(answer.get("status").and_then(Value::as_str), Some("needs_image" | "smart_tags_off"));
            let state = if skipped { "skipped" } else { "done" };
            answer["asset_id"] = json!(item.asset_id);
            answer["content_hash"] = json!(item.content_hash);
            answer["attempts"] = json!(attempts);
            (state, answer)
        }
        Err(e) => (
            "failed",
            json!({"asset_id": item.asset_id, "content_hash": item.content_hash, "attempts": attempts, "retryable": e.retryable, "error": {"code": e.code, "message": e.message}}),
        ),
    }
}
