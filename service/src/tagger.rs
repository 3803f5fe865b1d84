//! The smart-tag engine: from the image model's class probabilities to generic tags (WordNet
//! concepts), taxonomy tags (through concept links) and colour tags.
//!
//! Loaded once at start-up: the WordNet hierarchy above the model's classes (from `data.noun` and
//! `noun.exc`) and the MiniLM text model. The concepts' lemma embeddings, needed only to link a
//! taxonomy, are computed the first time a taxonomy is linked and kept.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use smart_tags_core::color::ColorTag;
use smart_tags_core::concepts::{ConceptGraph, ConceptIdx, Morphy, WordNet};
use smart_tags_core::mapping::{self, ConceptLink, SimilarityOptions};
use smart_tags_core::tags::{SmartTag, TagSource, COLOR_NAMESPACE, GENERIC_NAMESPACE};
use smart_tags_core::taxonomy::{TagId, Taxonomy};

use crate::text_engine::{TextEngine, TextEngineConfig, TextEngineError};

/// Candidates below this confidence are not stored: thresholds can be lowered to it without
/// running the model again.
pub const CANDIDATE_FLOOR: f32 = 0.05;
/// Most generic candidates stored per asset.
pub const MAX_GENERIC_CANDIDATES: usize = 60;
/// Version of the colour naming (the named-colour set and the rules in `core::color`).
pub const COLOR_VERSION: &str = "named-colors@1";
/// Lemmas per concept embedded for similarity links.
const LEMMAS_PER_CONCEPT: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("bad wordnet data: {0}")]
    WordNet(String),
    #[error(transparent)]
    Text(#[from] TextEngineError),
}

#[derive(Debug, Clone)]
pub struct TaggerConfig {
    /// Folder with WordNet's `data.noun` and `noun.exc` (`$CACHE/models/wordnet`).
    pub wordnet_dir: PathBuf,
    pub text: TextEngineConfig,
}

pub struct Tagger {
    graph: ConceptGraph,
    text: TextEngine,
    concept_vectors: OnceLock<Vec<(String, Vec<f32>)>>,
    similarity: SimilarityOptions,
}

fn read(path: &Path) -> Result<String, TaggerError> {
    std::fs::read_to_string(path).map_err(|e| TaggerError::Read { path: path.to_owned(), message: format!("{e} (run scripts/setup.sh)") })
}

impl Tagger {
    /// Loads WordNet and the text model; `class_wnids[i]` is the WordNet id of class `i`.
    pub fn load(config: &TaggerConfig, class_wnids: &[String]) -> Result<Tagger, TaggerError> {
        let wordnet = WordNet::parse(&read(&config.wordnet_dir.join("data.noun"))?).map_err(|e| TaggerError::WordNet(e.to_string()))?;
        let morphy = Morphy::parse_exceptions(&read(&config.wordnet_dir.join("noun.exc"))?).map_err(|e| TaggerError::WordNet(e.to_string()))?;
        let graph = ConceptGraph::build(&wordnet, class_wnids).map_err(|e| TaggerError::WordNet(e.to_string()))?.with_morphy(morphy);
        let text = TextEngine::load(&config.text)?;
        Ok(Tagger { graph, text, concept_vectors: OnceLock::new(), similarity: SimilarityOptions::default() })
    }

    pub fn graph(&self) -> &ConceptGraph {
        &self.graph
    }

    pub fn text(&self) -> &TextEngine {
        &self.text
    }

    pub fn similarity(&self) -> &SimilarityOptions {
        &self.similarity
    }

    /// Computes the concepts' embeddings now rather than at the first linking.
    pub fn warm_up(&self) -> Result<(), TaggerError> {
        self.concept_vectors().map(|_| ())
    }

    /// The embeddings of the concepts' first lemmas, computed once.
    fn concept_vectors(&self) -> Result<&[(String, Vec<f32>)], TaggerError> {
        if let Some(vectors) = self.concept_vectors.get() {
            return Ok(vectors);
        }
        let mut owners: Vec<&str> = Vec::new();
        let mut texts: Vec<&str> = Vec::new();
        for concept in self.graph.concepts() {
            let is_class = concept.classes.len() == 1 && self.graph.class_concept(usize::from(concept.classes[0])).is_some_and(|c| self.graph.concept(c).wnid == concept.wnid);
            if !(concept.taggable || is_class) {
                continue;
            }
            for lemma in concept.lemmas.iter().take(LEMMAS_PER_CONCEPT) {
                owners.push(&concept.wnid);
                texts.push(lemma);
            }
        }
        let vectors = self.text.embed(&texts)?;
        let pairs = owners.into_iter().map(str::to_owned).zip(vectors).collect();
        Ok(self.concept_vectors.get_or_init(|| pairs))
    }

