//! `POST /v1/predict?top=N`: body is one model input, 224x224 RGB bytes (150,528), as made by
//! `smart_tags_core::preprocess`. Answers the top classes with their probabilities.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::{ModelInput, Prediction};

use crate::error::ServiceError;
use crate::AppState;

pub const MAX_TOP: usize = 50;

#[derive(Debug, Deserialize)]
pub struct PredictQuery {
    pub top: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PredictResponse {
    #[serde(flatten)]
    pub prediction: Prediction,
    /// Time spent in the model, in milliseconds.
    pub inference_ms: f64,
}

pub async fn predict(
    State(state): State<Arc<AppState>>,
    Query(query): Query<PredictQuery>,
    body: Bytes,
) -> Result<Json<PredictResponse>, ServiceError> {
    let top = query.top.unwrap_or(5).clamp(1, MAX_TOP);
    let input = ModelInput::from_bytes(body.to_vec()).map_err(|e| ServiceError::BadInput(e.to_string()))?;
    let _permit = state.inference_slots.try_acquire().map_err(|_| ServiceError::Busy)?;
    let engine = Arc::clone(&state.engine);
    let (prediction, inference_ms) = tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        let prediction = engine.predict(&input, top);
        (prediction, start.elapsed().as_secs_f64() * 1000.0)
    })
    .await
    .map_err(|_| ServiceError::Busy)?;
    let prediction = prediction.map_err(ServiceError::Inference)?;
    Ok(Json(PredictResponse { prediction, inference_ms }))
}
