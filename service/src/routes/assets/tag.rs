//! `POST /v1/assets/tag`: tags one asset. `multipart/form-data` with two parts:
//! - `meta` (JSON): `content_hash` (SHA-256 hex of the original file) and/or `asset_id` (the DAM's
//!   id), `colors` (the dominant colours `smart_tags_core::color` computed where the file was
//!   decoded), `force` (tag again even when nothing changed), `locale` (of titles in the answer),
//!   `folder` (the asset's DAM folder, stored on the asset) and `ignore_smart_tag_flag`;
//! - `model_input`: the 150,528-byte model input made by `smart_tags_core::preprocess`;
//! - `thumbnail` (optional): the picture the face, person and text detectors look at — the 512-px
//!   JPEG thumbnail `smart_tags_core::preprocess` makes in the same pass (at most
//!   `smart_tags_core::detect::THUMBNAIL_LIMITS`). Without it, or with the workflow's `people` and
//!   `text` steps off, the asset gets no people or text tags (a re-tag keeps what was found before).
//!
//! The candidates are the generic, taxonomy and colour tags plus the tags of every active trained
//! model (source `trained`, with their calibrated thresholds). The image's embedding is cached by
//! content hash, so manual tags on it can later serve as training examples.
//!
//! When the folder resolves to smart tagging switched off (its own setting or an ancestor's) and
//! `ignore_smart_tag_flag` is not set, the answer is 409 `smart_tags_off` and nothing is stored
//! or inferred. When it resolves to face and person detection switched off, the workflow runs
//! without its `people` step (`routes::assets::folder`): the detectors do not run, what they
//! found in the same bytes for an asset elsewhere is neither scored nor shown, and the answer's
//! `skipped` says so (`people_off`). A move to another folder makes the asset's tags again.
//!
//! Whether the model runs is `smart_tags_core::workflow::decide` under the stored workflow's
//! re-tag policy: the same bytes with the same model, taxonomy, settings and trained-model
//! versions are never tagged twice; the same bytes with a stale prediction are re-tagged only once
//! it is `unchanged_after_hours` old, from the model outputs stored for them (the image model runs
//! only when none are stored); `force` always runs it. Each run stores the prediction (its
//! inference count + 1), the class probabilities and the embedding in one transaction, so a later
//! re-tag (`POST /v1/assets/retag`) needs no image. Moderation is kept either way.
//!
//! An asset is its DAM id, and several ids may hold the same bytes: a new asset (or new content)
//! whose bytes the model already ran on is tagged from the stored probabilities, embedding and
//! detections (`reused`, inference count unchanged), so the model runs once per distinct bytes;
//! the lock per content hash makes ids arriving at once wait for the one run. The same goes for
//! the same bytes whose prediction is stale (a new taxonomy, settings or tag model): only `force`
//! runs the image model again on bytes it has seen.
//!
//! Every tagging answer lists the stored assets the image is a near duplicate of (`duplicates`:
//! the same bytes under another id, or a re-encoded, resized, slightly cropped or recoloured copy;
//! `smart_tags_core::similarity`), found through the similarity index, which each inference
//! extends.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::Json;
use serde::Deserialize;
use smart_tags_core::color::{ColorTag, MAX_COLORS};
use smart_tags_core::decode::decode;
use smart_tags_core::detect::THUMBNAIL_LIMITS;
use smart_tags_core::prediction::softmax;
use smart_tags_core::workflow::{decide, FolderPath, RetagDecision};
use smart_tags_core::workflow::{StepKind, Workflow};
use smart_tags_core::ModelInput;

use super::folder::{recheck, rules_for};
use super::{
    answer, candidates, duplicates_of, json_part, locale_or_default, model_input_part, scenes_version, stored_findings,
    AssetAnswer, AssetRef,
};
use crate::detectors::Findings;
use crate::error::ServiceError;
use crate::routes::support::{Actor, BACKEND_ACTOR};
use crate::store::content_inputs::{InputClaim, Sharing};
use crate::store::{NewPrediction, Store};
use crate::AppState;

/// Largest `meta` part.
pub const MAX_META_BYTES: usize = 32 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagMeta {
    pub content_hash: Option<String>,
    pub asset_id: Option<String>,
    #[serde(default)]
    pub colors: Vec<ColorTag>,
    #[serde(default)]
    pub force: bool,
    pub locale: Option<String>,
    /// The asset's DAM folder (normalised: `a/b/` is `/a/b`).
    pub folder: Option<FolderPath>,
    /// Tag even when smart tagging is switched off for the folder (AEM's Ignore Smart Tag Flag).
    #[serde(default)]
    pub ignore_smart_tag_flag: bool,
}

fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError::BadInput(message.into())
}

