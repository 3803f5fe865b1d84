//! Asset routes: tag an asset, read its tags, moderate them, re-tag it from its stored model
//! output, list assets by folder. The first three answer an [`AssetAnswer`]: the asset's smart
//! tags after thresholds and moderation, its manual tags, and what was removed.

pub mod duplicates;
pub mod folder;
pub mod get;
pub mod list;
pub mod moderate;
pub mod retag;
pub mod search;
pub mod similar;
pub mod similar_image;
pub mod tag;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use smart_tags_core::color::ColorTag;
use smart_tags_core::detect::classes::Detected;
use smart_tags_core::tags::{
    apply, fold_generic, AssetTags, Decision, SmartTag, TagSource, GENERIC_NAMESPACE, MAX_MORE_SUGGESTIONS,
};
use smart_tags_core::taxonomy::{TagId, DEFAULT_LOCALE};
use smart_tags_core::workflow::StepResult;

use crate::detectors::{Findings, PeopleFound, TextFound};
use crate::mapping_cache::Mapping;
use crate::store::{AssetKey, AssetView, ModerationAction, NewPrediction, Store, StoreError};
use crate::tagger::{localize, taxonomy_path, Tagger};
use crate::training::active::{merge, trained_candidates};
use crate::AppState;

/// Longest DAM asset id accepted.
pub const MAX_ASSET_ID: usize = 512;

/// How a request names an asset: by the SHA-256 of its bytes, by the DAM's id, or both.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssetRef {
    pub content_hash: Option<String>,
    pub asset_id: Option<String>,
}

impl AssetRef {
    /// Checks the forms: a hash is 64 lowercase hex digits; an id is 1–512 visible characters.
    pub fn check(&self) -> Result<(), String> {
        if self.content_hash.is_none() && self.asset_id.is_none() {
            return Err("name the asset with content_hash (sha-256 of its bytes) and/or asset_id".to_owned());
        }
        if let Some(hash) = &self.content_hash {
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                return Err("content_hash must be the sha-256 of the file as 64 lowercase hex digits".to_owned());
            }
        }
        if let Some(id) = &self.asset_id {
            if id.trim().is_empty() || id.len() > MAX_ASSET_ID || id.chars().any(char::is_control) {
                return Err(format!("asset_id must be 1 to {MAX_ASSET_ID} bytes without control characters"));
            }
        }
        Ok(())
    }
}

/// The asset as the answer names it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssetInfo {
    pub key: AssetKey,
    pub content_hash: Option<String>,
    pub asset_id: Option<String>,
    /// The DAM folder, when the DAM said.
    #[serde(default)]
    pub folder: Option<String>,
}

impl From<crate::store::AssetListing> for AssetInfo {
    fn from(a: crate::store::AssetListing) -> AssetInfo {
        AssetInfo { key: a.key, content_hash: a.content_hash, asset_id: a.asset_id, folder: a.folder }
    }
}

/// The answer of every asset route.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssetAnswer {
    pub asset: AssetInfo,
    /// Image model of the stored prediction (none before the first tagging).
    pub model_version: Option<String>,
    /// Taxonomy (and mapping) version of the stored prediction.
    pub taxonomy_version: Option<i64>,
    /// True when the model did not run: tagging reused the stored prediction (same bytes, model
    /// and taxonomy) or the model output stored for these bytes (another asset id holds them).
    pub reused: bool,
    /// Time in the image model, when it ran.
    pub inference_ms: Option<f64>,
    /// When the stored prediction was made (RFC 3339, UTC); none before the first tagging.
    #[serde(default)]
    pub tagged_at: Option<String>,
    /// How many times the image model ran for this asset (re-tags from stored outputs do not count).
    #[serde(default)]
    pub inference_count: i64,
    pub tags: AssetTags,
    /// What the face and person detectors found (counts, boxes, the people concepts'
    /// confidences), when they ran on this file.
    #[serde(default)]
    pub people: Option<PeopleFound>,
    /// The words the text detector read in this file (and its confidence that there is text),
    /// when it ran.
    #[serde(default)]
    pub text: Option<TextFound>,
    /// The built-in scene model's version (`scenes@…`) when the workflow's scenes step ran for
    /// this tagging; absent from answers that tag nothing (`GET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenes: Option<String>,
    /// Stored assets this image is a near duplicate of (the same bytes under another asset id
    /// too), nearest first; only in tagging answers, absent when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<SimilarAsset>,
    /// Workflow steps the asset's folder switches off (`people` with code `people_off` where face
    /// and person detection is off), with the reason; absent when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<StepResult>,
}

