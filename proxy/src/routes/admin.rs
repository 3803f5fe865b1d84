//! `/api/v1/admin/{*path}`: the admin's routes (taxonomy import/export and edits, concept links,
//! thresholds), passed on to the service's `/v1/{path}` — only with the admin token, and only for
//! the admin areas listed in [`ALLOWED`]. Without a configured token these routes are off.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;

use super::forward::{forward, Route};
use crate::error::{ErrorResponse, ProxyError};
use crate::{request_id, AppState};

/// Taxonomy imports can be large.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Service path prefixes an admin may reach.
pub const ALLOWED: [&str; 4] = ["taxonomy", "links", "concepts", "settings/"];

pub async fn admin(
    State(state): State<Arc<AppState>>,
    method: Method,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ErrorResponse> {
    let Some(expected) = state.admin_token.as_deref() else {
        return Err(ProxyError::AdminDisabled.with_request_id(request_id()));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes())) {
        return Err(ProxyError::AdminTokenRequired.with_request_id(request_id()));
    }
    if path.contains("..") || !ALLOWED.iter().any(|prefix| path.starts_with(prefix)) {
        return Err(ProxyError::NotFound.with_request_id(request_id()));
    }
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes())
        .map_err(|_| ProxyError::NotFound.with_request_id(request_id()))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap_or(c).trim().to_owned());
    let accept_type: Option<&'static str> = match content_type.as_deref() {
        None => None,
        Some("application/json") => Some("application/json"),
        Some("text/csv") => Some("text/csv"),
        Some("text/turtle") => Some("text/turtle"),
        Some(_) => Some("application/json"),
    };
    let route = Route {
        method,
        service_path: &format!("/v1/{path}"),
        content_type: accept_type,
        max_bytes: MAX_BYTES,
        actor: Some("admin"),
    };
    forward(&state, route, query.as_deref(), &headers, body).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
