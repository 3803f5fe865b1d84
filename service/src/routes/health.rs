//! `GET /healthz`: the model is loaded, and the store's disk takes writes
//! (`store::storage`): `ok`; `degraded` (still 200) when less than 256 MiB is free; 503
//! `storage_failing` when a write in the data directory fails (a full disk: every tagging would
//! fail).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::error::ServiceError;
use crate::AppState;

pub async fn health(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ServiceError> {
    let store = Arc::clone(&state.store);
    let storage =
        tokio::task::spawn_blocking(move || store.storage_health()).await.map_err(|_| ServiceError::Internal)?;
    if !storage.writable {
        return Err(ServiceError::StorageFailing(
            storage.problem.unwrap_or_else(|| "the data directory takes no writes".to_owned()),
        ));
    }
    let status = if storage.low { "degraded" } else { "ok" };
    Ok(Json(json!({ "status": status, "model": state.engine.version(), "storage": storage })))
}
