//! `POST /v1/assets/similar`: the stored assets that look most like an image the caller has and
//! the service does not (a photo about to be uploaded, one from elsewhere). `multipart/form-data`
//! with `model_input` (the 150,528-byte input `smart_tags_core::preprocess` makes) and, optionally,
//! `meta` (JSON `{"limit", "folder", "recursive"}`, as the query of `GET /v1/assets/similar`).
//! The image model runs on the input (an inference slot, as tagging takes) and its embedding is
//! looked up in the similarity index; nothing is stored. Answers `{"similar": [...], "inference_ms"}`,
//! nearest first, `duplicate` on near copies.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::workflow::FolderPath;
use smart_tags_core::ModelInput;

use super::similar::{checked_limit, nearest};
use super::{json_part, model_input_part, SimilarAsset};
use crate::error::ServiceError;
use crate::AppState;

/// Largest `meta` part.
const MAX_META_BYTES: usize = 4 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimilarImageMeta {
    pub limit: Option<usize>,
    pub folder: Option<FolderPath>,
    #[serde(default)]
    pub recursive: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SimilarToImage {
    pub similar: Vec<SimilarAsset>,
    /// Time in the image model.
    pub inference_ms: f64,
}

fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError::BadInput(message.into())
}

async fn read_parts(mut multipart: Multipart) -> Result<(SimilarImageMeta, ModelInput), ServiceError> {
    let mut meta = SimilarImageMeta::default();
    let mut input = None;
    while let Some(field) =
        multipart.next_field().await.map_err(|e| bad(format!("bad multipart body: {}", e.body_text())))?
    {
        match field.name() {
            Some("meta") => meta = json_part(field, MAX_META_BYTES).await?,
            Some("model_input") => input = Some(model_input_part(field).await?),
            Some(other) => return Err(bad(format!("unknown part {other:?}: send model_input and optionally meta"))),
            None => return Err(bad("a part has no name: send model_input and optionally meta")),
        }
    }
    Ok((meta, input.ok_or_else(|| bad("the model_input part is missing"))?))
}

pub async fn similar_to_image(
    State(state): State<Arc<AppState>>,
    multipart: Multipart,
) -> Result<Json<SimilarToImage>, ServiceError> {
    let (meta, input) = read_parts(multipart).await?;
    let limit = checked_limit(meta.limit)?;
    let _permit = state.inference_slots.try_acquire().map_err(|_| ServiceError::Busy)?;
    let worker = Arc::clone(&state);
    let answer = tokio::task::spawn_blocking(move || -> Result<SimilarToImage, ServiceError> {
        let state = worker;
        let (outputs, ran) = state.engine.infer_timed(std::slice::from_ref(&input)).map_err(ServiceError::Inference)?;
        let embedding = outputs.into_iter().next().ok_or(ServiceError::Internal)?.embedding;
        let model = state.engine.version().to_owned();
        let similar = nearest(&state, &model, &embedding, limit, meta.folder.as_ref(), meta.recursive, None)?;
        Ok(SimilarToImage { similar, inference_ms: ran.as_secs_f64() * 1000.0 })
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    Ok(Json(answer))
}
