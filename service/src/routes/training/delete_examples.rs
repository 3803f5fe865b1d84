//! `DELETE /v1/training/examples`: body `{"content_hash": "...", "tag": "demo:..."}` removes an
//! imported example (for one tag, or every tag without `tag`). Examples from moderation are
//! removed by moderating the asset. Answers how many were removed.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::blocking;
use crate::error::ServiceError;
use crate::routes::support::{tag_id, JsonBody};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteBody {
    pub content_hash: String,
    pub tag: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Removed {
    pub removed: usize,
}

pub async fn delete_examples(
    State(state): State<Arc<AppState>>,
    JsonBody(body): JsonBody<DeleteBody>,
) -> Result<Json<Removed>, ServiceError> {
    let tag = body.tag.as_deref().map(tag_id).transpose()?.map(|id| id.to_string());
    let removed =
        blocking(&state, move |state| Ok(state.store.remove_examples(&body.content_hash, tag.as_deref())?)).await?;
    Ok(Json(Removed { removed }))
}
