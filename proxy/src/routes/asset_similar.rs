//! `GET /api/v1/assets/similar?content_hash=…&limit=…`: the stored assets that look most like
//! this one, as the service answers them (`GET /v1/assets/similar`).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::error::ErrorResponse;
use crate::AppState;

pub async fn similar(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    super::forward::get(&state, "/v1/assets/similar", query.as_deref(), &headers).await
}
