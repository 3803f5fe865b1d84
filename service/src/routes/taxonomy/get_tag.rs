//! `GET /v1/taxonomy/tags/{*id}`: one tag with its path (ancestors and itself, root first) and
//! its direct children's ids.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use crate::error::ServiceError;
use crate::routes::support::{on_store, PathTagId};
use crate::store::taxonomy::TagView;
use crate::store::Store;

pub async fn get_tag(State(store): State<Arc<Store>>, PathTagId(id): PathTagId) -> Result<Json<TagView>, ServiceError> {
    Ok(Json(on_store(&store, move |s| s.tag(&id)).await?))
}
