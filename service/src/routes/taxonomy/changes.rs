//! `GET /v1/taxonomy/changes?since=N&limit=M`: the change log after version `since` (default 0),
//! oldest first, at most `limit` rows (default 100, at most 1000), with the current version.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::error::ServiceError;
use crate::routes::support::{on_store, QueryParams};
use crate::store::taxonomy::MAX_CHANGES_PAGE;
use crate::store::{Change, Store};

pub const DEFAULT_LIMIT: u32 = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    #[serde(default)]
    pub since: i64,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct ChangesPage {
    /// The current taxonomy version.
    pub version: i64,
    pub changes: Vec<Change>,
}

pub async fn changes(
    State(store): State<Arc<Store>>,
    QueryParams(query): QueryParams<ChangesQuery>,
) -> Result<Json<ChangesPage>, ServiceError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_CHANGES_PAGE);
    let page = on_store(&store, move |s| {
        Ok(ChangesPage { changes: s.changes(query.since, limit)?, version: s.taxonomy_version()? })
    })
    .await?;
    Ok(Json(page))
}
