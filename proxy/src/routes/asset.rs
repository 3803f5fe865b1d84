//! `GET /api/v1/assets?content_hash=…&asset_id=…&locale=…`: an asset's tags after moderation and
//! thresholds.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::error::ErrorResponse;
use crate::AppState;

pub async fn asset(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    super::forward::get(&state, "/v1/assets", query.as_deref(), &headers).await
}