/// A stored asset near another image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimilarAsset {
    pub asset: AssetInfo,
    /// The cosine of the two images' embeddings (1 for the same bytes).
    pub similarity: f64,
    /// Whether the two are near duplicates (`similarity` at least
    /// `smart_tags_core::similarity::DUPLICATE_COSINE`).
    pub duplicate: bool,
}

/// Nearest-neighbour candidates looked at for the duplicates of an upload.
const DUPLICATE_CANDIDATES: usize = 16;
/// Most duplicates an answer lists.
pub const MAX_DUPLICATES: usize = 10;

/// The stored assets nearest to `embedding` that `keep` accepts: `candidates` distinct bytes from
/// the index, each expanded to the assets holding them, with the exact cosine against the stored
/// embedding; nearest first (then by key).
pub(crate) fn similar_assets(
    state: &AppState,
    model: &str,
    embedding: &[f32],
    candidates: usize,
    keep: impl Fn(&crate::store::AssetListing) -> bool,
) -> Result<Vec<SimilarAsset>, crate::error::ServiceError> {
    let store = &state.store;
    let mut found = Vec::new();
    for neighbour in state.similar.nearest(store, model, embedding, candidates)? {
        let holders = store.assets_with_hash_prefix(&crate::similar::prefix_of(neighbour.key))?;
        let mut exact: BTreeMap<String, f64> = BTreeMap::new();
        for holder in holders.into_iter().filter(|a| keep(a)) {
            let Some(hash) = holder.content_hash.clone() else { continue };
            let similarity = match exact.get(&hash) {
                Some(s) => *s,
                None => {
                    let Some(stored) = store.embedding(&hash, model)? else { continue };
                    let s = smart_tags_core::similarity::cosine(embedding, &stored);
                    exact.insert(hash, s);
                    s
                }
            };
            found.push(SimilarAsset {
                asset: holder.into(),
                similarity,
                duplicate: smart_tags_core::similarity::is_duplicate(similarity),
            });
        }
    }
    found.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(a.asset.key.cmp(&b.asset.key)));
    Ok(found)
}

/// The stored assets (other than `key`) this embedding's image is a near duplicate of.
pub(crate) fn duplicates_of(
    state: &AppState,
    key: AssetKey,
    model: &str,
    embedding: &[f32],
) -> Result<Vec<SimilarAsset>, crate::error::ServiceError> {
    let mut found = similar_assets(state, model, embedding, DUPLICATE_CANDIDATES, |a| a.key != key)?;
    found.retain(|s| s.duplicate);
    found.truncate(MAX_DUPLICATES);
    Ok(found)
}

/// Builds the answer: stored candidates, current thresholds and moderation, titles in `locale`.
#[expect(clippy::too_many_arguments, reason = "what one answer is built from; each caller passes them in this order")]
pub(crate) fn answer(
    store: &Store,
    key: AssetKey,
    mapping: &Mapping,
    tagger: Option<&Tagger>,
    locale: &str,
    suggestions: usize,
    reused: bool,
    inference_ms: Option<f64>,
) -> Result<AssetAnswer, StoreError> {
    Ok(AssetAnswer {
        reused,
        inference_ms,
        ..answer_for(store, store.asset(key)?, mapping, tagger, locale, suggestions)?
    })
}

