//! `GET /v1/openapi.json`: the service's API, described in OpenAPI 3.1 (`service/openapi.json`,
//! checked against the router by a test).

use axum::http::header;
use axum::response::IntoResponse;

/// The document, compiled in.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
