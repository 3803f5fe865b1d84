//! `GET /healthz`: the model is loaded, and the store's disk takes writes
//! (`store::storage`): `ok`; `degraded` (still 200) when less than 256 MiB is free; 503
//! `storage_failing` when a write in the data directory fails (a full disk: every tagging would
//! fail).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::store::storage::StorageHealth;
use crate::AppState;

pub async fn health(State(state): State<Arc<AppState>>) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let store = Arc::clone(&state.store);
    let storage = tokio::task::spawn_blocking(move || store.storage_health()).await.unwrap_or_else(|_| StorageHealth {
        writable: false,
        free_bytes: None,
        low: false,
        problem: Some("the storage check stopped".to_owned()),
    });
    if !storage.writable {
        let message = storage.problem.unwrap_or_else(|| "the data directory takes no writes".to_owned());
        return Err((StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "code": "storage_failing", "message": message }))));
    }
    let status = if storage.low { "degraded" } else { "ok" };
    Ok(Json(json!({ "status": status, "model": state.engine.version(), "storage": storage })))
}
