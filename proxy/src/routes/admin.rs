//! `/api/v1/admin/{*path}`: the admin's routes (taxonomy import/export and edits, concept links,
//! thresholds, training of tag models), passed on to the service's `/v1/{path}` — only with the
//! admin token, and only for the admin areas listed in [`ALLOWED`]. Without a configured token
//! these routes are off.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{MatchedPath, Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;

use super::forward::{forward, Route};
use crate::error::{ErrorResponse, ProxyError};
use crate::{request_id, AppState};

/// Largest body of an admin request (taxonomy imports can be large).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Largest body of the training uploads in [`UPLOAD_PATHS`]: a zip archive or a folder of example
/// photos (a few hundred full-size photos), or an exported model file. Only these routes read
/// bodies this large; every other admin route stops at [`MAX_BYTES`].
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

/// Longest wait for the service's answer to a training upload, which it reads photo by photo (the
/// configured service timeout still applies when it is longer).
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);

/// Admin paths (after `/api/v1/admin/`) that take bodies up to [`MAX_UPLOAD_BYTES`].
pub const UPLOAD_PATHS: [&str; 2] = ["training/examples/import", "training/models/import"];

/// Service path prefixes an admin may reach.
pub const ALLOWED: [&str; 8] =
    ["taxonomy", "links", "concepts", "scenes", "settings/", "training/", "workflow", "folders"];

/// Request content types passed on to the service, with their parameters (a multipart body keeps
/// its boundary). A body of any other type is refused with 415.
const BODY_TYPES: [&str; 6] = [
    "application/json",
    "text/csv",
    "text/turtle",
    "application/zip",
    "multipart/form-data",
    "application/octet-stream",
];

/// Every admin route but the [`UPLOAD_PATHS`].
pub async fn admin(
    State(state): State<Arc<AppState>>,
    method: Method,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ErrorResponse> {
    let request = AdminRequest { method, path: &path, query: query.as_deref(), headers: &headers };
    pass_on(&state, request, Limits { max_bytes: MAX_BYTES, timeout: None }, body).await
}

/// The [`UPLOAD_PATHS`], each its own route with the larger body limit.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    method: Method,
    matched: MatchedPath,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ErrorResponse> {
    let path = matched.as_str().trim_start_matches("/api/v1/admin/");
    let request = AdminRequest { method, path, query: query.as_deref(), headers: &headers };
    let limits = Limits { max_bytes: MAX_UPLOAD_BYTES, timeout: Some(UPLOAD_TIMEOUT.max(state.upstream.timeout())) };
    pass_on(&state, request, limits, body).await
}

/// An admin request, as the browser sent it.
struct AdminRequest<'a> {
    method: Method,
    /// The path after `/api/v1/admin/`.
    path: &'a str,
    query: Option<&'a str>,
    headers: &'a HeaderMap,
}

/// How much an admin route reads and how long it waits.
struct Limits {
    max_bytes: usize,
    /// `None`: the configured service timeout.
    timeout: Option<Duration>,
}

/// Checks the token and the path, then forwards to the service's `/v1/{path}`.
async fn pass_on(
    state: &AppState,
    request: AdminRequest<'_>,
    limits: Limits,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ErrorResponse> {
    authorize(state, request.headers).map_err(|e| e.with_request_id(request_id()))?;
    let path = request.path;
    if path.contains("..") || !ALLOWED.iter().any(|prefix| path.starts_with(prefix)) {
        return Err(ProxyError::NotFound.with_request_id(request_id()));
    }
    let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes())
        .map_err(|_| ProxyError::NotFound.with_request_id(request_id()))?;
    let route = Route {
        method,
        service_path: &format!("/v1/{path}"),
        content_type: body_type(request.headers),
        max_bytes: limits.max_bytes,
        actor: Some("admin"),
        timeout: limits.timeout,
    };
    forward(state, route, request.query, request.headers, body).await
}

/// Admin routes need the configured token as `Authorization: Bearer <token>`.
pub(crate) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ProxyError> {
    let Some(expected) = state.admin_token.as_deref() else {
        return Err(ProxyError::AdminDisabled);
    };
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes())) {
        Ok(())
    } else {
        Err(ProxyError::AdminTokenRequired)
    }
}

/// The content type the request's body must have: its own when it is one of [`BODY_TYPES`]
/// (forwarded whole, parameters included), JSON when it is another (so the request is refused),
/// none when it has none (a body-less request).
fn body_type(headers: &HeaderMap) -> Option<&'static str> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let known = BODY_TYPES.iter().find(|t| t.eq_ignore_ascii_case(essence));
    Some(known.copied().unwrap_or("application/json"))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
