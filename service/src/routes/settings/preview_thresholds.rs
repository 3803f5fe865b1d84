//! `POST /v1/settings/thresholds/preview` with a whole thresholds object (as `PUT
//! /v1/settings/thresholds` takes it): what it would change on the stored assets before it is
//! saved. Each stored asset's candidates are shown under today's thresholds and under the given
//! ones as an answer shows them (`smart_tags_core::tags::threshold_change`, with the asset's
//! moderation and the generic tags a shown taxonomy tag repeats folded into it); the answer counts
//! the assets that would change and, per tag, how many assets would gain or lose it (the tags
//! with the most changes first, at most [`MAX_TAGS`]). Nothing is stored. At most
//! [`MAX_SCANNED`] assets are read, in key order, for at most [`MAX_SECONDS`]; `complete` says
//! whether that was all.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use smart_tags_core::tags::{threshold_change, Decision};

use crate::error::ServiceError;
use crate::mapping_cache::Mapping;
use crate::routes::support::JsonBody;
use crate::store::{ModerationAction, Store, StoreError, Thresholds};
use crate::AppState;

/// Most assets read for one preview.
pub const MAX_SCANNED: usize = 50_000;
/// Most tags listed.
pub const MAX_TAGS: usize = 50;
/// Longest scan, well inside the proxy's default wait for the service (10 s).
pub const MAX_SECONDS: u64 = 5;

#[derive(Debug, Serialize)]
pub struct ThresholdPreview {
    /// Assets read.
    pub scanned: usize,
    /// Whether every stored asset was read.
    pub complete: bool,
    /// Assets whose shown tags would change.
    pub assets_changed: usize,
    /// Tags shown on assets that would appear, and disappear, over all assets.
    pub gained: usize,
    pub lost: usize,
    /// Per tag, most changes first.
    pub tags: Vec<TagEffect>,
}

#[derive(Debug, Serialize)]
pub struct TagEffect {
    pub tag: String,
    /// Assets that would gain or lose the tag.
    pub gained: usize,
    pub lost: usize,
}

pub async fn preview_thresholds(
    State(state): State<Arc<AppState>>,
    JsonBody(thresholds): JsonBody<Thresholds>,
) -> Result<Json<ThresholdPreview>, ServiceError> {
    let preview = tokio::task::spawn_blocking(move || -> Result<ThresholdPreview, StoreError> {
        crate::store::settings::validate(&thresholds)?;
        let mapping = state.mapping.get(&state.store)?;
        preview(&state.store, &mapping, &thresholds)
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    Ok(Json(preview))
}

fn preview(store: &Store, mapping: &Mapping, after: &Thresholds) -> Result<ThresholdPreview, StoreError> {
    let before = store.thresholds()?;
    let mut answer =
        ThresholdPreview { scanned: 0, complete: true, assets_changed: 0, gained: 0, lost: 0, tags: Vec::new() };
    let mut per_tag: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let budget = std::time::Duration::from_secs(MAX_SECONDS);
    let scan = store.scan_assets(MAX_SCANNED, budget, |view| -> Result<(), StoreError> {
        let Some(prediction) = &view.prediction else { return Ok(()) };
        let decisions: BTreeMap<String, Decision> = view
            .moderation
            .iter()
            .map(|m| {
                let decision = match m.action {
                    ModerationAction::Removed => Decision::Removed,
                    ModerationAction::Manual => Decision::Manual { title: m.tag_id.clone(), path: Vec::new() },
                };
                (m.tag_id.clone(), decision)
            })
            .collect();
        let (gained, lost) =
            threshold_change(&prediction.tags, &before, after, &decisions, |id| mapping.concepts_of(id));
        if !gained.is_empty() || !lost.is_empty() {
            answer.assets_changed += 1;
            answer.gained += gained.len();
            answer.lost += lost.len();
        }
        for tag in gained {
            per_tag.entry(tag).or_default().0 += 1;
        }
        for tag in lost {
            per_tag.entry(tag).or_default().1 += 1;
        }
        Ok(())
    })?;
    (answer.scanned, answer.complete) = (scan.scanned, scan.complete);
    answer.tags = per_tag.into_iter().map(|(tag, (gained, lost))| TagEffect { tag, gained, lost }).collect();
    answer.tags.sort_by(|a, b| (b.gained + b.lost).cmp(&(a.gained + a.lost)).then_with(|| a.tag.cmp(&b.tag)));
    answer.tags.truncate(MAX_TAGS);
    Ok(answer)
}
