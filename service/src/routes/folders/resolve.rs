//! `GET /v1/folders/resolve?path=/a/b`: whether smart tagging, and face and person detection, are
//! on for a folder, `{"path":"/a/b","enabled":false,"set_on":"/a","people":{"enabled":true,
//! "set_on":null}}` (`set_on` null: no folder above sets that switch).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use smart_tags_core::workflow::FolderPath;

use super::Resolved;
use crate::error::ServiceError;
use crate::routes::support::{on_store, QueryParams};
use crate::store::Store;

#[derive(Debug, Deserialize)]
pub struct ResolveQuery {
    pub path: FolderPath,
}

pub async fn resolve(
    State(store): State<Arc<Store>>,
    QueryParams(query): QueryParams<ResolveQuery>,
) -> Result<Json<Resolved>, ServiceError> {
    let path = query.path;
    let resolved = on_store(&store, move |s| Ok(Resolved::new(path.clone(), s.resolve_folder(&path)?))).await?;
    Ok(Json(resolved))
}
