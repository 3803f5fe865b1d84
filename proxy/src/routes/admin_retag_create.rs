//! `POST /api/v1/admin/retag-jobs` (admin token): starts a bulk re-tag job,
//! `{"kind": "retag", "folder": "/a" | null, "dry_run": true}` as JSON, exactly like
//! `POST /api/v1/backend/jobs` (the same handler: folder check, asset listing, job store).
//! Answers 202 `{job_id, status, total}`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::admin_retag::admin_backend;
use crate::backend::error::BackendError;
use crate::AppState;

pub async fn create(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let backend = match admin_backend(&state, request.headers()) {
        Ok(backend) => backend,
        Err(refused) => return refused.into_response(),
    };
    let json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return BackendError::BadRequest("send the re-tag job as application/json: {\"kind\": \"retag\", \"folder\": \"/a\" or null, \"dry_run\": true}".to_owned()).into_response();
    }
    super::backend_job_create::create(State(backend), request).await.into_response()
}
