//! `POST /api/v1/backend/jobs/{id}/apply`: from a completed dry-run re-tag job, a new re-tag job
//! over the same assets that saves (`dry_run: false`). Answers 202 like a new job.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::backend::error::BackendError;
use crate::backend::extract::BackendPath;
use crate::backend::jobs::new_job_id;
use crate::backend::jobs::store::NewItem;
use crate::backend::Backend;

pub async fn apply(
    State(backend): State<Arc<Backend>>,
    BackendPath(id): BackendPath<String>,
) -> Result<(StatusCode, Json<Value>), BackendError> {
    let job = backend
        .jobs
        .call({
            let id = id.clone();
            move |store| store.known_job(&id)
        })
        .await?;
    if job.kind != "retag" || job.options.get("dry_run").and_then(Value::as_bool) != Some(true) {
        return Err(BackendError::Conflict(format!("job {id} is not a dry-run re-tag job")));
    }
    if job.status != "completed" {
        return Err(BackendError::Conflict(format!("job {id} is {}: apply a completed dry run", job.status)));
    }
    let items: Vec<NewItem> = backend
        .jobs
        .call({
            let id = id.clone();
            move |store| store.items(&id)
        })
        .await?
        .into_iter()
        .map(|i| NewItem { asset_id: i.asset_id, content_hash: i.content_hash, spooled: false })
        .collect();
    let mut options = job.options.clone();
    options["dry_run"] = json!(false);
    let new_id = new_job_id();
    let total = items.len();
    backend
        .jobs
        .call({
            let (new_id, id) = (new_id.clone(), id.clone());
            move |store| store.create(&new_id, "retag", &options, Some(&id), &items)
        })
        .await?;
    backend.wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(json!({"job_id": new_id, "status": "queued", "total": total, "source_job": id}))))
}
