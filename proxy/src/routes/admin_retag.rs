//! What the admin page's bulk re-tag routes (`/api/v1/admin/retag-jobs...`) share: the admin
//! token check, the back-end API's job machinery they run on (the same store and worker as
//! `/api/v1/backend/jobs`), and that a job id names a re-tag job. Without `--backend-keys` there
//! is no job store: every route answers 404 `backend_off`.

use std::sync::Arc;

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::admin::authorize;
use crate::backend::error::BackendError;
use crate::backend::Backend;
use crate::error::ErrorResponse;
use crate::{request_id, AppState};

/// Why an admin re-tag route refuses: the admin token (the proxy's admin error) or the back end
/// (off, not a re-tag job, the job store).
#[derive(Debug)]
pub(crate) enum Refused {
    Admin(ErrorResponse),
    Backend(BackendError),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Admin(error) => error.into_response(),
            Refused::Backend(error) => error.into_response(),
        }
    }
}

/// The admin token first (401/403 like the other admin routes), then the back end (404
/// `backend_off` when the proxy runs without the back-end API).
pub(crate) fn admin_backend(state: &AppState, headers: &HeaderMap) -> Result<Arc<Backend>, Refused> {
    authorize(state, headers).map_err(|e| Refused::Admin(e.with_request_id(request_id())))?;
    state.backend.clone().ok_or(Refused::Backend(BackendError::Off))
}

/// [`admin_backend`], then checks that `id` is a re-tag job: the admin routes see no other kind
/// (a tag job of a DAM's back end answers 404 `unknown_job` here).
pub(crate) async fn retag_job_backend(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<Arc<Backend>, Refused> {
    let backend = admin_backend(state, headers)?;
    let job = id.to_owned();
    match backend.jobs.call(move |store| store.job(&job)).await {
        Ok(Some(job)) if job.kind == "retag" => Ok(backend),
        Ok(_) => Err(Refused::Backend(BackendError::UnknownJob(id.to_owned()))),
        Err(error) => Err(Refused::Backend(error)),
    }
}
