//! `POST /api/v1/admin/retag-jobs/{id}/cancel` (admin token): stops a re-tag job; its pending
//! assets are not re-tagged (`POST /api/v1/backend/jobs/{id}/cancel`'s handler).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::admin_retag::retag_job_backend;
use crate::AppState;

pub async fn cancel(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    match retag_job_backend(&state, &headers, &id).await {
        Ok(backend) => super::backend_job_cancel::cancel(State(backend), crate::backend::extract::BackendPath(id))
            .await
            .into_response(),
        Err(refused) => refused.into_response(),
    }
}