/// The answer (`reused`, no inference time) of an asset as `view` holds it: a re-tag's dry run
/// puts a prediction in it that is not saved. Generic tags that repeat a shown taxonomy tag are
/// folded into it; `suggestions` of the best hidden candidates come in `tags.more`.
pub(crate) fn answer_for(
    store: &Store,
    view: AssetView,
    mapping: &Mapping,
    tagger: Option<&Tagger>,
    locale: &str,
    suggestions: usize,
) -> Result<AssetAnswer, StoreError> {
    let key = view.key;
    let thresholds = store.thresholds()?;
    let mut decisions: BTreeMap<String, Decision> = BTreeMap::new();
    for entry in &view.moderation {
        let decision = match entry.action {
            ModerationAction::Removed => Decision::Removed,
            ModerationAction::Manual => {
                let title = entry.title.clone().unwrap_or_else(|| entry.tag_id.clone());
                let path = manual_path(&entry.tag_id, &title, mapping, tagger, locale);
                Decision::Manual { title, path }
            }
        };
        decisions.insert(entry.tag_id.clone(), decision);
    }
    // Only what the workflow, as it runs in the asset's folder, still asks for: a detector
    // switched off (for everyone, or for this folder) shows nothing it found in these bytes.
    let folder::FolderRules { workflow, skipped, .. } = folder::rules_for(store, view.folder.as_deref())?;
    let findings = match &view.content_hash {
        Some(hash) => stored_findings(store, hash)?.allowed_by(&workflow),
        None => Findings::default(),
    };
    let candidates: Vec<SmartTag> = view.prediction.as_ref().map(|p| p.tags.clone()).unwrap_or_default();
    let mut tags = apply(&candidates, &thresholds, &decisions);
    fold_generic(&mut tags, |id| mapping.concepts_of(id));
    tags.more.truncate(suggestions.min(MAX_MORE_SUGGESTIONS));
    localize(&mut tags.smart, &mapping.taxonomy, locale);
    localize(&mut tags.manual, &mapping.taxonomy, locale);
    localize(&mut tags.more, &mapping.taxonomy, locale);
    Ok(AssetAnswer {
        asset: AssetInfo { key, content_hash: view.content_hash, asset_id: view.asset_id, folder: view.folder },
        model_version: view.prediction.as_ref().map(|p| p.model_version.clone()),
        taxonomy_version: view.prediction.as_ref().map(|p| p.taxonomy_version),
        reused: true,
        inference_ms: None,
        tagged_at: view.prediction.as_ref().map(|p| p.created_at.clone()),
        inference_count: view.prediction.as_ref().map_or(0, |p| p.inference_count),
        tags,
        people: findings.people,
        text: findings.text,
        scenes: None,
        duplicates: Vec::new(),
        skipped,
    })
}

/// The scene model's version when the workflow's scenes step runs and the model is installed.
pub(crate) fn scenes_version(
    state: &AppState,
    workflow: &smart_tags_core::workflow::Workflow,
) -> Result<Option<String>, StoreError> {
    if !workflow.runs(smart_tags_core::workflow::StepKind::Scenes) {
        return Ok(None);
    }
    let active = state.trained.get(&state.store, state.engine.version(), state.store.versions()?.trained)?;
    Ok(active.scenes_version())
}

/// What the detectors found in the file with this content hash, when they ran on it; findings
/// the service can no longer read (an older format) count as none.
pub(crate) fn stored_findings(store: &Store, content_hash: &str) -> Result<Findings, StoreError> {
    Ok(store.detections(content_hash)?.and_then(|d| serde_json::from_value(d.findings).ok()).unwrap_or_default())
}

/// Every candidate of one image from its class probabilities and what the detectors found: generic, taxonomy and colour tags,
/// and (given its embedding) the tags of the active trained models. Answers them with the
/// trained-model state they were computed with.
#[expect(clippy::too_many_arguments, reason = "the findings of each step of one image, each used once")]
pub(crate) fn candidates(
    state: &AppState,
    tagger: &Tagger,
    mapping: &Mapping,
    model_version: &str,
    probs: &[f32],
    detected: Detected<'_>,
    embedding: &[f32],
    colors: &[ColorTag],
    workflow: &smart_tags_core::workflow::Workflow,
) -> Result<(Vec<SmartTag>, i64), StoreError> {
    let active = state.trained.get(&state.store, model_version, state.store.versions()?.trained)?;
    let scenes = state.scene_confidences(&active, workflow, embedding);
    let detected = Detected { scenes: scenes.as_ref(), ..detected };
    let mut tags = tagger.candidates(probs, detected, model_version, &mapping.taxonomy, mapping.plan(tagger), colors);
    merge(&mut tags, trained_candidates(&active, embedding, &mapping.taxonomy));
    Ok((tags, active.trained_version))
}

