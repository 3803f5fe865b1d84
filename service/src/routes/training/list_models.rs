//! `GET /v1/training/models`: every tag model with its tags (titles, example counts), options,
//! active version, number of versions and newest job; and `applying`: how far the stored assets'
//! predictions have come to the active versions.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::{blocking, model_summary, ModelSummary};
use crate::error::ServiceError;
use crate::training::apply::ApplyProgress;
use crate::AppState;

#[derive(Debug, Serialize)]
pub struct Models {
    pub models: Vec<ModelSummary>,
    /// How far stored assets have come to the active versions (`training::apply`).
    pub applying: ApplyProgress,
}

pub async fn list_models(State(state): State<Arc<AppState>>) -> Result<Json<Models>, ServiceError> {
    let models = blocking(&state, |state| {
        let mapping = state.mapping.get(&state.store)?;
        let counts = state.store.example_counts(state.engine.version())?;
        state
            .store
            .models()?
            .into_iter()
            .map(|m| model_summary(&state.store, &mapping.taxonomy, &counts, m))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let trained = state.store.versions().map_err(ServiceError::from)?.trained;
    Ok(Json(Models { models, applying: state.applier.progress_at(trained) }))
}
