//! `POST /api/v1/backend/assets/tag?asset_id=..&folder=/a/b&force=false&thumbnail=false`: the body is the image's
//! bytes (any format core decodes, at most core's file limit). The proxy preprocesses it natively
//! with core, then runs the workflow (smart tags through the service, colour tags); the answer is
//! the per-asset result: 200 unless the outcome is `failed` (then 502, or 503 when the service is
//! busy, with the result). The caller's mistakes are the API's JSON error with their own 4xx: a bad
//! image (400/413, core's message), a malformed query (400 `invalid_request`), what the service
//! refused about the request (its 400/409/422, code and message); nothing is stored.
//! `thumbnail=true` adds core's thumbnail (JPEG, longest side 512) as base64.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use smart_tags_core::workflow::{Outcome, StepStatus};

use crate::backend::error::BackendError;
use crate::backend::extract::BackendQuery;
use crate::backend::memory::Wait;
use crate::backend::tagging::{tag_image, TagInput};
use crate::backend::upload::ImageUpload;
use crate::backend::Backend;

#[derive(Debug, Deserialize)]
pub struct TagQuery {
    asset_id: Option<String>,
    folder: Option<String>,
    #[serde(default)]
    force: bool,
    #[serde(default)]
    thumbnail: bool,
}

pub async fn tag(
    State(backend): State<Arc<Backend>>,
    BackendQuery(query): BackendQuery<TagQuery>,
    upload: ImageUpload,
) -> Result<Response, BackendError> {
    let input =
        TagInput { asset_id: query.asset_id, folder: query.folder, force: query.force, thumbnail: query.thumbnail };
    let result = tag_image(&backend, upload, &input, Wait::Bounded).await?;
    if let Some(refused) = result.refused {
        return Err(BackendError::Service { status: refused.status, code: refused.code, message: refused.message });
    }
    let status = if result.outcome != Outcome::Failed {
        StatusCode::OK
    } else if result.steps.iter().any(|s| s.status == StepStatus::Failed && s.code.as_deref() == Some("service_busy")) {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::BAD_GATEWAY
    };
    Ok((status, Json(result)).into_response())
}
