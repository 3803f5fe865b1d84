//! `POST /api/v1/assets/tag`: tags one asset. The body is `multipart/form-data` with a `meta` part
//! (JSON: content hash, DAM asset id, the colours the browser computed, `force`) and a
//! `model_input` part (the 150,528-byte model input made in the browser's Web Worker) and, when the
//! workflow's people step is on, a `thumbnail` part (the worker's 512-px JPEG). The service checks
//! them; the proxy bounds the size.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::forward::{forward, Route};
use crate::error::ErrorResponse;
use crate::AppState;

/// The model input, the thumbnail the detectors look at, and room for the metadata and the
/// multipart framing.
pub const MAX_BYTES: usize =
    smart_tags_core::model_input::BYTES + smart_tags_core::detect::THUMBNAIL_LIMITS.max_bytes + 64 * 1024;

pub async fn asset_tag(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ErrorResponse> {
    let route = Route {
        method: reqwest::Method::POST,
        service_path: "/v1/assets/tag",
        content_type: Some("multipart/form-data"),
        max_bytes: MAX_BYTES,
        actor: None,
        timeout: None,
    };
    forward(&state, route, query.as_deref(), &headers, body).await
}
