//! `GET /api/v1/backend/assets/similar?asset_id=…&limit=&folder=&recursive=` and
//! `GET /api/v1/backend/assets/duplicates?folder=&recursive=`: the service's find-similar and a
//! folder's duplicate groups, for the DAM's back end (docs/backend-api.md, "Similar and
//! duplicate assets"). The query goes to the service as it came; its answer comes back as it is.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::Json;
use serde_json::Value;

use crate::backend::error::BackendError;
use crate::backend::Backend;

pub async fn similar(State(backend): State<Arc<Backend>>, RawQuery(query): RawQuery) -> Result<Json<Value>, BackendError> {
    Ok(Json(backend.service.get_with_query("/v1/assets/similar", query.as_deref()).await?))
}

pub async fn duplicates(State(backend): State<Arc<Backend>>, RawQuery(query): RawQuery) -> Result<Json<Value>, BackendError> {
    Ok(Json(backend.service.get_with_query("/v1/assets/duplicates", query.as_deref()).await?))
}
