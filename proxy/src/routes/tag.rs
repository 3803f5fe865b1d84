//! `POST /api/v1/tag?top=N`: the browser sends one model input (224x224 RGB, 150,528 bytes, made
//! in its Web Worker by `smart_tags_core`), never the original file; the answer is the tags.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use serde::Deserialize;
use smart_tags_core::model_input::BYTES;
use smart_tags_core::Prediction;

use crate::error::{ErrorResponse, ProxyError};
use crate::{request_id, AppState};

const DEFAULT_TOP: usize = 5;
const MAX_TOP: usize = 20;

#[derive(Debug, Deserialize)]
pub struct TagQuery {
    pub top: Option<usize>,
}

pub async fn tag(
    State(state): State<Arc<AppState>>,
    Query(query): Query<TagQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Prediction>, ErrorResponse> {
    let id = request_id();
    let fail = |e: ProxyError| e.with_request_id(id.clone());
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("application/octet-stream") {
        return Err(fail(ProxyError::WrongContentType));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            fail(ProxyError::WrongSize { expected: BYTES, got: content_length(&headers).unwrap_or(BYTES + 1) })
        } else {
            fail(ProxyError::UnreadableBody)
        }
    })?;
    if body.len() != BYTES {
        return Err(fail(ProxyError::WrongSize { expected: BYTES, got: body.len() }));
    }
    let top = query.top.unwrap_or(DEFAULT_TOP).clamp(1, MAX_TOP);
    let prediction = state.upstream.predict(body, top, &id).await.map_err(fail)?;
    Ok(Json(prediction))
}

fn content_length(headers: &HeaderMap) -> Option<usize> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}
