//! `GET /api/v1/taxonomy/suggest?q=…&locale=…&limit=…`: taxonomy tags whose title or synonym
//! starts with (or contains) the typed text, for adding a manual tag.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::forward::{forward, Route};
use crate::error::ErrorResponse;
use crate::AppState;

pub async fn suggest(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let route = Route {
        method: reqwest::Method::GET,
        service_path: "/v1/taxonomy/suggest",
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
