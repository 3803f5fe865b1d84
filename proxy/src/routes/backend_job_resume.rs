//! `POST /api/v1/backend/jobs/{id}/resume`: a cancelled job goes on with its cancelled items, and
//! an ended job tries its retryable failed items again (the service was down, busy or slow); 409
//! when an ended job has none. A job interrupted by a restart goes on by itself; resuming it
//! changes nothing.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use crate::backend::error::BackendError;
use crate::backend::extract::BackendPath;
use crate::backend::jobs::store::JobView;
use crate::backend::Backend;

pub async fn resume(
    State(backend): State<Arc<Backend>>,
    BackendPath(id): BackendPath<String>,
) -> Result<Json<JobView>, BackendError> {
    let job = backend.jobs.call(move |store| store.resume(&id)).await?;
    backend.wake.notify_one();
    Ok(Json(job))
}
