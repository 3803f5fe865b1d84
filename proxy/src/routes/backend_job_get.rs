//! `GET /api/v1/backend/jobs/{id}?wait=30`: the job's status and counts; with `wait` (at most
//! 60 s) the answer waits until the job ends or the time passes. `deliveries` lists the job's
//! webhook deliveries (state, attempts, last status).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::backend::error::BackendError;
use crate::backend::Backend;

/// The longest long poll.
pub const MAX_WAIT_SECONDS: u64 = 60;

#[derive(Debug, Deserialize)]
pub struct WaitQuery {
    wait: Option<u64>,
}

pub async fn get(State(backend): State<Arc<Backend>>, Path(id): Path<String>, Query(query): Query<WaitQuery>) -> Result<Json<Value>, BackendError> {
    let deadline = Instant::now() + Duration::from_secs(query.wait.unwrap_or(0).min(MAX_WAIT_SECONDS));
    loop {
        let job = backend.jobs.job(&id)?.ok_or_else(|| BackendError::UnknownJob(id.clone()))?;
        if job.ended() || Instant::now() >= deadline {
            let mut answer = json!(job);
            answer["deliveries"] = json!(backend.jobs.deliveries(&id)?);
            return Ok(Json(answer));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
