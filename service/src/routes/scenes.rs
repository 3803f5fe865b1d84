//! `GET /v1/scenes`: the scene model (`smart_tags_core::scenes`) tagging uses now — the active
//! version of the tag model `scenes` (the shipped one, or one a customer trained or rolled back
//! to) — as the admin page shows it: its version, and per scene its WordNet concept, threshold and
//! cross-validated metrics (precision with its 95% Wilson interval, recall, distinct pictures);
//! `{"version": null}` when none is active (not installed, or switched off by deactivating it).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use smart_tags_core::detect::classes::SCENE_CLASSES;
use smart_tags_core::scenes::scene_tag;

use crate::error::ServiceError;
use crate::AppState;

#[derive(Debug, Serialize)]
pub struct SceneInfo {
    /// The scene model's tag id, `scene:<title>`.
    pub id: String,
    pub title: &'static str,
    /// The WordNet concept taxonomy tags link to (`n09359803`).
    pub concept: &'static str,
    /// The model's probability that maps to a confidence of 0.5 (for a scene that is not
    /// `reliable`, the confidence stays below 0.5 whatever the probability).
    pub threshold: f32,
    pub precision: f32,
    pub precision_low: f32,
    pub precision_high: f32,
    pub recall: f32,
    /// Distinct pictures showing it (views and near copies of one picture count once).
    pub pictures: usize,
    pub target_reached: bool,
    /// Whether its precision reaches the model's target: otherwise its confidence stays below 0.5
    /// (a suggestion, never a tag shown as sure).
    pub reliable: bool,
}

#[derive(Debug, Serialize)]
pub struct ScenesAnswer {
    /// `scenes@` + 12 hex digits of the file's SHA-256; null without an active scene model.
    pub version: Option<String>,
    /// The active version number of the tag model `scenes` (`/v1/training/models/scenes`).
    pub model_version: Option<i64>,
    pub scenes: Vec<SceneInfo>,
    /// Built-in scenes the model lacks (too few labelled photos).
    pub left_out: Vec<&'static str>,
    /// Training rows (every view of every labelled photo).
    pub examples: usize,
}

pub async fn scenes(State(state): State<Arc<AppState>>) -> Result<Json<ScenesAnswer>, ServiceError> {
    let read = Arc::clone(&state);
    let active = tokio::task::spawn_blocking(move || {
        read.trained.get(&read.store, read.engine.version(), read.store.versions()?.trained)
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    let Some(scenes) = active.scenes() else {
        return Ok(Json(ScenesAnswer {
            version: None,
            model_version: None,
            scenes: Vec::new(),
            left_out: Vec::new(),
            examples: 0,
        }));
    };
    let model = &scenes.model;
    let mut answer = ScenesAnswer {
        version: active.scenes_version(),
        model_version: Some(scenes.version),
        scenes: Vec::new(),
        left_out: Vec::new(),
        examples: model.metrics.examples,
    };
    for class in &SCENE_CLASSES {
        match model.tags.iter().find(|t| scene_tag(class.title).is_some_and(|id| id == t.id)) {
            Some(tag) => answer.scenes.push(SceneInfo {
                id: tag.id.to_string(),
                title: class.title,
                concept: class.wnid,
                threshold: tag.threshold,
                precision: tag.metrics.precision,
                precision_low: tag.metrics.precision_low,
                precision_high: tag.metrics.precision_high,
                recall: tag.metrics.recall,
                pictures: tag.metrics.groups,
                target_reached: tag.metrics.target_reached,
                reliable: smart_tags_core::scenes::is_reliable(tag, model),
            }),
            None => answer.left_out.push(class.title),
        }
    }
    Ok(Json(answer))
}
