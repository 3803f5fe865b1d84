//! [`ReviewSession`]: the assets under review, keyed by content hash.
//!
//! The session never talks to the service: each action changes the local state at once and
//! returns the [`ModerationOp`]s to send; the page sends them and upserts the service's answers,
//! which win over the local state.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::ReviewError;
use super::history::{Change, History, Step, Verb};
use super::ops::{restore, ModerationOp};
use super::queue::{effective_threshold, next, previous, queue_order, uncertainty};
use super::tag::{display_order, from_answer, ReviewTag, TagState};
use super::view::{AssetView, Hidden, HiddenAsset, HiddenReport, TagView};
use crate::export::{ExportAsset, ExportTag};
use crate::tags::{AssetTags, TagSource, Thresholds};

/// Options of a session.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewOptions {
    /// The service's global minimum confidence: the threshold of tags without their own.
    pub min_confidence: f32,
}

impl Default for ReviewOptions {
    fn default() -> ReviewOptions {
        ReviewOptions { min_confidence: Thresholds::default().min_confidence }
    }
}

#[derive(Debug, Clone)]
struct Asset {
    name: String,
    tags: Vec<ReviewTag>,
    /// The words read in the picture, for the exports.
    words: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ReviewSession {
    assets: BTreeMap<String, Asset>,
    /// Queue order; recomputed on new assets, view threshold changes and [`Self::sort_queue`].
    order: Vec<String>,
    history: History,
    view_threshold: f32,
    min_confidence: f32,
}

fn unit(x: f32) -> bool {
    (0.0..=1.0).contains(&x)
}

impl ReviewSession {
    pub fn new(options: ReviewOptions) -> Result<ReviewSession, ReviewError> {
        if !unit(options.min_confidence) {
            return Err(ReviewError::MinConfidence(options.min_confidence));
        }
        Ok(ReviewSession {
            assets: BTreeMap::new(),
            order: Vec::new(),
            history: History::default(),
            view_threshold: 0.0,
            min_confidence: options.min_confidence,
        })
    }

    /// Adds an asset or replaces its tags by a service answer (see [`from_answer`]).
    pub fn upsert_asset(&mut self, key: &str, name: &str, answer: &AssetTags) -> AssetView {
        match self.assets.get_mut(key) {
            Some(asset) => {
                asset.tags = from_answer(answer, &asset.tags);
                asset.name = name.to_owned();
            }
            None => {
                self.assets.insert(
                    key.to_owned(),
                    Asset { name: name.to_owned(), tags: from_answer(answer, &[]), words: Vec::new() },
                );
                self.order.push(key.to_owned());
                self.sort_queue();
            }
        }
        self.view_of(key).unwrap_or_else(|| unreachable_view(key))
    }

    /// Keeps the words a service answer's `text` says were read in the asset's picture, for the
    /// exports ([`crate::export::words_of`]); an answer without `text` leaves them as they were.
    pub fn set_text(&mut self, key: &str, text: Option<&serde_json::Value>) -> Result<(), ReviewError> {
        let asset = self.assets.get_mut(key).ok_or_else(|| ReviewError::UnknownAsset(key.to_owned()))?;
        if text.is_some_and(|t| !t.is_null()) {
            asset.words = crate::export::words_of(text);
        }
        Ok(())
    }

    /// Forgets an asset (its history steps stay; undoing them still answers their requests).
    pub fn remove_asset(&mut self, key: &str) -> bool {
        self.order.retain(|k| k != key);
        self.assets.remove(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.assets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.assets.is_empty()
    }

    pub fn asset(&self, key: &str) -> Option<AssetView> {
        self.view_of(key)
    }

    /// Every asset, in queue order.
    pub fn assets(&self) -> Vec<AssetView> {
        self.order.iter().filter_map(|k| self.view_of(k)).collect()
    }

    // ---- actions --------------------------------------------------------------------------

    /// Accepts the tag on each asset of the selection that has it undecided or rejected. A
    /// rejected tag the session never saw as a suggestion is promoted when it is a generic or
    /// colour tag (the service adds only taxonomy tags by hand) and added as manual otherwise.
    pub fn accept(&mut self, keys: &[String], tag_id: &str) -> Result<Vec<ModerationOp>, ReviewError> {
        self.act(Verb::Accept, keys, tag_id, |current| match current {
            Some(t) if t.state.is_kept() => None,
            Some(t) if t.predicted || t.tag.source != TagSource::Taxonomy => Some(t.with_state(TagState::Accepted)),
            Some(t) => Some(t.with_state(TagState::Manual)),
            None => None,
        })
    }

    /// Rejects the tag on each asset of the selection that has it and has not rejected it.
    pub fn reject(&mut self, keys: &[String], tag_id: &str) -> Result<Vec<ModerationOp>, ReviewError> {
        self.act(Verb::Reject, keys, tag_id, |current| match current {
            Some(t) if t.state != TagState::Rejected => Some(t.with_state(TagState::Rejected)),
            _ => None,
        })
    }

    /// Adds the tag to each asset of the selection: a suggestion of the asset is accepted, a tag
    /// the asset lacks becomes manual; one it already keeps is left alone.
    pub fn add(
        &mut self,
        keys: &[String],
        tag_id: &str,
        title: &str,
        path: Vec<String>,
    ) -> Result<Vec<ModerationOp>, ReviewError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(ReviewError::EmptyTitle);
        }
        let added = ReviewTag::manual(tag_id.trim(), title, path);
        self.act(Verb::Add, keys, tag_id, |current| match current {
            Some(t) if t.state.is_kept() => None,
            Some(t) if t.predicted => Some(t.with_state(TagState::Accepted)),
            _ => Some(added.clone()),
        })
    }

