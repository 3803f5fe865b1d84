//! `POST /v1/assets/retag` `{"asset_id"?, "content_hash"?, "dry_run": bool, "locale"?}`: tags an
//! asset again without its image, from the class probabilities and the embedding stored when the
//! model last ran on its bytes, with today's taxonomy mapping, thresholds and active trained
//! models (colour tags are kept as they were). The model does not run, so the inference count
//! stays.
//!
//! Answers `{"asset", "status", "dry_run", "added", "removed", "unchanged", "tags"}`: `added` and
//! `removed` compare the asset's *answered* smart tags before and after (thresholds and moderation
//! applied to both), so a manual tag is never removed and a removed tag never comes back;
//! moderation is untouched. `status` is `changed`, `unchanged`, or `needs_image` when no model
//! output is stored for the asset's bytes under the current image model (tag it from the image).
//! A dry run saves nothing; otherwise the new prediction is saved, under the same lock per
//! content hash as tagging (so a re-tag and a tagging of the same bytes do not interleave).
//!
//! An asset in a folder with smart tagging switched off (`/v1/folders`) is left as it is, with
//! `status` `smart_tags_off` and the `reason`, unless `ignore_smart_tag_flag` is set, as in
//! `POST /v1/assets/tag`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::tags::{AssetTags, SmartTag};
use smart_tags_core::workflow::diff;

use super::folder::{recheck, rules_for};
use super::{answer, answer_for, locale_or_default, rescore, AssetAnswer, AssetInfo, AssetRef};
use crate::error::ServiceError;
use crate::routes::support::JsonBody;
use crate::store::{StoreError, StoredPrediction};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetagRequest {
    pub content_hash: Option<String>,
    pub asset_id: Option<String>,
    /// Required, so that nothing is saved by mistake: `true` only reports.
    pub dry_run: bool,
    pub locale: Option<String>,
    /// Re-tag even where the asset's folder has smart tagging switched off.
    #[serde(default)]
    pub ignore_smart_tag_flag: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetagStatus {
    Changed,
    Unchanged,
    NeedsImage,
    SmartTagsOff,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RetagAnswer {
    pub asset: AssetInfo,
    pub status: RetagStatus,
    /// Why nothing was re-tagged (`smart_tags_off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub dry_run: bool,
    /// Smart tags answered after the re-tag and not before.
    pub added: Vec<SmartTag>,
    /// Smart tags answered before and not after.
    pub removed: Vec<SmartTag>,
    /// Smart tags answered before and after.
    pub unchanged: usize,
    /// The asset's tags after the re-tag (for a dry run: as they would be).
    pub tags: AssetTags,
}

fn unchanged(before: AssetAnswer, status: RetagStatus, dry_run: bool) -> RetagAnswer {
    RetagAnswer {
        asset: before.asset,
        status,
        reason: None,
        dry_run,
        added: Vec::new(),
        removed: Vec::new(),
        unchanged: before.tags.smart.len(),
        tags: before.tags,
    }
}

pub async fn retag(
    State(state): State<Arc<AppState>>,
    JsonBody(request): JsonBody<RetagRequest>,
) -> Result<Json<RetagAnswer>, ServiceError> {
    let asset = AssetRef { content_hash: request.content_hash.clone(), asset_id: request.asset_id.clone() };
    asset.check().map_err(ServiceError::BadInput)?;
    let tagger = state.tagger.clone().ok_or(ServiceError::NotReady)?;
    let locale = locale_or_default(request.locale.as_deref());
    let (dry_run, ignore_flag) = (request.dry_run, request.ignore_smart_tag_flag);
    let result = tokio::task::spawn_blocking(move || -> Result<RetagAnswer, ServiceError> {
        let store = &state.store;
        let key = store
            .find_asset(asset.content_hash.as_deref(), asset.asset_id.as_deref())?
            .ok_or(StoreError::UnknownAsset)?;
        let mapping = state.mapping.get(store)?;
        let mut view = store.asset(key)?;
        // Held until the new prediction is saved; read the asset again under it.
        let _same_bytes = match view.content_hash.clone().filter(|_| !dry_run) {
            Some(hash) => {
                let guard = state.tagging_locks.lock(&hash);
                view = store.asset(key)?;
                Some(guard)
            }
            None => None,
        };
        let before = answer_for(store, view.clone(), &mapping, Some(&tagger), &locale, 0)?;
        let rules = rules_for(store, view.folder.as_deref())?;
        if let Some(off) = rules.smart_tags_off.filter(|_| !ignore_flag) {
            return Ok(RetagAnswer { reason: Some(off), ..unchanged(before, RetagStatus::SmartTagsOff, dry_run) });
        }
        let workflow = rules.workflow;
        let Some(prediction) = rescore(&state, &tagger, &mapping, &workflow, &view)? else {
            return Ok(unchanged(before, RetagStatus::NeedsImage, dry_run));
        };
        let old = view.prediction.take();
        let after = if dry_run {
            view.prediction = Some(StoredPrediction {
                content_hash: prediction.content_hash.clone(),
                model_version: prediction.model_version.clone(),
                taxonomy_version: prediction.taxonomy_version,
                settings_version: prediction.settings_version,
                trained_version: prediction.trained_version,
                tags: prediction.tags,
                created_at: old.as_ref().map_or_else(String::new, |p| p.created_at.clone()),
                inference_count: old.as_ref().map_or(0, |p| p.inference_count),
            });
            answer_for(store, view, &mapping, Some(&tagger), &locale, 0)?
        } else {
            store.save_prediction(key, &prediction)?;
            recheck(store, key, view.folder.as_deref(), &workflow)?;
            answer(store, key, &mapping, Some(&tagger), &locale, 0, true, None)?
        };
        let changes = diff(&before.tags.smart, &after.tags.smart);
        let status = if changes.is_empty() { RetagStatus::Unchanged } else { RetagStatus::Changed };
        Ok(RetagAnswer {
            asset: after.asset,
            status,
            reason: None,
            dry_run,
            added: changes.added,
            removed: changes.removed,
            unchanged: changes.unchanged,
            tags: after.tags,
        })
    })
    .await
    .map_err(|_| ServiceError::Internal)?;
    Ok(Json(result?))
}
