//! `GET /api/v1/backend/jobs/{id}?wait=30`: the job's status and counts; with `wait` (at most
//! 60 s) the answer waits until the job ends (woken by the worker when it does) or the time passes. `deliveries` lists the job's
//! webhook deliveries (state, attempts, last status).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::backend::error::BackendError;
use crate::backend::extract::{BackendPath, BackendQuery};
use crate::backend::Backend;

/// The longest long poll.
pub const MAX_WAIT_SECONDS: u64 = 60;

#[derive(Debug, Deserialize)]
pub struct WaitQuery {
    wait: Option<u64>,
}

pub async fn get(
    State(backend): State<Arc<Backend>>,
    BackendPath(id): BackendPath<String>,
    BackendQuery(query): BackendQuery<WaitQuery>,
) -> Result<Json<Value>, BackendError> {
    let deadline = Instant::now() + Duration::from_secs(query.wait.unwrap_or(0).min(MAX_WAIT_SECONDS));
    // Subscribed before the job is read, so an end between the read and the wait is not missed.
    let mut ended = backend.ended.subscribe();
    loop {
        let job = backend
            .jobs
            .call({
                let id = id.clone();
                move |store| store.known_job(&id)
            })
            .await?;
        let now = Instant::now();
        if job.ended() || now >= deadline {
            let mut answer = json!(job);
            answer["deliveries"] = json!(backend.jobs.call(move |store| store.deliveries(&id)).await?);
            return Ok(Json(answer));
        }
        // Woken when any job ends; looked at again at least every second.
        let wait = (deadline - now).min(Duration::from_secs(1));
        if let Ok(Err(_)) = tokio::time::timeout(wait, ended.changed()).await {
            tokio::time::sleep(wait).await;
        }
    }
}
