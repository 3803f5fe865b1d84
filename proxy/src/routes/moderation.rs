//! `POST /api/v1/assets/moderation`: promote, remove, add or clear a tag on one asset (JSON body; the service checks the action).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::forward::{forward, Route};
use crate::error::ErrorResponse;
use crate::AppState;

pub const MAX_BYTES: usize = 16 * 1024;

pub async fn moderation(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ErrorResponse> {
    let route = Route {
        method: reqwest::Method::POST,
        service_path: "/v1/assets/moderation",
        content_type: Some("application/json"),
        max_bytes: MAX_BYTES,
        actor: Some("browser"),
        timeout: None,
    };
    forward(&state, route, None, &headers, body).await
}
