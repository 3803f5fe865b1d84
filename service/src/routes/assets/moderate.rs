//! `POST /v1/assets/moderation`: what a person decided about one tag of one asset.
//! Body: `{content_hash?, asset_id?, tag_id, action, title?, locale?}` with `action`:
//! - `promote`: a smart tag of the asset becomes a manual tag (confidence 1.0);
//! - `remove`: the tag is never shown on this asset again, whatever a re-tagging says;
//! - `add_manual`: adds a manual tag; `tag_id` is a tag id, or a title of a taxonomy tag in
//!   `locale` (matched without regard to case), or the id of one of the asset's candidates (a
//!   generic tag offered as a "more suggestions" entry);
//! - `clear`: forgets the decision (its moderation row is deleted), so the tag is a suggestion
//!   again; a tag without a decision is left as it is (the review's undo sends it).
//!
//! Answers the asset's tags after the decision.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use smart_tags_core::tags::TagSource;
use smart_tags_core::taxonomy::TagId;

use super::{answer, locale_or_default, AssetAnswer, AssetRef};
use crate::error::ServiceError;
use crate::routes::support::{Actor, JsonBody};
use crate::store::{StoreError, TagAction};
use crate::AppState;

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Promote,
    Remove,
    AddManual,
    Clear,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    pub content_hash: Option<String>,
    pub asset_id: Option<String>,
    pub tag_id: String,
    pub action: Action,
    pub title: Option<String>,
    pub locale: Option<String>,
}

pub async fn moderate(
    State(state): State<Arc<AppState>>,
    actor: Actor,
    JsonBody(request): JsonBody<ModerationRequest>,
) -> Result<Json<AssetAnswer>, ServiceError> {
    let asset = AssetRef { content_hash: request.content_hash.clone(), asset_id: request.asset_id.clone() };
    asset.check().map_err(ServiceError::BadInput)?;
    let locale = locale_or_default(request.locale.as_deref());
    let answer = tokio::task::spawn_blocking(move || -> Result<AssetAnswer, ServiceError> {
        let store = &state.store;
        let key = store
            .find_asset(asset.content_hash.as_deref(), asset.asset_id.as_deref())?
            .ok_or(StoreError::UnknownAsset)?;
        let mapping = state.mapping.get(store)?;
        let (tag_id, action) = match request.action {
            Action::Clear => {
                store.clear_decision(key, request.tag_id.trim(), &actor.0)?;
                return Ok(answer(store, key, &mapping, state.tagger.as_deref(), &locale, 0, true, None)?);
            }
            Action::Promote => (request.tag_id.trim().to_owned(), TagAction::Promote),
            Action::Remove => (request.tag_id.trim().to_owned(), TagAction::Remove),
            Action::AddManual => {
                let wanted = request.tag_id.trim();
                let by_id = TagId::parse(wanted).ok().filter(|id| mapping.taxonomy.get(id).is_some());
                let by_title = || {
                    let lower = wanted.to_lowercase();
                    mapping
                        .taxonomy
                        .tags()
                        .find(|t| !t.id.is_namespace() && t.title(&locale).to_lowercase() == lower)
                        .map(|t| t.id.clone())
                };
                match by_id.or_else(by_title) {
                    Some(id) => {
                        let title = request
                            .title
                            .clone()
                            .or_else(|| mapping.taxonomy.get(&id).map(|t| t.title("en").to_owned()));
                        (id.to_string(), TagAction::AddManual { title })
                    }
                    // One of the asset's own candidates ("more suggestions" offers generic tags
                    // the thresholds hid): added with its title.
                    None => {
                        let candidate = store
                            .asset(key)?
                            .prediction
                            .and_then(|p| p.tags.into_iter().find(|t| t.id == wanted && t.source != TagSource::Color))
                            .ok_or_else(|| ServiceError::Store(StoreError::UnknownTag(wanted.to_owned())))?;
                        (candidate.id, TagAction::AddManual { title: Some(candidate.title) })
                    }
                }
            }
        };
        store.moderate(key, &tag_id, action, &actor.0)?;
        Ok(answer(store, key, &mapping, state.tagger.as_deref(), &locale, 0, true, None)?)
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    Ok(Json(answer))
}