/// The asset's prediction made again from what is stored for its bytes — the class
/// probabilities, the embedding and the detectors' findings kept when the image model last ran on
/// them — with today's mapping, workflow and active tag models; the stored colour tags are kept
/// (colours come from pixels, which are not kept). `None` when nothing is stored for its bytes
/// under the current image model, or its prediction was not made from them (it needs its image). The image model does not run.
pub(crate) fn rescore(
    state: &AppState,
    tagger: &Tagger,
    mapping: &Mapping,
    workflow: &smart_tags_core::workflow::Workflow,
    view: &AssetView,
) -> Result<Option<NewPrediction>, StoreError> {
    let store = &state.store;
    let model_version = state.engine.version().to_owned();
    let Some(hash) = &view.content_hash else { return Ok(None) };
    // A prediction saved without its hash came from another model input than the one the stored
    // outputs came from (`store::content_inputs`): it is never re-made from them.
    if view.prediction.as_ref().is_some_and(|p| p.content_hash.is_none()) {
        return Ok(None);
    }
    let Some((probs, embedding)) =
        store.model_output(hash, &model_version)?.zip(store.embedding(hash, &model_version)?)
    else {
        return Ok(None);
    };
    let findings = stored_findings(store, hash)?.allowed_by(workflow);
    let (mut tags, trained_version) =
        candidates(state, tagger, mapping, &model_version, &probs, findings.detected(), &embedding, &[], workflow)?;
    tags.extend(view.prediction.iter().flat_map(|p| p.tags.iter()).filter(|t| t.source == TagSource::Color).cloned());
    Ok(Some(NewPrediction {
        content_hash: view.content_hash.clone(),
        model_version,
        taxonomy_version: mapping.version,
        settings_version: store.versions()?.settings,
        trained_version,
        tags,
    }))
}

/// A multipart part holding JSON (`meta`), at most `max` bytes; malformed is the caller's mistake.
pub(crate) async fn json_part<T: serde::de::DeserializeOwned>(
    field: axum::extract::multipart::Field<'_>,
    max: usize,
) -> Result<T, crate::error::ServiceError> {
    let bad = crate::error::ServiceError::BadInput;
    let bytes = field.bytes().await.map_err(|e| bad(format!("cannot read the meta part: {}", e.body_text())))?;
    if bytes.len() > max {
        return Err(bad(format!("the meta part is larger than {max} bytes")));
    }
    serde_json::from_slice(&bytes).map_err(|e| bad(format!("the meta part is not valid: {e}")))
}

/// The `model_input` part: the 150,528-byte input `smart_tags_core::preprocess` makes.
pub(crate) async fn model_input_part(
    field: axum::extract::multipart::Field<'_>,
) -> Result<smart_tags_core::ModelInput, crate::error::ServiceError> {
    let bad = crate::error::ServiceError::BadInput;
    let bytes = field.bytes().await.map_err(|e| bad(format!("cannot read the model_input part: {}", e.body_text())))?;
    smart_tags_core::ModelInput::from_bytes(bytes.to_vec()).map_err(|e| bad(e.to_string()))
}

/// The path shown for a manual tag: the taxonomy's, WordNet's, or the title alone.
fn manual_path(tag_id: &str, title: &str, mapping: &Mapping, tagger: Option<&Tagger>, locale: &str) -> Vec<String> {
    if let Ok(id) = TagId::parse(tag_id) {
        if mapping.taxonomy.get(&id).is_some() {
            return taxonomy_path(&mapping.taxonomy, &id, locale);
        }
        if id.namespace() == GENERIC_NAMESPACE {
            if let Some(graph) = tagger.map(Tagger::graph) {
                if let Some(idx) = graph.find(id.path()) {
                    return graph.primary_path(idx).into_iter().map(|i| graph.title(i).to_owned()).collect();
                }
            }
        }
    }
    vec![title.to_owned()]
}

/// A locale from a request, checked; English when absent or malformed.
pub(crate) fn locale_or_default(locale: Option<&str>) -> String {
    match locale {
        Some(l) if smart_tags_core::taxonomy::locale::check(l).is_ok() => l.to_owned(),
        _ => DEFAULT_LOCALE.to_owned(),
    }
}
