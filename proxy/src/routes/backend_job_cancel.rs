//! `POST /api/v1/backend/jobs/{id}/cancel`: pending items become `cancelled`; items in flight
//! finish and record their result. The job's webhook says `job.cancelled`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use crate::backend::error::BackendError;
use crate::backend::extract::BackendPath;
use crate::backend::jobs::store::JobView;
use crate::backend::Backend;

pub async fn cancel(
    State(backend): State<Arc<Backend>>,
    BackendPath(id): BackendPath<String>,
) -> Result<Json<JobView>, BackendError> {
    let job = backend
        .jobs
        .call({
            let id = id.clone();
            move |store| store.known_job(&id)
        })
        .await?;
    let webhook = job.options.get("webhook_url").and_then(Value::as_str).map(str::to_owned);
    let job = backend.jobs.call(move |store| store.cancel(&id, webhook.as_deref())).await?;
    backend.job_ended();
    Ok(Json(job))
}
