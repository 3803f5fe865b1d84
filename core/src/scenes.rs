//! Built-in scene tags: sky, clouds, sunset, night, sea, beach, lake, river, waterfall,
//! mountains, forest, snow, fields, desert, city, street, buildings, interior.
//!
//! No registry package ships a scene model, and none of these is an ImageNet class. The scene
//! model is a tag model of **independent** tags ([`crate::training::ModelKind::Independent`])
//! trained by `scripts/setup-scenes.sh` on the image embeddings of hand-labelled photos
//! (`tests/eval/scenes/`), with tag ids `scene:<title>` (the titles of
//! [`SCENE_CLASSES`](crate::detect::classes::SCENE_CLASSES)). Each tag's probability becomes a
//! confidence whose calibrated threshold maps to 0.5 (like the detectors'), and the scenes enter
//! the concept graph as independent classes, so a taxonomy's "Landscape › Mountains" links to
//! *mountain* by lemma and lights up with no training.

use crate::detect::classes::SCENE_CLASSES;
use crate::detect::people::confidence;
use crate::taxonomy::TagId;
use crate::training::model::TrainedModel;
use crate::training::{ModelKind, TrainError};

/// The namespace of the scene model's tag ids: `scene:mountains`.
pub const SCENE_NAMESPACE: &str = "scene";

/// The name of the tag model that holds the scene tags in the service's store. The shipped model
/// is installed as one of its versions; a customer adds examples to it, trains it, rolls it back
/// or switches it off (deactivates it) like any tag model. Only scene tags belong to it, and no
/// other tag model holds one.
pub const SCENE_MODEL: &str = "scenes";

/// Whether `id` is a built-in scene's tag id (`scene:sky`).
pub fn is_scene_tag(id: &TagId) -> bool {
    position(id).is_some()
}

/// Every built-in scene's tag id, in the order of [`SCENE_CLASSES`].
pub fn scene_tags() -> Vec<TagId> {
    SCENE_CLASSES.iter().filter_map(|c| scene_tag(c.title)).collect()
}

/// The scene title of a scene tag id (`scene:sky` → `sky`).
pub fn scene_title(id: &TagId) -> Option<&'static str> {
    position(id).map(|i| SCENE_CLASSES[i].title)
}