/// The parts of a tag request.
struct Parts {
    meta: TagMeta,
    input: ModelInput,
    thumbnail: Option<Vec<u8>>,
}

async fn read_parts(mut multipart: Multipart) -> Result<Parts, ServiceError> {
    let mut meta: Option<TagMeta> = None;
    let mut input: Option<ModelInput> = None;
    let mut thumbnail: Option<Vec<u8>> = None;
    while let Some(field) =
        multipart.next_field().await.map_err(|e| bad(format!("bad multipart body: {}", e.body_text())))?
    {
        match field.name() {
            Some("meta") => meta = Some(json_part(field, MAX_META_BYTES).await?),
            Some("model_input") => input = Some(model_input_part(field).await?),
            Some("thumbnail") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| bad(format!("cannot read the thumbnail part: {}", e.body_text())))?;
                let max = THUMBNAIL_LIMITS.max_bytes;
                if bytes.len() > max {
                    return Err(bad(format!(
                        "the thumbnail part is larger than {max} bytes: send the 512-px thumbnail"
                    )));
                }
                thumbnail = Some(bytes.to_vec());
            }
            Some(other) => {
                return Err(bad(format!("unknown part {other:?}: send meta, model_input and optionally thumbnail")))
            }
            None => return Err(bad("a part has no name: send meta and model_input")),
        }
    }
    match (meta, input) {
        (Some(meta), Some(input)) => Ok(Parts { meta, input, thumbnail }),
        (None, _) => Err(bad("the meta part is missing")),
        (_, None) => Err(bad("the model_input part is missing")),
    }
}

/// Runs the detectors the workflow's steps ask for on the thumbnail: faces and persons (`people`),
/// text (`text`). A thumbnail that does not decode is the caller's mistake.
fn find(state: &AppState, workflow: &Workflow, jpeg: &[u8]) -> Result<Findings, ServiceError> {
    let people = state.detectors.as_ref().filter(|_| workflow.runs(StepKind::People));
    let text = state.text_reader.as_ref().filter(|_| workflow.runs(StepKind::Text));
    if people.is_none() && text.is_none() {
        return Ok(Findings::default());
    }
    let image =
        decode(jpeg, &THUMBNAIL_LIMITS).map_err(|e| bad(format!("the thumbnail part is not a picture: {e}")))?.image;
    let (people, text) = crate::detectors::find_all(people.map(|d| d.as_ref()), text.map(|r| r.as_ref()), &image);
    Ok(Findings {
        people: people.transpose().map_err(ServiceError::Inference)?,
        text: text.transpose().map_err(ServiceError::Inference)?,
    })
}

/// The similarity index serves the answer's `duplicates`: its failures are logged, and the tagging,
/// already saved, still answers (without duplicates).
fn quietly<T: Default>(what: &str, result: Result<T, ServiceError>) -> T {
    result.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot {what}");
        T::default()
    })
}

/// Where a tagging's findings are saved: the content hash, and whether they replace what is
/// stored there (a verified upload) or only add the parts it lacks (a browser's claim).
#[derive(Clone, Copy)]
struct Save<'a> {
    hash: &'a str,
    replace: bool,
}

/// What the detectors find for this tagging, saved as `save` says when they ran; `hash` is where
/// stored findings are read (when the request may reuse them). Bytes tagged
/// from stored outputs keep what was found in them before, when that covers the detector steps
/// the workflow now runs (else the detectors run on the thumbnail); without a thumbnail
/// (an older client, a forced re-tag), what was found before still counts, as for a re-tag.
fn findings(
    state: &AppState,
    workflow: &Workflow,
    thumbnail: Option<&[u8]>,
    hash: Option<&str>,
    save: Option<Save<'_>>,
    inferred: bool,
) -> Result<Findings, ServiceError> {
    let store = &state.store;
    // Stored findings serve only when they cover every detector step the workflow now runs.
    let covers = |found: &Findings| {
        (found.people.is_some() || !(workflow.runs(StepKind::People) && state.detectors.is_some()))
            && (found.text.is_some() || !(workflow.runs(StepKind::Text) && state.text_reader.is_some()))
    };
    let reusable = match hash {
        Some(hash) if !inferred && store.detections(hash)?.is_some() => {
            Some(stored_findings(store, hash)?).filter(covers)
        }
        _ => None,
    };
    let findings = match (thumbnail, hash, reusable) {
        (Some(_), _, Some(found)) => return Ok(found.allowed_by(workflow)),
        (Some(jpeg), _, None) => find(state, workflow, jpeg)?,
        (None, Some(hash), _) => return Ok(stored_findings(store, hash)?.allowed_by(workflow)),
        (None, None, _) => return Ok(Findings::default()),
    };
    if let Some(Save { hash, replace }) = save {
        // What a detector switched off here found in these bytes before (for an asset in another
        // folder) stays stored for them; it is not this asset's.
        let stored = stored_findings(store, hash)?;
        let kept = if replace { findings.clone().or_else(stored) } else { stored.or_else(findings.clone()) };
        let json = serde_json::to_value(&kept).map_err(|_| ServiceError::Internal)?;
        store.save_detections(hash, &kept.version(), &json)?;
    }
    Ok(findings)
}

