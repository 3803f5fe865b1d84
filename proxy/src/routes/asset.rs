//! `GET /api/v1/assets?content_hash=…&asset_id=…&locale=…`: an asset's tags after moderation and
//! thresholds.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::forward::{forward, Route};
use crate::error::ErrorResponse;
use crate::AppState;

pub async fn asset(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let route = Route {
        method: reqwest::Method::GET,
        service_path: "/v1/assets",
        content_type: None,
        max_bytes: 0,
        actor: None,
    };
    forward(
        &state,
        route,
        query.as_deref(),
        &headers,
        Ok(Default::default()),
    )
    .await
}
