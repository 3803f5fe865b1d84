//! `GET /v1/assets/similar?asset_id=…|content_hash=…&limit=10&folder=/a&recursive=true`: the
//! stored assets that look most like this one, nearest first, by the cosine of their image
//! embeddings (`similarity`, exact; `duplicate` when they are near copies). Other asset ids
//! holding the same bytes come first, at 1. Candidates come from the similarity index
//! (`crate::similar`); with `folder`, only assets of that folder (and, `recursive`, the folders
//! below it) are answered, from a candidate list widened to find them. 409 `not_tagged` when the
//! asset has no embedding under the current image model.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::workflow::FolderPath;

use super::{similar_assets, AssetInfo, AssetRef, SimilarAsset};
use crate::error::ServiceError;
use crate::routes::support::QueryParams;
use crate::store::{AssetKey, StoreError};
use crate::AppState;

/// Default and largest number of assets answered.
pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 100;
/// Candidates asked of the index per asset answered, and with a folder filter.
const WIDEN: usize = 2;
const WIDEN_IN_FOLDER: usize = 8;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimilarQuery {
    pub content_hash: Option<String>,
    pub asset_id: Option<String>,
    pub limit: Option<usize>,
    pub folder: Option<FolderPath>,
    #[serde(default)]
    pub recursive: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SimilarAnswer {
    pub asset: AssetInfo,
    pub similar: Vec<SimilarAsset>,
}

/// Whether `folder` is `within` (or, `recursive`, below it).
pub(crate) fn in_folder(folder: Option<&str>, within: &FolderPath, recursive: bool) -> bool {
    let Some(folder) = folder else { return false };
    let within = within.as_str();
    folder == within
        || (recursive && (within == "/" || folder.strip_prefix(within).is_some_and(|rest| rest.starts_with('/'))))
}

/// The asked limit, checked; [`DEFAULT_LIMIT`] when absent.
pub(crate) fn checked_limit(limit: Option<usize>) -> Result<usize, ServiceError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ServiceError::BadInput(format!("limit must be from 1 to {MAX_LIMIT}")));
    }
    Ok(limit)
}

/// The `limit` stored assets nearest `embedding` (of the current image `model`), other than
/// `except`, within `folder` (and, `recursive`, below it) when given; the index is asked for a
/// candidate list widened to find them.
pub(crate) fn nearest(
    state: &AppState,
    model: &str,
    embedding: &[f32],
    limit: usize,
    folder: Option<&FolderPath>,
    recursive: bool,
    except: Option<AssetKey>,
) -> Result<Vec<SimilarAsset>, ServiceError> {
    let candidates = limit * if folder.is_some() { WIDEN_IN_FOLDER } else { WIDEN } + usize::from(except.is_some());
    let mut similar = similar_assets(state, model, embedding, candidates, |a| {
        Some(a.key) != except && folder.is_none_or(|f| in_folder(a.folder.as_deref(), f, recursive))
    })?;
    similar.truncate(limit);
    Ok(similar)
}

pub async fn similar(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<SimilarQuery>,
) -> Result<Json<SimilarAnswer>, ServiceError> {
    let asset = AssetRef { content_hash: query.content_hash.clone(), asset_id: query.asset_id.clone() };
    asset.check().map_err(ServiceError::BadInput)?;
    let limit = checked_limit(query.limit)?;
    let answer = tokio::task::spawn_blocking(move || -> Result<SimilarAnswer, ServiceError> {
        let store = &state.store;
        let key = store
            .find_asset(asset.content_hash.as_deref(), asset.asset_id.as_deref())?
            .ok_or(StoreError::UnknownAsset)?;
        let view = store.asset(key)?;
        let model = state.engine.version().to_owned();
        let embedding = match &view.content_hash {
            Some(hash) => store.embedding(hash, &model)?,
            None => None,
        };
        let embedding = embedding.ok_or(ServiceError::NotTagged)?;
        let similar = nearest(&state, &model, &embedding, limit, query.folder.as_ref(), query.recursive, Some(key))?;
        let info = AssetInfo { key, content_hash: view.content_hash, asset_id: view.asset_id, folder: view.folder };
        Ok(SimilarAnswer { asset: info, similar })
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    Ok(Json(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_their_subfolders() {
        let a = FolderPath::parse("/a").unwrap();
        assert!(in_folder(Some("/a"), &a, false));
        assert!(!in_folder(Some("/a/b"), &a, false));
        assert!(in_folder(Some("/a/b"), &a, true));
        assert!(!in_folder(Some("/ab"), &a, true));
        assert!(!in_folder(None, &a, true));
        assert!(in_folder(Some("/x"), &FolderPath::parse("/").unwrap(), true));
    }
}
