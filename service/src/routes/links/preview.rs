//! `POST /v1/links/preview` with `{tag, concept, action}` (the body of `POST /v1/links`): what the
//! change would do to the stored assets once they are tagged again (a re-tag, or Bulk re-tag),
//! before it is made. Each stored asset is scored again from its stored model outputs (as a re-tag
//! does: `assets::rescore`'s `candidates`, no image model run) under today's links and under the
//! links after the change, shown as an answer shows it (`core::tags::shown_ids`: thresholds, the
//! most tags per asset, generic tags folded), and the answer lists the assets that would gain the
//! tag and those that would lose it (at most [`MAX_EXAMPLES`] each, with their confidences before
//! and after) with the counts. Rejecting a link so previews the assets that link tags today.
//! Nothing is stored. At most [`MAX_SCANNED`] assets are read, in key order, for at most
//! [`MAX_SECONDS`]; `complete` says whether that was all of them.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use smart_tags_core::mapping::{ConceptLink, LinkMethod, LinkState};
use smart_tags_core::tags::{shown_ids, SmartTag, Thresholds};
use smart_tags_core::taxonomy::TagId;

use super::change::{LinkAction, LinkChange};
use crate::error::ServiceError;
use crate::mapping_cache::Mapping;
use crate::routes::assets::folder::{rules_for, FolderRules};
use crate::routes::assets::{candidates, stored_findings};
use crate::routes::support::{tag_id, JsonBody};
use crate::store::{AssetView, StoreError};
use crate::AppState;

/// Most assets read for one preview (a few seconds on 2 cores).
pub const MAX_SCANNED: usize = 5_000;
/// Most assets listed on each side.
pub const MAX_EXAMPLES: usize = 20;
/// Longest scan, well inside the proxy's default wait for the service (10 s).
pub const MAX_SECONDS: u64 = 5;

#[derive(Debug, Serialize)]
pub struct LinkPreview {
    pub tag: String,
    pub concept: String,
    pub action: LinkAction,
    /// Assets read and scored (those with stored model outputs under the current image model and
    /// smart tagging on in their folder).
    pub scored: usize,
    /// Assets read, scored or not.
    pub scanned: usize,
    /// Whether every stored asset was read (false past [`MAX_SCANNED`]).
    pub complete: bool,
    /// How many scored assets show the tag today, and would after the change.
    pub showing_before: usize,
    pub showing_after: usize,
    /// Assets that would gain or lose the tag, most confident first.
    pub gain: Vec<AssetEffect>,
    pub lose: Vec<AssetEffect>,
    pub gained: usize,
    pub lost: usize,
}

#[derive(Debug, Serialize)]
pub struct AssetEffect {
    pub asset_id: Option<String>,
    pub content_hash: Option<String>,
    pub folder: Option<String>,
    /// The tag's confidence today and after the change (0 when it is not a candidate).
    pub before: f32,
    pub after: f32,
    /// The confidence the tag needs on this asset.
    pub threshold: f32,
}

pub async fn preview(
    State(state): State<Arc<AppState>>,
    JsonBody(change): JsonBody<LinkChange>,
) -> Result<Json<LinkPreview>, ServiceError> {
    let tag = tag_id(&change.tag)?;
    let tagger = state.tagger.clone().ok_or(ServiceError::NotReady)?;
    if tagger.graph().find(&change.concept).is_none() {
        return Err(ServiceError::BadInput(format!(
            "{} is not a concept of the hierarchy (see GET /v1/concepts?q=...)",
            change.concept
        )));
    }
    tokio::task::spawn_blocking(move || -> Result<LinkPreview, ServiceError> {
        state.store.tag(&tag)?;
        let mapping = state.mapping.get(&state.store)?;
        let stored = state.store.links(Some(&tag))?;
        let links = changed_links(&mapping.links, &stored, &tag, &change)?;
        let after_mapping = Mapping::new(mapping.version, mapping.taxonomy.clone(), links);
        let thresholds = state.store.thresholds()?;
        let mut preview = LinkPreview {
            tag: tag.to_string(),
            concept: change.concept.clone(),
            action: change.action,
            scored: 0,
            scanned: 0,
            complete: true,
            showing_before: 0,
            showing_after: 0,
            gain: Vec::new(),
            lose: Vec::new(),
            gained: 0,
            lost: 0,
        };
        let mut folders: BTreeMap<Option<String>, FolderRules> = BTreeMap::new();
        let budget = std::time::Duration::from_secs(MAX_SECONDS);
        let scan = state.store.scan_assets(MAX_SCANNED, budget, |view| -> Result<(), StoreError> {
            if decided(&view, tag.as_str()) {
                return Ok(()); // a person's decision on the tag wins whatever the links
            }
            if !folders.contains_key(&view.folder) {
                folders.insert(view.folder.clone(), rules_for(&state.store, view.folder.as_deref())?);
            }
            let Some(rules) = folders.get(&view.folder).filter(|r| r.smart_tags_off.is_none()) else { return Ok(()) };
            let score = |mapping: &Mapping| scored(&state, &tagger, mapping, rules, &view, tag.as_str());
            let (Some(before), Some(after)) = (score(&mapping)?, score(&after_mapping)?) else { return Ok(()) };
            preview.scored += 1;
            let none = BTreeMap::new();
            let (was, will) = (
                shown_ids(&before.0, &thresholds, &none, |id| mapping.concepts_of(id)).contains(tag.as_str()),
                shown_ids(&after.0, &thresholds, &none, |id| after_mapping.concepts_of(id)).contains(tag.as_str()),
            );
            preview.showing_before += usize::from(was);
            preview.showing_after += usize::from(will);
            if was != will {
                let effect = effect(&view, &before.1, &after.1, &thresholds);
                if will {
                    preview.gained += 1;
                    preview.gain.push(effect);
                } else {
                    preview.lost += 1;
                    preview.lose.push(effect);
                }
            }
            Ok(())
        })?;
        (preview.scanned, preview.complete) = (scan.scanned, scan.complete);
        for list in [&mut preview.gain, &mut preview.lose] {
            list.sort_by(|a, b| b.before.max(b.after).total_cmp(&a.before.max(a.after)));
            list.truncate(MAX_EXAMPLES);
        }
        Ok(preview)
    })
    .await
    .map_err(|_| ServiceError::Internal)?
    .map(Json)
}

