//! `GET /v1/training/jobs/{id}`: a training job's status (pending, training, trained, failed,
//! cancelled), progress from 0 to 1, the reason it failed, and the version it made.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::blocking;
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::store::Job;
use crate::AppState;

pub async fn get_job(
    State(state): State<Arc<AppState>>,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Job>, ServiceError> {
    Ok(Json(blocking(&state, move |state| Ok(state.store.job(id)?)).await?))
}