    /// Automatic links of every linkable tag: lemma links, and similarity links for the tags that
    /// got none (see `smart_tags_core::mapping`).
    pub fn find_links(&self, taxonomy: &Taxonomy) -> Result<Vec<(TagId, Vec<ConceptLink>)>, TaggerError> {
        let graph = &self.graph;
        let lemma = mapping::lemma_links(
            taxonomy,
            // Only concepts that may be tags: "Objects" must not link to WordNet's "object", the
            // abstract top above every animal and artifact.
            |term| graph.lookup(term).into_iter().map(|idx| graph.concept(idx)).filter(|c| c.taggable).map(|c| c.wnid.clone()).collect(),
            |concept, ancestor| self.is_within(concept, ancestor),
        );
        let mut by_tag: Vec<(TagId, Vec<ConceptLink>)> =
            mapping::linkable_tags(taxonomy).into_iter().map(|(tag, _)| (tag, Vec::new())).collect();
        for link in lemma {
            if let Some((_, links)) = by_tag.iter_mut().find(|(tag, _)| *tag == link.tag) {
                links.push(link);
            }
        }
        let unlinked: Vec<(TagId, Vec<String>)> = mapping::linkable_tags(taxonomy)
            .into_iter()
            .filter(|(tag, _)| by_tag.iter().any(|(t, links)| t == tag && links.is_empty()))
            .map(|(tag, terms)| (tag, terms.into_iter().map(|(term, _, _)| term).collect()))
            .collect();
        if unlinked.is_empty() {
            return Ok(by_tag);
        }
        let concepts = self.concept_vectors()?;
        let texts: Vec<&str> = unlinked.iter().flat_map(|(_, terms)| terms.iter().map(String::as_str)).collect();
        let mut vectors = self.text.embed(&texts)?.into_iter();
        for (tag, terms) in &unlinked {
            let term_vectors: Vec<Vec<f32>> = vectors.by_ref().take(terms.len()).collect();
            let links = mapping::similarity_links(tag, &term_vectors, concepts, &self.similarity);
            if let Some((_, slot)) = by_tag.iter_mut().find(|(t, _)| t == tag) {
                *slot = links;
            }
        }
        Ok(by_tag)
    }

    /// Whether concept `wnid` is `ancestor` or lies beneath it.
    pub fn is_within(&self, wnid: &str, ancestor: &str) -> bool {
        let (Some(c), Some(a)) = (self.graph.find(wnid), self.graph.find(ancestor)) else { return false };
        let (concept, ancestor) = (self.graph.concept(c), self.graph.concept(a));
        // A concept lies beneath another exactly when its classes are a subset of the other's.
        !concept.classes.is_empty() && concept.classes.iter().all(|class| ancestor.classes.binary_search(class).is_ok())
    }

    /// Every candidate tag of one image: generic, taxonomy and colour tags above
    /// [`CANDIDATE_FLOOR`], with English titles (see [`localize`] for other locales).
    pub fn candidates(&self, probs: &[f32], model_version: &str, taxonomy: &Taxonomy, links: &[ConceptLink], colors: &[ColorTag]) -> Vec<SmartTag> {
        let scores = self.graph.roll_up(probs);
        let mut tags: Vec<SmartTag> = self
            .graph
            .generic_tags(&scores, CANDIDATE_FLOOR, MAX_GENERIC_CANDIDATES)
            .into_iter()
            .map(|(idx, confidence)| SmartTag {
                id: format!("{GENERIC_NAMESPACE}:{}", self.graph.concept(idx).wnid),
                title: self.graph.title(idx).to_owned(),
                path: self.concept_path(idx),
                confidence,
                source: TagSource::Generic,
                model_version: model_version.to_owned(),
                hex: None,
                threshold: None,
            })
            .collect();
        let classes_of = |wnid: &str| self.graph.find(wnid).map(|idx| self.graph.concept(idx).classes.as_slice());
        for score in mapping::score_tags(taxonomy, links, &self.similarity, classes_of, probs) {
            if score.confidence < CANDIDATE_FLOOR {
                continue;
            }
            let Some(tag) = taxonomy.get(&score.tag) else { continue };
            tags.push(SmartTag {
                id: score.tag.to_string(),
                title: tag.title("en").to_owned(),
                path: taxonomy_path(taxonomy, &score.tag, "en"),
                confidence: score.confidence,
                source: TagSource::Taxonomy,
                model_version: model_version.to_owned(),
                hex: None,
                threshold: None,
            });
        }
        tags.extend(colors.iter().map(|color| SmartTag {
            id: format!("{COLOR_NAMESPACE}:{}", color_slug(&color.name)),
            title: color.name.clone(),
            path: vec![color.name.clone()],
            confidence: color.coverage,
            source: TagSource::Color,
            model_version: COLOR_VERSION.to_owned(),
            hex: Some(color.hex.clone()),
            threshold: None,
        }));
        tags
    }

    fn concept_path(&self, idx: ConceptIdx) -> Vec<String> {
        self.graph.primary_path(idx).into_iter().map(|i| self.graph.title(i).to_owned()).collect()
    }
}

/// The id segment of a colour name: `light blue` → `light-blue`.
pub fn color_slug(name: &str) -> String {
    smart_tags_core::taxonomy::id::slug(name)
}

/// Titles from the first tag below the namespace root down to `id`, in `locale`.
pub fn taxonomy_path(taxonomy: &Taxonomy, id: &TagId, locale: &str) -> Vec<String> {
    taxonomy.path(id).into_iter().filter(|t| !t.id.is_namespace()).map(|t| t.title(locale).to_owned()).collect()
}

/// Gives taxonomy tags their current titles and paths in `locale` (titles are stored in English
/// and may have been renamed since).
pub fn localize(tags: &mut [SmartTag], taxonomy: &Taxonomy, locale: &str) {
    for tag in tags {
        if !matches!(tag.source, TagSource::Taxonomy | TagSource::Manual | TagSource::Trained) {
            continue;
        }
        let Ok(id) = TagId::parse(&tag.id) else { continue };
        if let Some(t) = taxonomy.get(&id) {
            tag.title = t.title(locale).to_owned();
            tag.path = taxonomy_path(taxonomy, &id, locale);
        }
    }
}
