//! `DELETE /v1/taxonomy/tags/{*id}?recursive=true`: deletes a tag; one with children only with
//! `recursive=true` (409 `has_children` otherwise), and then its whole subtree. Answers the
//! deleted ids and the new taxonomy version.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::taxonomy::TagId;

use crate::error::ServiceError;
use crate::routes::support::{on_store, Actor, PathTagId, QueryParams};
use crate::store::Store;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    #[serde(default)]
    pub recursive: bool,
}

#[derive(Debug, Serialize)]
pub struct Deleted {
    pub version: i64,
    pub deleted: Vec<TagId>,
}

pub async fn delete_tag(
    State(store): State<Arc<Store>>,
    actor: Actor,
    PathTagId(id): PathTagId,
    QueryParams(query): QueryParams<DeleteQuery>,
) -> Result<Json<Deleted>, ServiceError> {
    let (deleted, version) = on_store(&store, move |s| s.delete_tag(&id, query.recursive, &actor.0)).await?;
    Ok(Json(Deleted { version, deleted }))
}