/// The scene model's tag id of scene `title`.
pub fn scene_tag(title: &str) -> Option<TagId> {
    TagId::parse(&format!("{SCENE_NAMESPACE}:{title}")).ok()
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SceneModelError {
    #[error("the scene model's tags must be independent")]
    NotIndependent,
    #[error("the scene model has tag {0}, which is not a built-in scene")]
    UnknownScene(String),
}

/// Checks that `model` is a scene model: independent tags, each one of the built-in scenes
/// (a scene it lacks is never found).
pub fn check_model(model: &TrainedModel) -> Result<(), SceneModelError> {
    if model.kind != ModelKind::Independent {
        return Err(SceneModelError::NotIndependent);
    }
    for tag in &model.tags {
        if position(&tag.id).is_none() {
            return Err(SceneModelError::UnknownScene(tag.id.to_string()));
        }
    }
    Ok(())
}

fn position(id: &TagId) -> Option<usize> {
    let name = id.as_str().strip_prefix(SCENE_NAMESPACE)?.strip_prefix(':')?;
    SCENE_CLASSES.iter().position(|c| c.title == name)
}

/// Largest confidence of a scene whose cross-validated precision misses the model's target (or
/// rests on fewer than 10 distinct pictures): it
/// stays below the default threshold of 0.5, so such a scene is only a suggestion ("more
/// suggestions") and weak evidence for the taxonomy tags linked to it, never a tag shown as sure.
pub const UNRELIABLE_MAX: f32 = 0.45;

/// The confidence of every built-in scene for one image embedding, in the order of
/// [`SCENE_CLASSES`]: the model's probability with its tag's calibrated threshold mapped to 0.5;
/// scaled into `0..UNRELIABLE_MAX` for a scene whose precision misses the target; 0 for a scene
/// the model lacks.
pub fn confidences(model: &TrainedModel, embedding: &[f32]) -> Result<[f32; SCENE_CLASSES.len()], TrainError> {
    let probabilities = model.probabilities(embedding)?;
    let mut out = [0.0; SCENE_CLASSES.len()];
    for (tag, p) in model.tags.iter().zip(probabilities) {
        if let Some(i) = position(&tag.id) {
            out[i] = if is_reliable(tag, model) { confidence(p, tag.threshold) } else { UNRELIABLE_MAX * p };
        }
    }
    Ok(out)
}

/// Whether a scene's cross-validated precision at its threshold reaches the model's target, on
/// enough distinct pictures to say so (`TagMetrics::target_reached`).
pub fn is_reliable(tag: &crate::training::model::TrainedTag, _model: &TrainedModel) -> bool {
    tag.metrics.target_reached
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::{synthetic, train, TrainingOptions};

    fn scene_model() -> TrainedModel {
        let mut set = synthetic::overlapping(3, 90, 0.4, 1.0, 8);
        let names = ["sky", "sea", "mountains"];
        let rename = |id: &TagId| scene_tag(names[set_index(id)]).unwrap();
        fn set_index(id: &TagId) -> usize {
            id.as_str().trim_start_matches("synthetic:tag-").parse().unwrap()
        }
        for example in &mut set.examples {
            example.tags = example.tags.iter().map(rename).collect();
        }
        set.spec.tags = set.spec.tags.iter().map(rename).collect();
        let options = TrainingOptions { min_examples_per_tag: 5, ..TrainingOptions::default() };
        train(&set.spec, &[], &|_| true, &set.examples, &options, &|_| true).unwrap()
    }

    #[test]
    fn confidences_follow_the_scene_classes_with_thresholds_at_one_half() {
        let model = scene_model();
        check_model(&model).unwrap();
        let probe = synthetic::overlapping(3, 5, 0.4, 1.0, 8).examples[0].embedding.clone();
        let got = confidences(&model, &probe).unwrap();
        let probabilities = model.probabilities(&probe).unwrap();
        for (tag, p) in model.tags.iter().zip(probabilities) {
            let i = position(&tag.id).unwrap();
            if is_reliable(tag, &model) {
                assert_eq!(got[i] >= 0.5, p >= tag.threshold, "{}", tag.id);
                assert_eq!(got[i], confidence(p, tag.threshold));
            } else {
                assert!(got[i] < 0.5, "{}", tag.id);
            }
        }
        // Scenes the model lacks are 0.
        let lacking = SCENE_CLASSES.iter().position(|c| c.title == "desert").unwrap();
        assert_eq!(got[lacking], 0.0);
    }

    #[test]
    fn a_scene_short_of_its_precision_target_is_never_sure() {
        let mut model = scene_model();
        model.tags[0].metrics.target_reached = false;
        let probe = synthetic::overlapping(3, 5, 0.4, 1.0, 8).examples[0].embedding.clone();
        let mut sure = model.clone();
        sure.tags[0].threshold = 0.0;
        let i = position(&model.tags[0].id).unwrap();
        let p = model.probabilities(&probe).unwrap()[0];
        assert_eq!(confidences(&model, &probe).unwrap()[i], UNRELIABLE_MAX * p);
        assert!(confidences(&sure, &probe).unwrap()[i] < 0.5);
    }

    #[test]
    fn other_models_are_not_scene_models() {
        let mut model = scene_model();
        model.tags[0].id = TagId::parse("demo:landscape").unwrap();
        assert_eq!(check_model(&model), Err(SceneModelError::UnknownScene("demo:landscape".into())));
        model.kind = ModelKind::Exclusive;
        assert_eq!(check_model(&model), Err(SceneModelError::NotIndependent));
    }
}
