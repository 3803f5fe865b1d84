//! `GET /api/v1/admin/retag-jobs/{id}/results?after=&limit=` (admin token): the per-asset results
//! of a re-tag job (`status`, `added`, `removed`, `tags`), paged like
//! `GET /api/v1/backend/jobs/{id}/results` (its handler; `format` works too).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::admin_retag::retag_job_backend;
use super::backend_job_results::ResultsQuery;
use crate::AppState;

pub async fn results(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(query): Query<ResultsQuery>,
    headers: HeaderMap,
) -> Response {
    match retag_job_backend(&state, &headers, &id).await {
        Ok(backend) => super::backend_job_results::results(
            State(backend),
            crate::backend::extract::BackendPath(id),
            crate::backend::extract::BackendQuery(query),
        )
        .await
        .into_response(),
        Err(refused) => refused.into_response(),
    }
}
