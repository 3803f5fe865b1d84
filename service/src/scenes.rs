//! The built-in scene model (`smart_tags_core::scenes`): loading the shipped file, installing it
//! in the store as a version of the tag model `scenes` ([`install`]) with its labelled photos as
//! that model's examples, and training it from the hand-labelled scene photos
//! (`smart-tags-service train-scenes`, run by `scripts/setup-scenes.sh`).
//!
//! Once installed, the scene model is a tag model like the customer's own: tagging uses its
//! active version (`training::active::ActiveSet::scenes`), so a customer adds examples of their
//! own (`scene:<title>` tags), trains a new version on theirs and the built-in ones, rolls back to
//! the shipped version, or deactivates it to switch scene tags off; each change moves the
//! trained version, which makes stored predictions stale and brings them up to date
//! (`training::apply`). The store keeps what the customer did: a restart never re-activates the
//! shipped version over theirs, and a newer shipped file is added as a version, activated only
//! where the active version was shipped too.
//!
//! Training is reproducible: the photos are embedded by the image model, the examples are keyed
//! by the photos' SHA-256 (so their order never matters), the trainer is deterministic whatever
//! the thread count, and the file's metadata is fixed (version 1, taxonomy version 0, created at
//! the Unix epoch), so the same photos, labels and image model give the same bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use smart_tags_core::detect::classes::SCENE_CLASSES;
use smart_tags_core::scenes::{check_model, scene_tag, SceneModelError};
use smart_tags_core::taxonomy::TagId;
use smart_tags_core::training::artifact::{self, ArtifactError, ArtifactMeta};
use smart_tags_core::training::model::TrainedModel;
use smart_tags_core::training::{train, Example, ModelKind, ModelSpec, TrainError, TrainingOptions};

use serde::{Deserialize, Serialize};
use smart_tags_core::scenes::SCENE_MODEL;

use crate::engine::Engine;
use crate::store::{NewExample, NewVersion, Store, StoreError, VersionOrigin};

/// Where the setup script writes the model, beside the other models.
pub const SCENE_MODEL_FILE: &str = "scenes/scene-model.stm";
/// The fewest labelled photos a scene needs to be in the model.
pub const MIN_SCENE_PHOTOS: usize = 5;
/// Photos embedded per model run.
const BATCH: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("the scene model file is not usable: {0}")]
    Artifact(#[from] ArtifactError),
    #[error("the scene model file is not a scene model: {0}")]
    NotScenes(#[from] SceneModelError),
    #[error("the scene labels line {line}: {message}")]
    Labels { line: u64, message: String },
    #[error("photo {photo}: {message}")]
    Photo { photo: String, message: String },
    #[error("the image model failed: {0}")]
    Inference(String),
    #[error("training failed: {0}")]
    Train(#[from] TrainError),
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
}

/// The loaded scene model file, with the labelled photos it was trained on.
pub struct SceneModel {
    pub model: TrainedModel,
    /// `scenes@` + the first 12 hex digits of the file's SHA-256.
    pub version: String,
    /// The file as shipped.
    pub bytes: Vec<u8>,
    /// Its labelled photos (one embedding each, the photo itself), from the examples file beside
    /// it ([`examples_file`]); empty when that file is missing.
    pub examples: Vec<NewExample>,
}

/// The examples file written beside a scene model file: `scene-model.examples.json`.
pub fn examples_file(model_file: &Path) -> PathBuf {
    model_file.with_extension("examples.json")
}

/// One labelled photo of the examples file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuiltInExample {
    /// SHA-256 of the photo's bytes.
    pub content_hash: String,
    /// The photo's path under the fixtures cache (its source package's folder).
    pub file: String,
    /// Scene titles.
    pub scenes: Vec<String>,
    /// The picture it shows (the labels' group: near copies and crops of one photo share it).
    pub picture: String,
    pub embedding: Vec<f32>,
}

/// The examples file: the image model the embeddings come from, and the photos.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuiltInExamples {
    pub image_model: String,
    pub examples: Vec<BuiltInExample>,
}

