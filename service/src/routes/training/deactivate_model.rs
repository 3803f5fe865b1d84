//! `POST /v1/training/models/{name}/deactivate`: leaves the model without an active version, so
//! its tags are no longer predicted, and leave stored assets (`training::apply`; moderation, such as
//! a tag a person accepted, stays); its versions stay.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::{blocking, summary_of, ModelSummary};
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::AppState;

pub async fn deactivate_model(
    State(state): State<Arc<AppState>>,
    PathParams(name): PathParams<String>,
) -> Result<Json<ModelSummary>, ServiceError> {
    let summary = blocking(&state, move |state| {
        state.store.deactivate(&name)?;
        summary_of(state, &name)
    })
    .await?;
    crate::training::apply::wake(&state);
    Ok(Json(summary))
}