fn check_colors(colors: &[ColorTag]) -> Result<(), ServiceError> {
    if colors.len() > usize::from(MAX_COLORS) {
        return Err(bad(format!("at most {MAX_COLORS} colours")));
    }
    for color in colors {
        if !smart_tags_core::color::is_known_name(&color.name) {
            return Err(bad(format!("unknown colour name {:?}", color.name)));
        }
        let hex_ok =
            color.hex.len() == 7 && color.hex.starts_with('#') && color.hex[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if !hex_ok || !(0.0..=1.0).contains(&color.coverage) {
            return Err(bad(format!("colour {:?} needs a #rrggbb hex and a coverage from 0 to 1", color.name)));
        }
    }
    Ok(())
}

/// Refuses tagging in a folder where smart tagging is switched off, unless told to ignore that
/// (the face-detection switch is never ignored: it is a privacy setting, see `folder`).
fn check_folder(store: &Store, folder: Option<&FolderPath>, ignore_flag: bool) -> Result<(), ServiceError> {
    let Some(folder) = folder.filter(|_| !ignore_flag) else { return Ok(()) };
    let effective = store.resolve_folder(folder)?.smart_tags;
    if effective.enabled {
        Ok(())
    } else {
        Err(ServiceError::SmartTagsOff(effective.reason(folder)))
    }
}

pub async fn tag(
    State(state): State<Arc<AppState>>,
    Actor(actor): Actor,
    multipart: Multipart,
) -> Result<Json<AssetAnswer>, ServiceError> {
    let Parts { meta, input, thumbnail } = read_parts(multipart).await?;
    // The proxy's back-end API hashed the bytes itself (store::content_inputs).
    let claim = InputClaim {
        digest: smart_tags_core::preprocess::sha256_hex(input.as_bytes()),
        verified: actor == BACKEND_ACTOR,
    };
    let asset = AssetRef { content_hash: meta.content_hash.clone(), asset_id: meta.asset_id.clone() };
    asset.check().map_err(ServiceError::BadInput)?;
    check_colors(&meta.colors)?;
    let tagger = state.tagger.clone().ok_or(ServiceError::NotReady)?;
    let _permit = state.inference_slots.try_acquire().map_err(|_| ServiceError::Busy)?;
    let locale = locale_or_default(meta.locale.as_deref());
    let state = Arc::clone(&state);
    let result = tokio::task::spawn_blocking(move || -> Result<AssetAnswer, ServiceError> {
        // Held until the prediction is saved, even if the caller goes away: a second request for
        // the same bytes waits and then reuses this one's prediction.
        let _same_bytes = asset.content_hash.as_deref().map(|hash| state.tagging_locks.lock(hash));
        let store = &state.store;
        check_folder(store, meta.folder.as_ref(), meta.ignore_smart_tag_flag)?;
        let sharing = match &asset.content_hash {
            Some(hash) => Sharing::of(store.content_input(hash)?.as_ref(), &claim),
            None => Sharing { reuse: false, write: false },
        };
        if let Some(hash) = asset.content_hash.as_ref().filter(|_| !sharing.write && (!sharing.reuse || meta.force)) {
            // The model would run on pixels that may not replace the stored ones; the asset known
            // by the hash alone is everyone's who names those bytes, so it is not overwritten.
            if asset.asset_id.is_none() {
                return Err(ServiceError::OtherPixels);
            }
            tracing::warn!(content_hash = %hash, actor, "a content hash claimed with another model input than its stored outputs': tagged for this asset only");
        }
        let previous = asset.asset_id.as_deref().map(|id| store.content_hash_of(id)).transpose()?.flatten();
        let key = store.resolve_asset(asset.content_hash.as_deref(), asset.asset_id.as_deref())?;
        // New content for a DAM asset: the old bytes leave the similarity index once no asset
        // holds them.
        if let Some(old) = previous.filter(|old| Some(old) != asset.content_hash.as_ref()) {
            if !store.assets_with_hash_prefix(&old)?.iter().any(|a| a.content_hash.as_deref() == Some(old.as_str())) {
                quietly("take old bytes out of the similarity index", state.similar.remove(&old).map_err(ServiceError::from));
            }
        }
        if let Some(folder) = &meta.folder {
            store.set_folder(key, folder.as_str())?;
        }
        let mapping = state.mapping.get(store)?;
        let model_version = state.engine.version().to_owned();
        let versions = store.versions()?;
        let stored = store.prediction(key)?;
        let (current, same_bytes) = match (&stored, &asset.content_hash) {
            (Some(p), Some(hash)) => {
                (p.is_current(hash, &model_version, versions) && p.taxonomy_version == mapping.version, p.content_hash.as_deref() == Some(hash.as_str()))
            }
            _ => (false, false),
        };
        let age = store.prediction_age_seconds(key)?.unwrap_or(i64::MAX);
        // The workflow as it runs in the asset's folder (the one just given, else the stored one):
        // face detection may be switched off there.
        let folder = store.asset_folder(key)?;
        let workflow = rules_for(store, folder.as_deref())?.workflow;
        // A prediction marked stale by a folder change is made again now, from stored outputs.
        let marked = stored.as_ref().is_some_and(|p| p.marked_stale());
        if decide(&workflow.retag, current, same_bytes, age, meta.force || marked) == RetagDecision::Reuse {
            let scenes = scenes_version(&state, &workflow)?;
            let stored = asset.content_hash.as_deref().map(|h| store.embedding(h, &model_version)).transpose()?.flatten();
            let duplicates = stored.map(|e| quietly("find duplicates", duplicates_of(&state, key, &model_version, &e))).unwrap_or_default();
            return Ok(AssetAnswer { scenes, duplicates, ..answer(store, key, &mapping, Some(&tagger), &locale, 0, true, None)? });
        }
        // Bytes the model already ran on (under another asset id, before this asset's content
        // changed, or for a prediction made stale by a new taxonomy, settings or tag model) are
        // tagged from the stored outputs: the model runs once per distinct bytes, unless forced.
        let shared = match &asset.content_hash {
            Some(hash) if !meta.force && sharing.reuse => store.model_output(hash, &model_version)?.zip(store.embedding(hash, &model_version)?),
            _ => None,
        };
        let (probs, embedding, inference_ms) = match shared {
            Some((probs, embedding)) => (probs, embedding, None),
            None => {
                // The model's own run: waiting for another request's inference is not counted.
                let (outputs, ran) = state.engine.infer_timed(std::slice::from_ref(&input)).map_err(ServiceError::Inference)?;
                let output = outputs.into_iter().next().ok_or(ServiceError::Internal)?;
                (softmax(&output.logits), output.embedding, Some(ran.as_secs_f64() * 1000.0))
            }
        };
        let inferred = inference_ms.is_some();
        // Findings are read by hash where the outputs may be reused and saved where they may be
        // replaced. The thumbnail is not part of the claim: a browser only adds what is missing
        // (a detector switched off where the bytes were first tagged), a verified upload replaces.
        let hash = asset.content_hash.as_deref();
        let save = hash.filter(|_| sharing.write).map(|hash| Save { hash, replace: claim.verified });
        let findings = findings(&state, &workflow, thumbnail.as_deref(), hash.filter(|_| sharing.reuse), save, inferred)?;
        let (tags, trained_version) = candidates(&state, &tagger, &mapping, &model_version, &probs, findings.detected(), &embedding, &meta.colors, &workflow)?;
        let prediction = NewPrediction {
            content_hash: asset.content_hash.clone(),
            model_version,
            taxonomy_version: mapping.version,
            settings_version: versions.settings,
            trained_version,
            tags,
        };
        if inferred && !sharing.write {
            store.save_private_inference(key, &prediction)?;
        } else if inferred {
            // The embedding is kept so that a person's manual tags on this asset can train custom
            // tags, the probabilities so that a re-tag needs no image.
            store.save_inference_from(key, &prediction, &probs, &embedding, Some(&claim))?;
        } else {
            store.save_prediction(key, &prediction)?;
        }
        recheck(store, key, folder.as_deref(), &workflow)?;
        // Known bytes too: they may have left the index when their last asset changed content.
        if let Some(hash) = asset.content_hash.as_ref().filter(|_| sharing.write) {
            quietly("add to the similarity index", state.similar.add(store, &prediction.model_version, hash, &embedding).map_err(ServiceError::from));
        }
        let scenes = scenes_version(&state, &workflow)?;
        let duplicates = quietly("find duplicates", duplicates_of(&state, key, &prediction.model_version, &embedding));
        Ok(AssetAnswer { scenes, duplicates, ..answer(store, key, &mapping, Some(&tagger), &locale, 0, !inferred, inference_ms)? })
    })
    .await
    .map_err(|_| ServiceError::Internal)?;
    Ok(Json(result?))
}