impl SceneModel {
    /// Reads the model file, checking it was trained on `image_model`'s embeddings, and the
    /// examples file beside it when there is one (for another image model: none).
    pub fn load(path: &Path, image_model: &str) -> Result<SceneModel, SceneError> {
        let bytes =
            std::fs::read(path).map_err(|e| SceneError::Read { path: path.to_owned(), message: e.to_string() })?;
        let (model, _) = artifact::import(&bytes, image_model)?;
        check_model(&model)?;
        let digest = hex(&Sha256::digest(&bytes));
        let examples_path = examples_file(path);
        let examples = match std::fs::read(&examples_path) {
            Ok(text) => {
                let file: BuiltInExamples = serde_json::from_slice(&text)
                    .map_err(|e| SceneError::Read { path: examples_path.clone(), message: e.to_string() })?;
                if file.image_model == image_model {
                    file.examples.into_iter().map(BuiltInExample::into_new).collect()
                } else {
                    Vec::new()
                }
            }
            Err(_) => Vec::new(),
        };
        Ok(SceneModel { model, version: format!("scenes@{}", &digest[..12]), bytes, examples })
    }

    /// The confidence of every built-in scene (see `smart_tags_core::scenes::confidences`);
    /// `None` for an embedding of the wrong length.
    pub fn confidences(&self, embedding: &[f32]) -> Option<[f32; SCENE_CLASSES.len()]> {
        smart_tags_core::scenes::confidences(&self.model, embedding).ok()
    }
}

impl BuiltInExample {
    fn into_new(self) -> NewExample {
        let tags = self.scenes.iter().filter_map(|s| scene_tag(s)).map(|t| t.to_string()).collect();
        NewExample {
            content_hash: self.content_hash,
            embedding: self.embedding,
            tags,
            file: Some(format!("built-in:{}", self.file)),
            picture: Some(self.picture),
        }
    }
}

/// What [`install`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// The store had no scene model: the shipped file is its version 1, active.
    First,
    /// The shipped file is new to the store: added as a version, and activated when `activated`.
    NewVersion { activated: bool },
    /// The store already holds this file.
    Present,
    /// A tag model of the customer's is named `scenes`: nothing installed (logged).
    NameTaken,
}

/// The summary field that marks a version as a shipped file, with its `scenes@…` name.
const SHIPPED: &str = "shipped";

/// Installs the shipped scene model in the store as a version of the tag model `scenes`, with
/// its labelled photos as the model's examples: the first time as version 1, active; a file the
/// store does not hold yet (a newer setup) as a new version, activated only when the active
/// version was shipped too (what a customer trained, rolled back to or switched off stays so).
pub fn install(store: &Store, image_model: &str, scene: &SceneModel) -> Result<Installed, SceneError> {
    let existing = match store.model(SCENE_MODEL) {
        Ok(model) => Some(model),
        Err(StoreError::UnknownModel(_)) => None,
        Err(error) => return Err(error.into()),
    };
    if let Some(model) = existing.as_ref().filter(|m| !crate::store::is_scene_model(&m.tags, m.kind)) {
        // A customer's own model took the name before scenes were built in: theirs stays as it is.
        tracing::error!(tags = model.tags.len(), "a tag model named \"scenes\" that is not the scene model exists: export its versions and delete it to get the built-in scene tags");
        return Ok(Installed::NameTaken);
    }
    let versions = if existing.is_some() { store.versions_of(SCENE_MODEL)? } else { Vec::new() };
    let shipped =
        |v: &crate::store::ModelVersion| v.summary.get(SHIPPED).and_then(serde_json::Value::as_str).map(str::to_owned);
    if versions.iter().any(|v| shipped(v).as_deref() == Some(scene.version.as_str())) {
        return Ok(Installed::Present);
    }
    // First install (or one a stopped process left without a version): active. Later shipped
    // files follow a shipped active version only.
    let activate = match &existing {
        None => true,
        Some(_) if versions.is_empty() => true,
        Some(model) => model
            .active_version
            .is_some_and(|active| versions.iter().any(|v| v.version == active && shipped(v).is_some())),
    };
    if existing.is_none() {
        let tags: Vec<String> = scene.model.tags.iter().map(|t| t.id.to_string()).collect();
        store.put_model(SCENE_MODEL, &tags, ModelKind::Independent, &scene.model.options)?;
    }
    if !scene.examples.is_empty() {
        store.add_examples(image_model, &scene.examples)?;
    }
    let mut summary = crate::training::jobs::summary(&scene.model);
    summary[SHIPPED] = serde_json::Value::String(scene.version.clone());
    let bytes = scene.bytes.clone();
    let keep = move |_: i64, _: &str| bytes.clone();
    let new = NewVersion {
        origin: VersionOrigin::Imported,
        image_model,
        taxonomy_version: 0,
        summary: &summary,
        artifact: &keep,
        activate,
    };
    store.add_version(SCENE_MODEL, &new)?;
    tracing::info!(version = %scene.version, activate, examples = scene.examples.len(), "installed the shipped scene model in the store");
    Ok(if versions.is_empty() { Installed::First } else { Installed::NewVersion { activated: activate } })
}

