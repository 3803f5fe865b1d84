//! `POST /v1/training/models/{name}/versions/{version}/activate`: makes a version the one that
//! predicts. Rolling back is activating an earlier version. Stored assets follow at once, from
//! their stored model outputs (`training::apply`; progress in `GET /v1/training/models`).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::{blocking, summary_of, ModelSummary, VersionPath};
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::AppState;

pub async fn activate_version(
    State(state): State<Arc<AppState>>,
    PathParams(path): PathParams<VersionPath>,
) -> Result<Json<ModelSummary>, ServiceError> {
    let summary = blocking(&state, move |state| {
        state.store.activate(&path.name, path.version)?;
        summary_of(state, &path.name)
    })
    .await?;
    crate::training::apply::wake(&state);
    Ok(Json(summary))
}