/// The active links after the change, as `Store::add_manual_link`, `confirm_link` and
/// `reject_link` would leave them: an added link is manual, confirmed, score 1; a confirmed one
/// keeps its method and score (a rejected one confirmed counts again); a rejected one stops
/// counting. `stored` are the tag's links, rejected ones included: confirm and reject need one.
fn changed_links(
    active: &[ConceptLink],
    stored: &[crate::store::links::Link],
    tag: &TagId,
    change: &LinkChange,
) -> Result<Vec<ConceptLink>, StoreError> {
    let same = |l: &ConceptLink| l.tag == *tag && l.concept == change.concept;
    let Some(existing) = stored.iter().find(|l| l.tag_id == *tag && l.concept == change.concept) else {
        if !matches!(change.action, LinkAction::Add) {
            return Err(StoreError::UnknownLink { tag: tag.to_string(), concept: change.concept.clone() });
        }
        let mut links = active.to_vec();
        links.push(ConceptLink {
            tag: tag.clone(),
            concept: change.concept.clone(),
            score: 1.0,
            method: LinkMethod::Manual,
            state: LinkState::Confirmed,
        });
        return Ok(links);
    };
    let mut links: Vec<ConceptLink> = active.iter().filter(|l| !same(l)).cloned().collect();
    let (score, method) = match change.action {
        LinkAction::Add => (1.0, LinkMethod::Manual),
        LinkAction::Confirm => (existing.score, existing.method),
        LinkAction::Reject => return Ok(links),
    };
    links.push(ConceptLink {
        tag: tag.clone(),
        concept: change.concept.clone(),
        score,
        method,
        state: LinkState::Confirmed,
    });
    Ok(links)
}

/// Whether a person decided about the tag on the asset (removed it or added it by hand).
fn decided(view: &AssetView, tag: &str) -> bool {
    view.moderation.iter().any(|m| m.tag_id == tag)
}

/// A stored asset's candidates under one mapping, and the tag's among them.
type Scored = (Vec<SmartTag>, Option<SmartTag>);

/// The asset's candidates under `mapping` and the tag's: `None` when the asset cannot be scored
/// from what is stored.
fn scored(
    state: &AppState,
    tagger: &crate::tagger::Tagger,
    mapping: &Mapping,
    rules: &FolderRules,
    view: &AssetView,
    tag: &str,
) -> Result<Option<Scored>, StoreError> {
    let store = &state.store;
    let model_version = state.engine.version();
    let Some(hash) = &view.content_hash else { return Ok(None) };
    if view.prediction.as_ref().is_some_and(|p| p.content_hash.is_none()) {
        return Ok(None);
    }
    let Some((probs, embedding)) = store.model_output(hash, model_version)?.zip(store.embedding(hash, model_version)?)
    else {
        return Ok(None);
    };
    let findings = stored_findings(store, hash)?.allowed_by(&rules.workflow);
    let (tags, _) = candidates(
        state,
        tagger,
        mapping,
        model_version,
        &probs,
        findings.detected(),
        &embedding,
        &[],
        &rules.workflow,
    )?;
    let own = tags.iter().find(|t| t.id == tag).cloned();
    Ok(Some((tags, own)))
}

fn effect(
    view: &AssetView,
    before: &Option<SmartTag>,
    after: &Option<SmartTag>,
    thresholds: &Thresholds,
) -> AssetEffect {
    let confidence = |c: &Option<SmartTag>| c.as_ref().map_or(0.0, |c| c.confidence);
    let threshold =
        before.as_ref().or(after.as_ref()).map_or(thresholds.min_confidence, |c| thresholds.threshold_for(c));
    AssetEffect {
        asset_id: view.asset_id.clone(),
        content_hash: view.content_hash.clone(),
        folder: view.folder.clone(),
        before: confidence(before),
        after: confidence(after),
        threshold,
    }
}