/// The examples file of `examples` (one embedding per photo: its first view).
pub fn built_in_examples(image_model: &str, photos: &[LabelledPhoto], examples: &[Example]) -> BuiltInExamples {
    let mut out = Vec::new();
    // The first view of each photo is keyed by its bare SHA-256 (`embed`), in the photos' order.
    for (photo, example) in photos.iter().zip(examples.iter().filter(|e| !e.asset.contains('#'))) {
        out.push(BuiltInExample {
            content_hash: example.asset.clone(),
            file: photo.photo.clone(),
            scenes: photo.scenes.clone(),
            picture: photo.group.clone(),
            embedding: example.embedding.clone(),
        });
    }
    BuiltInExamples { image_model: image_model.to_owned(), examples: out }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One labelled photo of `tests/eval/scenes/labels.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPhoto {
    /// Path under the fixtures cache.
    pub photo: String,
    /// Scene titles (`sky`, `mountains`…).
    pub scenes: Vec<String>,
    /// The photo's group (views of one picture), or the photo itself.
    pub group: String,
}

/// Reads the labels (`photo,scenes,kind,group,notes`); rows of another kind than `photo`
/// (illustrations) are left out, and an unknown scene name is an error.
pub fn read_labels(text: &str) -> Result<Vec<LabelledPhoto>, SceneError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| SceneError::Labels { line: 1, message: e.to_string() })?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| SceneError::Labels { line: 1, message: format!("no {name} column") })
    };
    let (photo, scenes, kind, group) = (column("photo")?, column("scenes")?, column("kind")?, column("group")?);
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| SceneError::Labels { line: e.position().map_or(0, |p| p.line()), message: e.to_string() })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
        if field(kind) != "photo" {
            continue;
        }
        let names: Vec<String> =
            field(scenes).split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        if let Some(unknown) = names.iter().find(|n| !SCENE_CLASSES.iter().any(|c| c.title == n.as_str())) {
            return Err(SceneError::Labels { line, message: format!("unknown scene {unknown:?}") });
        }
        let path = field(photo);
        let group = Some(field(group)).filter(|g| !g.is_empty()).unwrap_or_else(|| path.clone());
        out.push(LabelledPhoto { photo: path, scenes: names, group });
    }
    Ok(out)
}

/// The views of a photo the scene model trains on: the photo, its mirror image, and three crops of
/// 80% of each side (top left, bottom right mirrored, centre). A scene label describes the whole
/// picture, so the crops stay large; every view is a real region of the photo.
pub const VIEWS: usize = 5;

fn views(image: &image::RgbImage) -> Vec<image::RgbImage> {
    use image::imageops::{crop_imm, flip_horizontal};
    let (w, h) = image.dimensions();
    let (cw, ch) = ((w * 4 / 5).max(1), (h * 4 / 5).max(1));
    vec![
        image.clone(),
        flip_horizontal(image),
        crop_imm(image, 0, 0, cw, ch).to_image(),
        flip_horizontal(&crop_imm(image, w - cw, h - ch, cw, ch).to_image()),
        crop_imm(image, (w - cw) / 2, (h - ch) / 2, cw, ch).to_image(),
    ]
}

/// Embeds the photos (files under `root`) with the image model, `views` views each (1: the photo
/// alone, up to [`VIEWS`]): one example per view, keyed by the SHA-256 of the photo's bytes
/// (`#<view>` added after the first), carrying `scene:<title>` tags, grouped by photo so that
/// cross-validation never splits its views and calibration counts the photo once.
pub fn embed(
    engine: &Engine,
    root: &Path,
    photos: &[LabelledPhoto],
    views_per_photo: usize,
) -> Result<Vec<Example>, SceneError> {
    let limits = smart_tags_core::Limits::default();
    let mut pending = Vec::new();
    for labelled in photos {
        let path = root.join(&labelled.photo);
        let bytes =
            std::fs::read(&path).map_err(|e| SceneError::Read { path: path.clone(), message: e.to_string() })?;
        let bad = |message: String| SceneError::Photo { photo: labelled.photo.clone(), message };
        let decoded = smart_tags_core::decode::decode(&bytes, &limits).map_err(|e| bad(e.to_string()))?;
        let tags: Vec<TagId> = labelled.scenes.iter().filter_map(|s| scene_tag(s)).collect();
        let hash = hex(&Sha256::digest(&bytes));
        for (i, view) in views(&decoded.image).into_iter().take(views_per_photo.clamp(1, VIEWS)).enumerate() {
            let input = smart_tags_core::ModelInput::from_image(&view).map_err(|e| bad(e.to_string()))?;
            let asset = if i == 0 { hash.clone() } else { format!("{hash}#{i}") };
            pending
                .push((Example { asset, embedding: Vec::new(), tags: tags.clone(), group: Some(hash.clone()) }, input));
        }
    }
    let mut examples = Vec::with_capacity(pending.len());
    for chunk in pending.chunks(BATCH) {
        let inputs: Vec<_> = chunk.iter().map(|(_, input)| input.clone()).collect();
        let outputs = engine.infer(&inputs).map_err(|e| SceneError::Inference(e.to_string()))?;
        for ((example, _), output) in chunk.iter().zip(outputs) {
            examples.push(Example { embedding: output.embedding, ..example.clone() });
        }
    }
    Ok(examples)
}

/// The scenes with at least [`MIN_SCENE_PHOTOS`] photos among `examples` (views of one photo
/// count once), in the order of [`SCENE_CLASSES`], and those left out with their counts.
pub fn trainable_scenes(examples: &[Example]) -> (Vec<TagId>, Vec<(String, usize)>) {
    let mut photos: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for example in examples {
        let photo = example.group.as_deref().unwrap_or(example.asset.as_str());
        for tag in &example.tags {
            photos.entry(tag.as_str()).or_default().insert(photo);
        }
    }
    let counts: BTreeMap<&str, usize> = photos.into_iter().map(|(tag, set)| (tag, set.len())).collect();
    let (mut kept, mut left_out) = (Vec::new(), Vec::new());
    for class in &SCENE_CLASSES {
        let Some(tag) = scene_tag(class.title) else { continue };
        let count = counts.get(tag.as_str()).copied().unwrap_or(0);
        if count >= MIN_SCENE_PHOTOS {
            kept.push(tag);
        } else {
            left_out.push((class.title.to_owned(), count));
        }
    }
    (kept, left_out)
}

/// The training options of the scene model: the defaults of a tag model, with
/// [`MIN_SCENE_PHOTOS`] and an L2 strength of `l2`.
pub fn scene_options(l2: f32, threads: usize) -> TrainingOptions {
    TrainingOptions { min_examples_per_tag: MIN_SCENE_PHOTOS, l2, threads, ..TrainingOptions::default() }
}

/// The scene model's L2 strength and views per photo, chosen on the calibration half of the
/// scene set only (`SWEEP=1 … eval_scenes`: split again by photo, trained on one part, scored on
/// the other's photos): 5 views and 1e-4 gave the best mean average precision (0.606 against
/// 0.572 for the photos alone), within the noise of 100 test photos.
pub const SCENE_L2: f32 = 1e-4;
/// Views of each photo the shipped model trains on (see [`embed`]).
pub const SCENE_VIEWS: usize = VIEWS;

/// Trains the scene model (independent tags) on `examples`: every scene with enough photos, and
/// every photo as a negative of the scenes it does not show.
pub fn train_scenes(examples: &[Example], options: &TrainingOptions) -> Result<TrainedModel, SceneError> {
    let (tags, _) = trainable_scenes(examples);
    let spec = ModelSpec { name: "scenes".to_owned(), tags, kind: ModelKind::Independent };
    Ok(train(&spec, &[], &|_| true, examples, options, &|_| true)?)
}

/// The model file, with fixed metadata (and no training time) so the same model gives the same
/// bytes.
pub fn export(model: &TrainedModel, image_model: &str) -> Vec<u8> {
    let mut model = model.clone();
    model.metrics.train_ms = 0.0;
    let model = &model;
    let meta = ArtifactMeta {
        image_model: image_model.to_owned(),
        taxonomy_version: 0,
        version: 1,
        created_at: "1970-01-01T00:00:00Z".to_owned(),
    };
    artifact::export(model, &meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;
    use smart_tags_core::training::synthetic;

    /// A small scene model on synthetic embeddings (sky, sea, mountains), as a shipped file.
    fn shipped(seed: u64) -> SceneModel {
        let mut set = synthetic::overlapping(3, 60, 0.4, 1.0, seed);
        let names = ["sky", "sea", "mountains"];
        let rename = |id: &TagId| {
            scene_tag(names[id.as_str().trim_start_matches("synthetic:tag-").parse::<usize>().unwrap()]).unwrap()
        };
        for example in &mut set.examples {
            example.tags = example.tags.iter().map(rename).collect();
        }
        let model = train_scenes(&set.examples, &scene_options(SCENE_L2, 1)).unwrap();
        let bytes = export(&model, "m");
        let examples = set
            .examples
            .iter()
            .map(|e| NewExample {
                content_hash: format!("{:0>64}", e.asset.replace(|c: char| !c.is_ascii_hexdigit(), "")),
                embedding: e.embedding.clone(),
                tags: e.tags.iter().map(ToString::to_string).collect(),
                file: None,
                picture: e.group.clone(),
            })
            .collect();
        let digest = hex(&Sha256::digest(&bytes));
        SceneModel { model, version: format!("scenes@{}", &digest[..12]), bytes, examples }
    }

    #[test]
    fn the_shipped_file_is_installed_once_and_a_newer_one_never_overrides_the_customers_choice() {
        let (_dir, store) = temp_store();
        let first = shipped(3);
        assert_eq!(install(&store, "m", &first).unwrap(), Installed::First);
        let model = store.model(SCENE_MODEL).unwrap();
        assert_eq!((model.kind, model.active_version, model.tags.len()), (ModelKind::Independent, Some(1), 3));
        assert!(!store.examples("m", Some(&model.tags)).unwrap().is_empty(), "its photos are the model's examples");
        // A restart installs nothing again.
        assert_eq!(install(&store, "m", &first).unwrap(), Installed::Present);
        assert_eq!(store.versions_of(SCENE_MODEL).unwrap().len(), 1);
        // A newer shipped file follows the shipped one that is active…
        assert_eq!(install(&store, "m", &shipped(4)).unwrap(), Installed::NewVersion { activated: true });
        assert_eq!(store.model(SCENE_MODEL).unwrap().active_version, Some(2));
        // …but not a model the customer switched off.
        store.deactivate(SCENE_MODEL).unwrap();
        assert_eq!(install(&store, "m", &shipped(5)).unwrap(), Installed::NewVersion { activated: false });
        assert_eq!(store.model(SCENE_MODEL).unwrap().active_version, None);
        assert!(matches!(store.delete_model(SCENE_MODEL), Err(StoreError::BuiltInModel(_))));
    }
}
