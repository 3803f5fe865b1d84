//! `GET /v1/training/examples?tag=<id>`: the training examples (all, or those of one tag): each
//! asset's content hash, its tags with where they came from (import or moderation) and the
//! imported file name.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::blocking;
use crate::error::ServiceError;
use crate::routes::support::{tag_id, QueryParams};
use crate::store::StoredExample;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamplesQuery {
    pub tag: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Examples {
    pub examples: Vec<StoredExample>,
}

pub async fn list_examples(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<ExamplesQuery>,
) -> Result<Json<Examples>, ServiceError> {
    let only = query.tag.as_deref().map(tag_id).transpose()?.map(|id| vec![id.to_string()]);
    let examples =
        blocking(&state, move |state| Ok(state.store.examples(state.engine.version(), only.as_deref())?)).await?;
    Ok(Json(Examples { examples }))
}