    fn act(
        &mut self,
        verb: Verb,
        keys: &[String],
        tag_id: &str,
        decide: impl Fn(Option<&ReviewTag>) -> Option<ReviewTag>,
    ) -> Result<Vec<ModerationOp>, ReviewError> {
        let tag_id = tag_id.trim();
        if tag_id.is_empty() {
            return Err(ReviewError::EmptyTagId);
        }
        if keys.is_empty() {
            return Err(ReviewError::EmptySelection);
        }
        if let Some(unknown) = keys.iter().find(|k| !self.assets.contains_key(k.as_str())) {
            return Err(ReviewError::UnknownAsset(unknown.clone()));
        }
        let mut changes: Vec<Change> = Vec::new();
        let mut seen: Vec<&String> = Vec::new();
        for key in keys {
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let before = self.assets.get(key.as_str()).and_then(|a| a.tags.iter().find(|t| t.id() == tag_id)).cloned();
            if let Some(after) = decide(before.as_ref()) {
                changes.push(Change { key: key.clone(), tag_id: tag_id.to_owned(), before, after: Some(after) });
            }
        }
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let tag_title = changes
            .iter()
            .find_map(|c| c.after.as_ref().map(|t| t.tag.title.clone()))
            .unwrap_or_else(|| tag_id.to_owned());
        let target = match changes.as_slice() {
            [one] => self.assets.get(&one.key).map(|a| a.name.clone()).unwrap_or_else(|| one.key.clone()),
            many => format!("{} assets", many.len()),
        };
        let step = Step { verb, tag_title, target, changes };
        let ops = self.apply_side(&step, false);
        self.history.push(step);
        Ok(ops)
    }

    /// Puts every changed tag of the step in its state before (`undo`) or after, and answers the
    /// requests that do the same on the server.
    fn apply_side(&mut self, step: &Step, undo: bool) -> Vec<ModerationOp> {
        let mut ops = Vec::with_capacity(step.changes.len());
        for change in &step.changes {
            let target = if undo { change.before.as_ref() } else { change.after.as_ref() };
            if let Some(asset) = self.assets.get_mut(&change.key) {
                asset.tags.retain(|t| t.id() != change.tag_id);
                if let Some(tag) = target {
                    asset.tags.push(tag.clone());
                    asset.tags.sort_by(display_order);
                }
            }
            ops.push(restore(&change.key, &change.tag_id, target));
        }
        ops
    }

    // ---- history --------------------------------------------------------------------------

    /// Undoes the last step; the requests that restore each tag's previous decision.
    pub fn undo(&mut self) -> Vec<ModerationOp> {
        match self.history.undo().cloned() {
            Some(step) => self.apply_side(&step, true),
            None => Vec::new(),
        }
    }

    /// Redoes the last undone step.
    pub fn redo(&mut self) -> Vec<ModerationOp> {
        match self.history.redo().cloned() {
            Some(step) => self.apply_side(&step, false),
            None => Vec::new(),
        }
    }

    pub fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    pub fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// `undo: accept Cats on 3 assets`.
    pub fn undo_description(&self) -> Option<String> {
        self.history.next_undo().map(|s| format!("undo: {}", s.describe()))
    }

    /// `redo: reject Dog on IMG_0001.jpg`.
    pub fn redo_description(&self) -> Option<String> {
        self.history.next_redo().map(|s| format!("redo: {}", s.describe()))
    }

    // ---- view threshold -------------------------------------------------------------------

    /// Sets the view threshold (hides suggestions below it; changes no decision) and re-sorts.
    pub fn set_view_threshold(&mut self, x: f32) -> Result<HiddenReport, ReviewError> {
        if !unit(x) {
            return Err(ReviewError::ViewThreshold(x));
        }
        self.view_threshold = x;
        self.sort_queue();
        Ok(self.hidden())
    }

    pub fn view_threshold(&self) -> f32 {
        self.view_threshold
    }

    fn is_hidden(&self, tag: &ReviewTag) -> bool {
        tag.state == TagState::Suggested && !tag.is_color() && tag.tag.confidence < self.view_threshold
    }

    fn is_final(&self, tag: &ReviewTag) -> bool {
        tag.state.is_kept() || (tag.state == TagState::Suggested && !self.is_hidden(tag))
    }

    fn hidden_ids(&self, asset: &Asset) -> Vec<String> {
        asset.tags.iter().filter(|t| self.is_hidden(t)).map(|t| t.tag.id.clone()).collect()
    }

