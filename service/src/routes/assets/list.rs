//! `GET /v1/assets/list?folder=/a&recursive=true&after=<key>&limit=500`: the assets in key order,
//! a page at a time — all of them (no `folder`), one folder's, or (`recursive`) a folder's and
//! every folder's below it. Answers `{"assets":[{"key","asset_id","content_hash","folder"}],
//! "next":<key>|null}`; pass `next` as `after` for the following page. For bulk re-tagging.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::workflow::FolderPath;

use crate::error::ServiceError;
use crate::routes::support::{on_store, QueryParams};
use crate::store::{AssetKey, AssetListing, Store};

/// Default page size.
pub const DEFAULT_LIMIT: usize = 500;
/// Largest page size.
pub const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub folder: Option<FolderPath>,
    #[serde(default)]
    pub recursive: bool,
    pub after: Option<i64>,
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct AssetPage {
    pub assets: Vec<AssetListing>,
    /// The key to pass as `after` for the next page; null on the last one.
    pub next: Option<AssetKey>,
}

pub async fn list(
    State(store): State<Arc<Store>>,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<AssetPage>, ServiceError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ServiceError::BadInput(format!("limit must be from 1 to {MAX_LIMIT}")));
    }
    let after = AssetKey(query.after.unwrap_or(0));
    // One row more than the page tells whether another page follows.
    let mut assets = on_store(&store, move |s| {
        s.list_assets(query.folder.as_ref().map(FolderPath::as_str), query.recursive, after, limit + 1)
    })
    .await?;
    let next = if assets.len() > limit {
        assets.truncate(limit);
        assets.last().map(|a| a.key)
    } else {
        None
    };
    Ok(Json(AssetPage { assets, next }))
}
