//! `GET /api/v1/backend/assets/similar?asset_id=…&limit=&folder=&recursive=` and
//! `GET /api/v1/backend/assets/duplicates?folder=&recursive=`: the service's find-similar and a
//! folder's duplicate groups, for the DAM's back end (docs/backend-api.md, "Similar and
//! duplicate assets"); `GET /api/v1/backend/assets/search?tags=&q=&folder=&…`: its search by tags
//! and words ("Search"). The query goes to the service as it came; its answer comes back as it is.
//!
//! `POST /api/v1/backend/assets/similar?limit=&folder=&recursive=` with an image's bytes as the
//! body (as `POST …/assets/tag` takes them): the stored assets nearest an image the service does
//! not have. The proxy preprocesses it with core and sends the model input; nothing is stored.

use std::sync::Arc;

use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::backend::error::BackendError;
use crate::backend::extract::BackendQuery;
use crate::backend::memory::Wait;
use crate::backend::tagging::prepare;
use crate::backend::upload::ImageUpload;
use crate::backend::Backend;

/// How long the service may take to embed the image and search.
const SIMILAR_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimilarImageQuery {
    limit: Option<u32>,
    folder: Option<String>,
    recursive: Option<bool>,
}

pub async fn similar_to_image(
    State(backend): State<Arc<Backend>>,
    BackendQuery(query): BackendQuery<SimilarImageQuery>,
    upload: ImageUpload,
) -> Result<Json<Value>, BackendError> {
    let (prepared, _) = prepare(&backend.memory, upload, Wait::Bounded).await?;
    let mut meta = json!({});
    if let Some(limit) = query.limit {
        meta["limit"] = json!(limit);
    }
    if let Some(folder) = query.folder {
        meta["folder"] = json!(folder);
    }
    if let Some(recursive) = query.recursive {
        meta["recursive"] = json!(recursive);
    }
    Ok(Json(backend.service.similar_to_image(&meta, prepared.model_input.as_bytes(), SIMILAR_TIMEOUT).await?))
}

pub async fn similar(
    State(backend): State<Arc<Backend>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, BackendError> {
    Ok(Json(backend.service.get_with_query("/v1/assets/similar", query.as_deref()).await?))
}

pub async fn search(
    State(backend): State<Arc<Backend>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, BackendError> {
    Ok(Json(backend.service.get_with_query("/v1/assets/search", query.as_deref()).await?))
}

pub async fn duplicates(
    State(backend): State<Arc<Backend>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, BackendError> {
    Ok(Json(backend.service.get_with_query("/v1/assets/duplicates", query.as_deref()).await?))
}
