//! `GET /api/v1/admin/retag-jobs/{id}?wait=30` (admin token): a re-tag job's status, counts and
//! summary, with the same long poll as `GET /api/v1/backend/jobs/{id}` (its handler).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::admin_retag::retag_job_backend;
use super::backend_job_get::WaitQuery;
use crate::AppState;

pub async fn get(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(query): Query<WaitQuery>,
    headers: HeaderMap,
) -> Response {
    match retag_job_backend(&state, &headers, &id).await {
        Ok(backend) => super::backend_job_get::get(
            State(backend),
            crate::backend::extract::BackendPath(id),
            crate::backend::extract::BackendQuery(query),
        )
        .await
        .into_response(),
        Err(refused) => refused.into_response(),
    }
}
