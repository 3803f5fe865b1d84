//! `PUT /v1/workflow` with the whole workflow definition (missing fields take their defaults,
//! unknown ones are a 400): validated with every problem listed (422 `invalid_workflow`), then
//! stored with a new version. Answers as `GET /v1/workflow`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use smart_tags_core::workflow::Workflow;

use super::refused;
use crate::error::ServiceError;
use crate::routes::support::{on_store, Actor, JsonBody};
use crate::store::{Store, StoredWorkflow};

pub async fn put(
    State(store): State<Arc<Store>>,
    actor: Actor,
    JsonBody(workflow): JsonBody<Workflow>,
) -> Result<Json<StoredWorkflow>, ServiceError> {
    workflow.validate().map_err(refused)?;
    Ok(Json(on_store(&store, move |s| s.set_workflow(&workflow, &actor.0)).await?))
}
