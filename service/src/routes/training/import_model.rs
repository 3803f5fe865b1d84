//! `POST /v1/training/models/import?activate=true`: imports an exported model file (the raw
//! body) as a new version of the model it names, creating the model when missing. Refused with
//! 422 `bad_model_file` when the file is damaged, of an unknown format version, or made from
//! another image model's embeddings; with 422 `unknown_tags` when this taxonomy lacks its tags.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use smart_tags_core::training::artifact;

use super::{blocking, version_answer};
use crate::error::ServiceError;
use crate::routes::support::QueryParams;
use crate::store::{NewVersion, VersionOrigin};
use crate::training::jobs::summary;
use crate::AppState;

/// Largest model file accepted.
pub const MAX_BYTES: usize = artifact::MAX_BYTES;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default)]
    pub activate: bool,
}

fn refuse(code: &str, message: String) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(serde_json::json!({ "code": code, "message": message }))).into_response()
}

pub async fn import_model(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<ImportQuery>,
    body: Bytes,
) -> Result<Response, ServiceError> {
    let activate = query.activate;
    let answer = blocking(&state, move |state| {
        let image_model = state.engine.version().to_owned();
        let (model, meta) = match artifact::import(&body, &image_model) {
            Ok(found) => found,
            Err(error) => return Ok(refuse("bad_model_file", error.to_string())),
        };
        let mapping = state.mapping.get(&state.store)?;
        // The scene model holds built-in scenes, every other model taxonomy tags.
        let scenes = model.name == smart_tags_core::scenes::SCENE_MODEL;
        if scenes && smart_tags_core::scenes::check_model(&model).is_err() {
            return Ok(refuse(
                "bad_model_file",
                "the scenes model holds independent built-in scene tags (scene:<title>) only".to_owned(),
            ));
        }
        let known = |id: &smart_tags_core::taxonomy::TagId| {
            if scenes {
                smart_tags_core::scenes::is_scene_tag(id)
            } else {
                mapping.taxonomy.get(id).is_some()
            }
        };
        let missing: Vec<String> = model.tags.iter().filter(|t| !known(&t.id)).map(|t| t.id.to_string()).collect();
        if !missing.is_empty() {
            return Ok(refuse(
                "unknown_tags",
                format!("this taxonomy has no tag {}: import or create them first", missing.join(", ")),
            ));
        }
        let store = &state.store;
        if matches!(store.model(&model.name), Err(crate::store::StoreError::UnknownModel(_))) {
            let tags: Vec<String> = model.tags.iter().map(|t| t.id.to_string()).collect();
            store.put_model(&model.name, &tags, model.kind, &model.options)?;
        }
        let summary = summary(&model);
        // The file is stored as it came: an export of it gives back the same bytes.
        let bytes = body.to_vec();
        let keep = move |_: i64, _: &str| bytes.clone();
        let new = NewVersion {
            origin: VersionOrigin::Imported,
            image_model: &image_model,
            taxonomy_version: meta.taxonomy_version,
            summary: &summary,
            artifact: &keep,
            activate: query.activate,
        };
        let version = store.add_version(&model.name, &new)?;
        let active = store.model(&model.name)?.active_version;
        let answer = store
            .versions_of(&model.name)?
            .into_iter()
            .find(|v| v.version == version)
            .map(|v| version_answer(v, active, &mapping.taxonomy))
            .ok_or(ServiceError::Internal)?;
        Ok((StatusCode::CREATED, Json(answer)).into_response())
    })
    .await?;
    if activate && answer.status() == StatusCode::CREATED {
        crate::training::apply::wake(&state);
    }
    Ok(answer)
}
