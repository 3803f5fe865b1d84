//! `POST /api/v1/admin/retag-jobs/{id}/apply` (admin token): from a completed dry run, the re-tag
//! job that saves, over the same assets (`POST /api/v1/backend/jobs/{id}/apply`'s handler).
//! Answers 202 `{job_id, status, total, source_job}`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::admin_retag::retag_job_backend;
use crate::AppState;

pub async fn apply(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    match retag_job_backend(&state, &headers, &id).await {
        Ok(backend) => super::backend_job_apply::apply(State(backend), crate::backend::extract::BackendPath(id))
            .await
            .into_response(),
        Err(refused) => refused.into_response(),
    }
}
