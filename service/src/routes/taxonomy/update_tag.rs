//! `PATCH /v1/taxonomy/tags/{*id}` with `{"titles"?, "synonyms"?, "description"?}`: changes a
//! tag. Titles and synonyms are replaced whole (renaming is giving new titles); `"description":
//! null` removes the description. Answers the tag and the taxonomy version.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::create_tag::TagChanged;
use crate::error::ServiceError;
use crate::routes::support::{on_store, Actor, JsonBody, PathTagId};
use crate::store::{Store, TagPatch};

pub async fn update_tag(
    State(store): State<Arc<Store>>,
    actor: Actor,
    PathTagId(id): PathTagId,
    JsonBody(patch): JsonBody<TagPatch>,
) -> Result<Json<TagChanged>, ServiceError> {
    let (tag, version) = on_store(&store, move |s| s.update_tag(&id, patch, &actor.0)).await?;
    Ok(Json(TagChanged { version, tag }))
}
