//! `/v1/training/...`: Enhanced Smart Tags — tag models, examples, linting, training jobs and
//! model versions (activate, roll back, delete, export, import). One file per route; what they
//! share (the answers' shapes, running on the blocking pool) lives here.

pub mod activate_version;
pub mod cancel_job;
pub mod deactivate_model;
pub mod delete_examples;
pub mod delete_model;
pub mod delete_version;
pub mod export_version;
pub mod get_job;
pub mod import_examples;
pub mod import_model;
pub mod lint;
pub mod list_examples;
pub mod list_models;
pub mod list_versions;
pub mod put_model;
pub mod train;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use smart_tags_core::taxonomy::{TagId, Taxonomy, DEFAULT_LOCALE};
use smart_tags_core::training::{ModelKind, TrainingOptions};

use crate::error::ServiceError;
use crate::store::{Job, ModelVersion, Store, TagModel, VersionOrigin};
use crate::AppState;

/// Runs `call` on the blocking pool with the state (store calls and model work block).
pub(crate) async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    call: impl FnOnce(&AppState) -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || call(&state)).await.map_err(|_| ServiceError::Internal)?
}

/// A tag's title: the taxonomy's, or a built-in scene's (`scene:sky` → `sky`).
fn title(taxonomy: &Taxonomy, id: &str) -> Option<String> {
    let id = TagId::parse(id).ok()?;
    taxonomy
        .get(&id)
        .map(|t| t.title(DEFAULT_LOCALE).to_owned())
        .or_else(|| smart_tags_core::scenes::scene_title(&id).map(str::to_owned))
}

/// A tag of a model with its title (none when the taxonomy no longer has it) and example count.
#[derive(Debug, Serialize)]
pub struct ModelTag {
    pub id: String,
    pub title: Option<String>,
    pub examples: usize,
}

/// A tag model as the routes answer it.
#[derive(Debug, Serialize)]
pub struct ModelSummary {
    pub name: String,
    pub tags: Vec<ModelTag>,
    /// `exclusive` (one tag per image) or `independent` (multi-label).
    pub kind: ModelKind,
    pub options: TrainingOptions,
    pub active_version: Option<i64>,
    pub versions: usize,
    /// The newest training job.
    pub job: Option<Job>,
    pub created_at: String,
    pub updated_at: String,
}

/// A stored tag model as the routes answer it (public for the OpenAPI test).
pub fn model_summary(
    store: &Store,
    taxonomy: &Taxonomy,
    counts: &BTreeMap<String, usize>,
    model: TagModel,
) -> Result<ModelSummary, ServiceError> {
    let versions = store.versions_of(&model.name)?.len();
    let job = store.latest_job(&model.name)?;
    let tags = model
        .tags
        .iter()
        .map(|id| ModelTag {
            id: id.clone(),
            title: title(taxonomy, id),
            examples: counts.get(id).copied().unwrap_or(0),
        })
        .collect();
    Ok(ModelSummary {
        name: model.name,
        tags,
        kind: model.kind,
        options: model.options,
        active_version: model.active_version,
        versions,
        job,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

/// One model's summary, read now.
pub(crate) fn summary_of(state: &AppState, name: &str) -> Result<ModelSummary, ServiceError> {
    let mapping = state.mapping.get(&state.store)?;
    let counts = state.store.example_counts(state.engine.version())?;
    let model = state.store.model(name)?;
    model_summary(&state.store, &mapping.taxonomy, &counts, model)
}

/// A model version as the routes answer it: its metrics and per-tag thresholds and metrics.
#[derive(Debug, Serialize)]
pub struct VersionAnswer {
    pub model: String,
    pub version: i64,
    pub active: bool,
    pub origin: VersionOrigin,
    pub image_model: String,
    pub taxonomy_version: i64,
    pub created_at: String,
    pub metrics: serde_json::Value,
    pub tags: Vec<serde_json::Value>,
    pub options: serde_json::Value,
    /// Examples it was trained on.
    pub training_set: serde_json::Value,
}

/// A stored version as the routes answer it, with its tags' titles (public for the OpenAPI test).
pub fn version_answer(version: ModelVersion, active: Option<i64>, taxonomy: &Taxonomy) -> VersionAnswer {
    let field = |name: &str| version.summary.get(name).cloned().unwrap_or(serde_json::Value::Null);
    let mut tags: Vec<serde_json::Value> = field("tags").as_array().cloned().unwrap_or_default();
    for tag in &mut tags {
        let found = tag.get("id").and_then(|id| id.as_str()).and_then(|id| title(taxonomy, id));
        if let serde_json::Value::Object(map) = tag {
            map.insert("title".to_owned(), found.map_or(serde_json::Value::Null, serde_json::Value::String));
        }
    }
    VersionAnswer {
        metrics: field("metrics"),
        options: field("options"),
        training_set: field("training_set"),
        tags,
        active: active == Some(version.version),
        model: version.model,
        version: version.version,
        origin: version.origin,
        image_model: version.image_model,
        taxonomy_version: version.taxonomy_version,
        created_at: version.created_at,
    }
}

/// Path parameters `{name}/versions/{version}`.
#[derive(Debug, serde::Deserialize)]
pub struct VersionPath {
    pub name: String,
    pub version: i64,
}
