//! `DELETE /v1/training/models/{name}/versions/{version}`: deletes a version; the active one
//! cannot be deleted (409 `version_active`: activate another or deactivate the model first).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;

use super::{blocking, VersionPath};
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::AppState;

pub async fn delete_version(
    State(state): State<Arc<AppState>>,
    PathParams(path): PathParams<VersionPath>,
) -> Result<StatusCode, ServiceError> {
    blocking(&state, move |state| Ok(state.store.delete_version(&path.name, path.version)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}
