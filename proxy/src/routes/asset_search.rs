//! `GET /api/v1/assets/search?tags=…&q=…&folder=…&recursive=…&limit=…&after=…&locale=…`: the
//! stored assets that show these tags and match these words, best first, as the service answers
//! them (`GET /v1/assets/search`).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::error::ErrorResponse;
use crate::AppState;

pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    super::forward::get(&state, "/v1/assets/search", query.as_deref(), &headers).await
}
