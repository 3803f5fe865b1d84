//! The active trained model versions, loaded from their stored files and kept in memory until
//! the trained version moves; and how their tags join a prediction.

use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use smart_tags_core::scenes::{check_model, SCENE_MODEL};
use smart_tags_core::tags::{SmartTag, TagSource};
use smart_tags_core::taxonomy::Taxonomy;
use smart_tags_core::training::artifact;
use smart_tags_core::training::model::TrainedModel;

use crate::store::{Store, StoreError};
use crate::tagger::{taxonomy_path, CANDIDATE_FLOOR};

/// One active model version.
#[derive(Debug)]
pub struct LoadedModel {
    pub name: String,
    pub version: i64,
    pub model: TrainedModel,
    /// The SHA-256 of its stored file, hex.
    pub digest: String,
}

impl LoadedModel {
    /// How its tags name the model that made them: `product-type@v3`.
    pub fn label(&self) -> String {
        format!("{}@v{}", self.name, self.version)
    }
}

/// The active models as of one trained version.
#[derive(Debug)]
pub struct ActiveSet {
    pub trained_version: i64,
    pub models: Vec<LoadedModel>,
}

impl ActiveSet {
    /// The active version of the scene model ([`SCENE_MODEL`]), when there is one and it is a
    /// scene model (independent scene tags); its scenes enter the concept graph rather than
    /// being taxonomy tags.
    pub fn scenes(&self) -> Option<&LoadedModel> {
        self.models.iter().find(|m| m.name == SCENE_MODEL && check_model(&m.model).is_ok())
    }

    /// The scene model's version as answers name it: `scenes@` + 12 hex digits of its file's
    /// SHA-256.
    pub fn scenes_version(&self) -> Option<String> {
        self.scenes().map(|m| format!("scenes@{}", &m.digest[..12.min(m.digest.len())]))
    }
}

#[derive(Debug, Default)]
pub struct ActiveModels {
    current: Mutex<Option<Arc<ActiveSet>>>,
}

impl ActiveModels {
    /// The active models at `trained_version` for this image model. A stored file that no longer
    /// loads (another image model, damage) is left out and logged, never predicted from.
    pub fn get(&self, store: &Store, image_model: &str, trained_version: i64) -> Result<Arc<ActiveSet>, StoreError> {
        if let Ok(guard) = self.current.lock() {
            if let Some(set) = guard.as_ref().filter(|s| s.trained_version == trained_version) {
                return Ok(Arc::clone(set));
            }
        }
        let mut models = Vec::new();
        for (name, version, bytes) in store.active_artifacts()? {
            match artifact::import(&bytes, image_model) {
                Ok((model, _)) => {
                    let digest = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
                    models.push(LoadedModel { name, version, model, digest });
                }
                Err(error) => tracing::error!(model = %name, version, %error, "cannot load an active trained model"),
            }
        }
        let set = Arc::new(ActiveSet { trained_version, models });
        if let Ok(mut guard) = self.current.lock() {
            *guard = Some(Arc::clone(&set));
        }
        Ok(set)
    }
}

/// The trained tags of one image: every tag of every active model scoring at least
/// [`CANDIDATE_FLOOR`], carrying its calibrated threshold. Tags no longer in the taxonomy are
/// left out.
pub fn trained_candidates(set: &ActiveSet, embedding: &[f32], taxonomy: &Taxonomy) -> Vec<SmartTag> {
    let mut tags = Vec::new();
    // The scene model's tags are concepts, not taxonomy tags (`AppState::scene_confidences`).
    for loaded in set.models.iter().filter(|m| !(m.name == SCENE_MODEL && check_model(&m.model).is_ok())) {
        let scores = match loaded.model.predict(embedding) {
            Ok(scores) => scores,
            Err(error) => {
                tracing::error!(model = %loaded.name, %error, "a trained model cannot score this embedding");
                continue;
            }
        };
        for (score, trained) in scores.into_iter().zip(&loaded.model.tags) {
            let Some(tag) = taxonomy.get(&score.id) else { continue };
            if score.confidence < CANDIDATE_FLOOR {
                continue;
            }
            tags.push(SmartTag {
                id: score.id.to_string(),
                title: tag.title("en").to_owned(),
                path: taxonomy_path(taxonomy, &score.id, "en"),
                confidence: score.confidence,
                source: TagSource::Trained,
                model_version: loaded.label(),
                hex: None,
                threshold: Some(trained.threshold),
            });
        }
    }
    tags
}

/// Joins trained tags to the other candidates. A trained tag **adds evidence**: where the
/// taxonomy mapping also scored the tag, the trained tag replaces it only when it reaches its own
/// calibrated threshold (it would be shown); a trained model that is unsure of an image never
/// hides what the mapping found (a 10-shot "Animals" head must not take "Animals" off animal
/// photos). When two models score one tag the more confident wins.
pub fn merge(candidates: &mut Vec<SmartTag>, trained: Vec<SmartTag>) {
    for tag in trained {
        let reaches_own_threshold = tag.threshold.is_none_or(|t| tag.confidence >= t);
        match candidates.iter_mut().find(|c| c.id == tag.id) {
            Some(existing) if existing.source == TagSource::Trained && existing.confidence < tag.confidence => {
                *existing = tag
            }
            Some(existing) if existing.source != TagSource::Trained && reaches_own_threshold => *existing = tag,
            Some(_) => {}
            None => candidates.push(tag),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: &str, confidence: f32, source: TagSource) -> SmartTag {
        SmartTag {
            id: id.into(),
            title: id.into(),
            path: vec![],
            confidence,
            source,
            model_version: "m".into(),
            hex: None,
            threshold: None,
        }
    }

    #[test]
    fn a_trained_tag_below_its_threshold_leaves_the_mappings_candidate() {
        let unsure = SmartTag { threshold: Some(0.79), ..tag("demo:animals", 0.4, TagSource::Trained) };
        let mut candidates = vec![tag("demo:animals", 0.93, TagSource::Taxonomy)];
        merge(&mut candidates, vec![unsure.clone()]);
        assert_eq!(
            (candidates[0].source, candidates[0].confidence),
            (TagSource::Taxonomy, 0.93),
            "the mapping's evidence stays"
        );
        let sure = SmartTag { confidence: 0.85, ..unsure };
        merge(&mut candidates, vec![sure]);
        assert_eq!((candidates[0].source, candidates[0].confidence), (TagSource::Trained, 0.85));
    }

    #[test]
    fn trained_tags_replace_taxonomy_candidates_and_the_stronger_model_wins() {
        let mut candidates = vec![tag("demo:a", 0.9, TagSource::Taxonomy), tag("wordnet:x", 0.5, TagSource::Generic)];
        merge(&mut candidates, vec![tag("demo:a", 0.3, TagSource::Trained), tag("demo:b", 0.6, TagSource::Trained)]);
        merge(&mut candidates, vec![tag("demo:b", 0.4, TagSource::Trained), tag("demo:a", 0.35, TagSource::Trained)]);
        let summary: Vec<(&str, f32, TagSource)> =
            candidates.iter().map(|t| (t.id.as_str(), t.confidence, t.source)).collect();
        assert_eq!(
            summary,
            [
                ("demo:a", 0.35, TagSource::Trained),
                ("wordnet:x", 0.5, TagSource::Generic),
                ("demo:b", 0.6, TagSource::Trained)
            ]
        );
    }
}
