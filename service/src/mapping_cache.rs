//! The taxonomy and its active concept links as of one taxonomy version, kept in memory so a
//! prediction does not read the whole taxonomy from SQLite; reloaded when the version moves.

use std::sync::{Arc, Mutex};

use smart_tags_core::mapping::{ConceptLink, LinkMethod, LinkState, ScoringPlan};
use smart_tags_core::taxonomy::Taxonomy;

use crate::store::{Store, StoreError};

/// What scoring needs of the taxonomy, at one version.
#[derive(Debug)]
pub struct Mapping {
    pub version: i64,
    pub taxonomy: Taxonomy,
    /// Links that count (rejected ones left out).
    pub links: Vec<ConceptLink>,
    /// The scoring plan of `taxonomy` and `links`, compiled at the first prediction.
    plan: std::sync::OnceLock<ScoringPlan>,
    /// The concepts each tag names, by tag id (see [`Mapping::concepts_of`]).
    concepts: std::collections::BTreeMap<String, Vec<String>>,
}

impl Mapping {
    pub fn new(version: i64, taxonomy: Taxonomy, links: Vec<ConceptLink>) -> Mapping {
        let mut concepts: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
        // Links that name their concept (lemma, synonym, added or confirmed), not similarity guesses:
        // "Pets" linked by similarity to "domestic cat" does not repeat it.
        for link in links.iter().filter(|l| l.method != LinkMethod::Similarity || l.state == LinkState::Confirmed) {
            concepts.entry(link.tag.to_string()).or_default().push(link.concept.clone());
        }
        Mapping { version, taxonomy, links, plan: std::sync::OnceLock::new(), concepts }
    }

    /// The WordNet ids tag `id` names (its active links other than similarity guesses): the
    /// generic tags it repeats.
    pub fn concepts_of(&self, id: &str) -> Vec<String> {
        self.concepts.get(id).cloned().unwrap_or_default()
    }

    /// The scoring plan, compiled once per mapping with the tagger's concept graph.
    pub fn plan(&self, tagger: &crate::tagger::Tagger) -> &ScoringPlan {
        self.plan.get_or_init(|| tagger.plan(&self.taxonomy, &self.links))
    }
}

#[derive(Debug, Default)]
pub struct MappingCache {
    current: Mutex<Option<Arc<Mapping>>>,
}

impl MappingCache {
    /// The mapping at the store's current taxonomy version.
    pub fn get(&self, store: &Store) -> Result<Arc<Mapping>, StoreError> {
        let version = store.taxonomy_version()?;
        if let Ok(guard) = self.current.lock() {
            if let Some(mapping) = guard.as_ref().filter(|m| m.version == version) {
                metrics::counter!("smart_tags_mapping_cache_total", "result" => "hit").increment(1);
                return Ok(Arc::clone(mapping));
            }
        }
        metrics::counter!("smart_tags_mapping_cache_total", "result" => "rebuild").increment(1);
        let (taxonomy, version) = store.taxonomy_with_version()?;
        let links = store
            .links(None)?
            .into_iter()
            .filter(|l| l.is_active())
            .map(|l| ConceptLink {
                tag: l.tag_id,
                concept: l.concept,
                score: l.score,
                method: l.method,
                state: l.state,
            })
            .collect();
        let mapping = Arc::new(Mapping::new(version, taxonomy, links));
        if let Ok(mut guard) = self.current.lock() {
            *guard = Some(Arc::clone(&mapping));
        }
        Ok(mapping)
    }
}
