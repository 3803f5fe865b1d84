//! `POST /v1/taxonomy/move` with `{"id", "parent"}`: moves a tag and its subtree under another
//! tag, keeping its name; links, moderation and thresholds follow. Answers the new id and the
//! taxonomy version. (Not `/tags/{id}/move`: a tag id may itself end in `/move`.)

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::taxonomy::TagId;

use crate::error::ServiceError;
use crate::routes::support::{on_store, Actor, JsonBody};
use crate::store::Store;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    pub id: TagId,
    pub parent: TagId,
}

#[derive(Debug, Serialize)]
pub struct Moved {
    pub version: i64,
    pub id: TagId,
}

pub async fn move_tag(
    State(store): State<Arc<Store>>,
    actor: Actor,
    JsonBody(request): JsonBody<MoveRequest>,
) -> Result<Json<Moved>, ServiceError> {
    let (id, version) = on_store(&store, move |s| s.move_tag(&request.id, &request.parent, &actor.0)).await?;
    Ok(Json(Moved { version, id }))
}
