//! `PUT /v1/training/models/{name}`: creates a tag model or replaces its tags, kind and options.
//! Body `{"tags": ["demo:apparel/shoes", ...], "kind": "exclusive"|"independent", "options": {...}}`;
//! `kind` defaults to `exclusive` (one tag per image; `independent`: any number, multi-label) and
//! missing options take their defaults. Tags must be taxonomy tag ids (unknown ones are a linter error, so an admin can
//! prepare a model before the taxonomy has every tag).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use smart_tags_core::training::{ModelKind, TrainingOptions};

use super::{blocking, summary_of, ModelSummary};
use crate::error::ServiceError;
use crate::routes::support::{tag_id, JsonBody, PathParams};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelBody {
    pub tags: Vec<String>,
    #[serde(default)]
    pub kind: ModelKind,
    #[serde(default)]
    pub options: TrainingOptions,
}

pub async fn put_model(
    State(state): State<Arc<AppState>>,
    PathParams(name): PathParams<String>,
    JsonBody(body): JsonBody<ModelBody>,
) -> Result<Json<ModelSummary>, ServiceError> {
    let mut tags = Vec::with_capacity(body.tags.len());
    for tag in &body.tags {
        let id = tag_id(tag)?.to_string();
        if !tags.contains(&id) {
            tags.push(id);
        }
    }
    let summary = blocking(&state, move |state| {
        state.store.put_model(&name, &tags, body.kind, &body.options)?;
        summary_of(state, &name)
    })
    .await?;
    Ok(Json(summary))
}
