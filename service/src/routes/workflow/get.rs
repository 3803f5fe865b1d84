//! `GET /v1/workflow`: the workflow in force, `{"version", "workflow", "updated_at", "actor"}`
//! (version 0 and the default workflow when it was never set).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use crate::error::ServiceError;
use crate::routes::support::on_store;
use crate::store::{Store, StoredWorkflow};

pub async fn get(State(store): State<Arc<Store>>) -> Result<Json<StoredWorkflow>, ServiceError> {
    Ok(Json(on_store(&store, Store::workflow).await?))
}