    /// What the view threshold hides, in total and per asset (queue order).
    pub fn hidden(&self) -> HiddenReport {
        let assets: Vec<HiddenAsset> = self
            .order
            .iter()
            .filter_map(|k| self.assets.get(k).map(|a| (k, self.hidden_ids(a))))
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(k, ids)| HiddenAsset { key: k.clone(), count: ids.len(), ids })
            .collect();
        HiddenReport { count: assets.iter().map(|a| a.count).sum(), assets }
    }

    // ---- queue and navigation -------------------------------------------------------------

    /// The keys, most uncertain first (as last sorted).
    pub fn queue(&self) -> &[String] {
        &self.order
    }

    /// Sorts the queue now.
    pub fn sort_queue(&mut self) -> &[String] {
        let mut scored: Vec<(Option<f32>, &str, &String)> = self
            .assets
            .iter()
            .map(|(k, a)| (uncertainty(&a.tags, self.min_confidence, self.view_threshold), a.name.as_str(), k))
            .collect();
        scored.sort_by(|a, b| queue_order((a.0, a.1, a.2), (b.0, b.1, b.2)));
        self.order = scored.into_iter().map(|(_, _, k)| k.clone()).collect();
        &self.order
    }

    pub fn next_asset(&self, key: Option<&str>) -> Option<String> {
        next(&self.order, key).cloned()
    }

    pub fn previous_asset(&self, key: Option<&str>) -> Option<String> {
        previous(&self.order, key).cloned()
    }

    /// Tags navigation skips tags the view threshold hides.
    fn navigable(&self, key: &str) -> Result<Vec<String>, ReviewError> {
        let asset = self.assets.get(key).ok_or_else(|| ReviewError::UnknownAsset(key.to_owned()))?;
        Ok(asset.tags.iter().filter(|t| !self.is_hidden(t)).map(|t| t.tag.id.clone()).collect())
    }

    pub fn next_tag(&self, key: &str, tag_id: Option<&str>) -> Result<Option<String>, ReviewError> {
        Ok(next(&self.navigable(key)?, tag_id).cloned())
    }

    pub fn previous_tag(&self, key: &str, tag_id: Option<&str>) -> Result<Option<String>, ReviewError> {
        Ok(previous(&self.navigable(key)?, tag_id).cloned())
    }

    // ---- results --------------------------------------------------------------------------

    /// What the host DAM receives: manual + accepted + suggestions the view threshold shows.
    pub fn final_tags(&self, key: &str) -> Result<Vec<ExportTag>, ReviewError> {
        let asset = self.assets.get(key).ok_or_else(|| ReviewError::UnknownAsset(key.to_owned()))?;
        Ok(asset
            .tags
            .iter()
            .filter(|t| self.is_final(t))
            .map(|t| ExportTag {
                id: t.tag.id.clone(),
                title: t.tag.title.clone(),
                path: t.tag.path.clone(),
                confidence: t.tag.confidence,
                source: t.tag.source,
                confirmed: t.state.is_kept(),
            })
            .collect())
    }

    /// The export input of these assets (none: every asset, in queue order).
    pub fn export_assets(&self, keys: Option<&[String]>) -> Result<Vec<ExportAsset>, ReviewError> {
        let keys: Vec<String> = keys.map(<[String]>::to_vec).unwrap_or_else(|| self.order.clone());
        keys.iter()
            .map(|k| {
                let asset = self.assets.get(k).ok_or_else(|| ReviewError::UnknownAsset(k.clone()))?;
                Ok(ExportAsset {
                    name: asset.name.clone(),
                    content_hash: Some(k.clone()),
                    tags: self.final_tags(k)?,
                    words: asset.words.clone(),
                })
            })
            .collect()
    }

    fn view_of(&self, key: &str) -> Option<AssetView> {
        let asset = self.assets.get(key)?;
        let tags: Vec<TagView> = asset
            .tags
            .iter()
            .map(|t| TagView {
                id: t.tag.id.clone(),
                title: t.tag.title.clone(),
                path: t.tag.path.clone(),
                confidence: t.tag.confidence,
                source: t.tag.source,
                model_version: t.tag.model_version.clone(),
                hex: t.tag.hex.clone(),
                threshold: effective_threshold(t, self.min_confidence, self.view_threshold),
                state: t.state,
                hidden: self.is_hidden(t),
                is_final: self.is_final(t),
            })
            .collect();
        let ids = self.hidden_ids(asset);
        let undecided = asset.tags.iter().filter(|t| t.state == TagState::Suggested).count();
        Some(AssetView {
            key: key.to_owned(),
            name: asset.name.clone(),
            uncertainty: uncertainty(&asset.tags, self.min_confidence, self.view_threshold),
            hidden: Hidden { count: ids.len(), ids },
            decided: asset.tags.len() - undecided,
            undecided,
            tags,
        })
    }
}

/// The view of an asset just inserted always exists; this keeps the signature total.
fn unreachable_view(key: &str) -> AssetView {
    AssetView {
        key: key.to_owned(),
        name: String::new(),
        tags: Vec::new(),
        uncertainty: None,
        hidden: Hidden { count: 0, ids: Vec::new() },
        decided: 0,
        undecided: 0,
    }
}
