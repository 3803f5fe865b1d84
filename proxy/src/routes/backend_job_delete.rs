//! `DELETE /api/v1/backend/jobs/{id}`: deletes an ended job (cancelled, completed, failed) with
//! its items and webhook deliveries, in one transaction, then the spooled files no remaining item
//! references; 204. A queued or running job is 409 `conflict` (cancel it first), an unknown one
//! 404 `unknown_job`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;

use crate::backend::error::BackendError;
use crate::backend::extract::BackendPath;
use crate::backend::jobs::retention::delete_job;
use crate::backend::Backend;

pub async fn delete(
    State(backend): State<Arc<Backend>>,
    BackendPath(id): BackendPath<String>,
) -> Result<StatusCode, BackendError> {
    let files = backend
        .jobs
        .call({
            let (spool, id) = (backend.spool.clone(), id.clone());
            move |store| delete_job(store, &spool, &id)
        })
        .await?;
    tracing::info!(job = id, files, "job deleted");
    Ok(StatusCode::NO_CONTENT)
}
