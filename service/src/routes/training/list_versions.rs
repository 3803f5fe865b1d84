//! `GET /v1/training/models/{name}/versions`: the version history, newest first, each with its
//! metrics (out-of-fold accuracy, macro precision/recall), per-tag calibrated thresholds and
//! precision/recall, the taxonomy and image model it was made with, and whether it is active.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::{blocking, version_answer, VersionAnswer};
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::AppState;

#[derive(Debug, Serialize)]
pub struct Versions {
    pub versions: Vec<VersionAnswer>,
}

pub async fn list_versions(
    State(state): State<Arc<AppState>>,
    PathParams(name): PathParams<String>,
) -> Result<Json<Versions>, ServiceError> {
    let versions = blocking(&state, move |state| {
        let mapping = state.mapping.get(&state.store)?;
        let active = state.store.model(&name)?.active_version;
        Ok(state.store.versions_of(&name)?.into_iter().map(|v| version_answer(v, active, &mapping.taxonomy)).collect())
    })
    .await?;
    Ok(Json(Versions { versions }))
}
