//! `POST /v1/training/jobs/{id}/cancel`: asks a running job to stop. A job that already ended is
//! answered as it is; one no thread runs (left by a stopped process) is marked cancelled.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::blocking;
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::store::{Job, JobStatus};
use crate::AppState;

pub async fn cancel_job(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Job>, ServiceError> {
    let job = blocking(&state, move |state| {
        let job = state.store.job(id)?;
        if job.status.is_final() || state.trainer.cancel(id) {
            return Ok(job);
        }
        Ok(state.store.finish_job(id, JobStatus::Cancelled, None)?)
    })
    .await?;
    Ok(Json(job))
}
