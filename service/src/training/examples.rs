//! Everything one training run (or one lint) reads from the store, gathered at once so the run
//! itself never touches the database until it records its result.

use std::collections::{BTreeMap, HashSet};

use smart_tags_core::scenes::{is_scene_tag, scene_tags, SCENE_MODEL};
use smart_tags_core::taxonomy::{TagId, Taxonomy};
use smart_tags_core::training::{Example, ModelSpec, TrainingOptions};

use crate::store::{Store, StoreError};

/// A model's spec, the other models (a tag in two models is a finding), the taxonomy's tags,
/// the examples carrying any of the model's tags (with all their tags) and the options.
#[derive(Debug, Clone)]
pub struct TrainingInput {
    pub spec: ModelSpec,
    pub other_specs: Vec<ModelSpec>,
    pub known_tags: HashSet<TagId>,
    pub examples: Vec<Example>,
    pub options: TrainingOptions,
    pub image_model: String,
    pub taxonomy_version: i64,
}

fn parse_tags<'a>(ids: impl IntoIterator<Item = &'a String>) -> Vec<TagId> {
    ids.into_iter().filter_map(|id| TagId::parse(id).ok()).collect()
}

/// Reads a model's training input.
pub fn gather(
    store: &Store,
    taxonomy: &Taxonomy,
    taxonomy_version: i64,
    image_model: &str,
    name: &str,
) -> Result<TrainingInput, StoreError> {
    let model = store.model(name)?;
    let other_specs = store
        .models()?
        .into_iter()
        .filter(|m| m.name != name)
        .map(|m| ModelSpec { tags: parse_tags(&m.tags), name: m.name, kind: m.kind })
        .collect();
    let examples = store
        .examples(image_model, Some(&model.tags))?
        .into_iter()
        .map(|e| Example {
            tags: parse_tags(e.tags.keys()),
            asset: e.content_hash,
            embedding: e.embedding,
            group: e.picture,
        })
        .collect();
    Ok(TrainingInput {
        spec: ModelSpec { name: model.name, tags: parse_tags(&model.tags), kind: model.kind },
        other_specs,
        // The scene model holds the built-in scenes and nothing else; no other model holds one.
        known_tags: if name == SCENE_MODEL {
            scene_tags().into_iter().collect()
        } else {
            taxonomy.tags().map(|t| t.id.clone()).filter(|id| !is_scene_tag(id)).collect()
        },
        examples,
        options: model.options,
        image_model: image_model.to_owned(),
        taxonomy_version,
    })
}

/// How many examples each of the model's tags has.
pub fn counts(input: &TrainingInput) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = input.spec.tags.iter().map(|t| (t.to_string(), 0)).collect();
    for example in &input.examples {
        for tag in &example.tags {
            if let Some(count) = counts.get_mut(&tag.to_string()) {
                *count += 1;
            }
        }
    }
    counts
}
