//! `GET /api/v1/taxonomy/suggest?q=…&locale=…&limit=…`: taxonomy tags whose title or synonym
//! starts with (or contains) the typed text, for adding a manual tag.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::error::ErrorResponse;
use crate::AppState;

pub async fn suggest(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    super::forward::get(&state, "/v1/taxonomy/suggest", query.as_deref(), &headers).await
}
