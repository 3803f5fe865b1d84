//! `GET /v1/assets?content_hash=…&asset_id=…&locale=…&suggestions=…`: an asset's tags now (stored
//! candidates through today's thresholds and moderation), without running the model; with
//! `suggestions=N` (at most 20) also the N best candidates the thresholds hide, in `tags.more`
//! (read-only: nothing is saved and no setting changes).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::{answer, locale_or_default, AssetAnswer, AssetRef};
use crate::error::ServiceError;
use crate::routes::support::QueryParams;
use crate::store::StoreError;
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct AssetQuery {
    pub content_hash: Option<String>,
    pub asset_id: Option<String>,
    pub locale: Option<String>,
    /// How many hidden candidates to add as "more suggestions" (0 by default, at most 20).
    pub suggestions: Option<usize>,
}

pub async fn get(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<AssetQuery>,
) -> Result<Json<AssetAnswer>, ServiceError> {
    let asset = AssetRef { content_hash: query.content_hash, asset_id: query.asset_id };
    asset.check().map_err(ServiceError::BadInput)?;
    let locale = locale_or_default(query.locale.as_deref());
    let suggestions = query.suggestions.unwrap_or(0);
    if suggestions > smart_tags_core::tags::MAX_MORE_SUGGESTIONS {
        return Err(ServiceError::BadInput(format!(
            "suggestions must be at most {}",
            smart_tags_core::tags::MAX_MORE_SUGGESTIONS
        )));
    }
    let answer = tokio::task::spawn_blocking(move || -> Result<AssetAnswer, ServiceError> {
        let store = &state.store;
        let key = store
            .find_asset(asset.content_hash.as_deref(), asset.asset_id.as_deref())?
            .ok_or(StoreError::UnknownAsset)?;
        let mapping = state.mapping.get(store)?;
        Ok(answer(store, key, &mapping, state.tagger.as_deref(), &locale, suggestions, true, None)?)
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    Ok(Json(answer))
}
