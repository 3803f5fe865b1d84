//! `GET /api/v1/health`: is the proxy up, and does the tagging service answer behind it.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::AppState;

pub async fn health(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Value>) {
    let service = state.upstream.healthy().await;
    let status = if service { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(json!({ "proxy": "ok", "service": if service { "ok" } else { "unavailable" } })))
}
