//! `DELETE /v1/training/models/{name}`: deletes a tag model with all its versions and jobs; its
//! tags stop being predicted and leave stored assets (`training::apply`). Examples stay (they belong to tags, not models).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;

use super::blocking;
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::AppState;

pub async fn delete_model(
    State(state): State<Arc<AppState>>,
    PathParams(name): PathParams<String>,
) -> Result<StatusCode, ServiceError> {
    blocking(&state, move |state| Ok(state.store.delete_model(&name)?)).await?;
    crate::training::apply::wake(&state);
    Ok(StatusCode::NO_CONTENT)
}
