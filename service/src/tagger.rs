//! The smart-tag engine: from the image model's class probabilities to generic tags (WordNet
//! concepts), taxonomy tags (through concept links) and colour tags.
//!
//! Loaded once at start-up: the WordNet hierarchy above the model's classes (from `data.noun` and
//! `noun.exc`) and the MiniLM text model. The concepts' lemma embeddings, needed only to link a
//! taxonomy, are computed the first time a taxonomy is linked and kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use smart_tags_core::calibration::{taxonomy_calibration, Calibration, TAXONOMY_THRESHOLD};
use smart_tags_core::color::ColorTag;
use smart_tags_core::concepts::{Concept, ConceptGraph, ConceptIdx, Morphy, WordNet};
use smart_tags_core::concepts::{SenseIndex, TermMeaning};
use smart_tags_core::detect::classes::{added_classes, probabilities, Detected, ADDED_CLASSES};
use smart_tags_core::detect::text::{matchable, word_support, Word};
use smart_tags_core::mapping::{self, ConceptLink, Lexicon, Meaning, ScoringPlan, SimilarityOptions};
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
/// Most tag texts whose embeddings are kept between relinkings.
const MAX_CACHED_TEXTS: usize = 200_000;

#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("bad wordnet data: {0}")]
    WordNet(String),
    #[error(transparent)]
    Text(#[from] TextEngineError),
    #[error("the generic vocabulary names concepts the model's hierarchy does not have: {0}")]
    UnknownConcepts(String),
}

#[derive(Debug, Clone)]
pub struct TaggerConfig {
    /// Folder with WordNet's `data.noun`, `index.noun` and `noun.exc` (`$CACHE/models/wordnet`).
    pub wordnet_dir: PathBuf,
    pub text: TextEngineConfig,
    /// Sensitive concepts to show as generic tags after all (WordNet ids; see
    /// `smart_tags_core::concepts::abstract_rule::SENSITIVE`).
    pub generic_allow: Vec<String>,
    /// More concepts never to show as generic tags (WordNet ids); they stay linkable.
    pub generic_deny: Vec<String>,
}

/// Each linkable tag with its automatic links.
pub type TagLinks = Vec<(TagId, Vec<ConceptLink>)>;

pub struct Tagger {
    graph: ConceptGraph,
    text: TextEngine,
    concept_vectors: OnceLock<Vec<(String, Vec<f32>)>>,
    /// Embeddings of tag texts already linked once.
    text_vectors: std::sync::Mutex<std::collections::HashMap<String, Vec<f32>>>,
    /// What the last linking found per tag, so the next one links only the tags a write touched
    /// (`mapping::link_taxonomy_again`).
    link_memo: std::sync::Mutex<mapping::LinkMemo>,
    similarity: SimilarityOptions,
    /// Maps a taxonomy tag's raw score to the chance that it is right; its tags then carry
    /// `TAXONOMY_THRESHOLD`, which follows from the precision target.
    calibration: Calibration,
    /// The image model's classes; the detector concepts' classes follow them.
    image_classes: usize,
}

// The basic-level tops and the lexicographer files they head (`lexnames(5WN)`).
const ANIMAL: &str = "n00015388";
const PERSON: &str = "n00007846";
const PLANT: &str = "n00017222";
const FOOD: &str = "n00021265";
const LEX_NOUN_ANIMAL: u8 = 5;
const LEX_NOUN_FOOD: u8 = 13;
const LEX_NOUN_PERSON: u8 = 18;
const LEX_NOUN_PLANT: u8 = 20;

/// WordNet above the model's classes, as the linker asks for it.
struct GraphLexicon<'a> {
    tagger: &'a Tagger,
}

impl Lexicon for GraphLexicon<'_> {
    fn senses(&self, term: &str) -> Vec<String> {
        // Only concepts that may be tags: "Objects" must not link to WordNet's "object", the
        // abstract top above every animal and artifact.
        let graph = &self.tagger.graph;
        graph
            .lookup(term)
            .into_iter()
            .map(|idx| graph.concept(idx))
            .filter(|c| c.taggable)
            .map(|c| c.wnid.clone())
            .collect()
    }

    fn meanings(&self, term: &str) -> Vec<Meaning> {
        let graph = &self.tagger.graph;
        graph
            .meanings(term)
            .into_iter()
            .map(|m| match m {
                TermMeaning::Unknown => Meaning::Unknown,
                TermMeaning::OutOfReach => Meaning::OutOfReach,
                TermMeaning::Within(concepts) => {
                    Meaning::Within(concepts.into_iter().map(|idx| graph.concept(idx).wnid.clone()).collect())
                }
            })
            .collect()
    }

    fn is_within(&self, concept: &str, ancestor: &str) -> bool {
        self.tagger.is_within(concept, ancestor)
    }

    fn overlaps(&self, a: &str, b: &str) -> bool {
        let graph = &self.tagger.graph;
        let (Some(a), Some(b)) = (graph.find(a), graph.find(b)) else { return false };
        let (a, b) = (&graph.concept(a).classes, &graph.concept(b).classes);
        a.iter().any(|class| b.binary_search(class).is_ok())
    }

    fn domain(&self, concept: &str) -> Option<u8> {
        // The four basic-level tops (animal, person, plant, food) head their own domains.
        let top = |id: &str, lex_file: u8| (id == concept).then_some(lex_file);
        top(ANIMAL, LEX_NOUN_ANIMAL)
            .or_else(|| top(PERSON, LEX_NOUN_PERSON))
            .or_else(|| top(PLANT, LEX_NOUN_PLANT))
            .or_else(|| top(FOOD, LEX_NOUN_FOOD))
            .or_else(|| self.tagger.graph.find(concept).map(|idx| self.tagger.graph.concept(idx).lex_file))
    }

    fn term_domain(&self, term: &str) -> Option<u8> {
        self.tagger.graph.first_sense_lex_file(term)
    }

    fn readings(&self, term: &str) -> Vec<(String, String)> {
        self.tagger.graph.readings(term).into_iter().map(|(wnid, reading)| (wnid, reading.to_owned())).collect()
    }
}

fn read(path: &Path) -> Result<String, TaggerError> {
    std::fs::read_to_string(path)
        .map_err(|e| TaggerError::Read { path: path.to_owned(), message: format!("{e} (run scripts/setup.sh)") })
}

impl Tagger {
    /// Loads WordNet and the text model; `class_wnids[i]` is the WordNet id of class `i`.
    pub fn load(config: &TaggerConfig, class_wnids: &[String]) -> Result<Tagger, TaggerError> {
        let wordnet = WordNet::parse(&read(&config.wordnet_dir.join("data.noun"))?)
            .map_err(|e| TaggerError::WordNet(e.to_string()))?;
        let morphy = Morphy::parse_exceptions(&read(&config.wordnet_dir.join("noun.exc"))?)
            .map_err(|e| TaggerError::WordNet(e.to_string()))?;
        let senses = SenseIndex::parse(&read(&config.wordnet_dir.join("index.noun"))?)
            .map_err(|e| TaggerError::WordNet(e.to_string()))?;
        // The detector concepts (people, portrait, group, crowd, text) and the built-in scenes (sky,
        // sea, mountains…) are classes after the image model's, independent of them.
        let mut all_classes = class_wnids.to_vec();
        all_classes.extend(added_classes().map(|c| c.wnid.to_owned()));
        let graph = ConceptGraph::build(&wordnet, &all_classes)
            .map_err(|e| TaggerError::WordNet(e.to_string()))?
            .with_independent_classes(class_wnids.len())
            .with_morphy(morphy)
            .with_senses(&wordnet, senses);
        let titles: Vec<(&str, &str)> = added_classes().map(|c| (c.wnid, c.title)).collect();
        let (graph, unknown) = graph.with_titles(&titles);
        if !unknown.is_empty() {
            return Err(TaggerError::UnknownConcepts(unknown.join(", ")));
        }
        let (graph, unknown) = graph.with_generic_vocabulary(&config.generic_allow, &config.generic_deny);
        if !unknown.is_empty() {
            return Err(TaggerError::UnknownConcepts(unknown.join(", ")));
        }
        let text = TextEngine::load(&config.text)?;
        Ok(Tagger {
            graph,
            text,
            concept_vectors: OnceLock::new(),
            text_vectors: std::sync::Mutex::new(std::collections::HashMap::new()),
            link_memo: std::sync::Mutex::new(mapping::LinkMemo::default()),
            similarity: SimilarityOptions::default(),
            calibration: taxonomy_calibration(),
            image_classes: class_wnids.len(),
        })
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

    /// The calibration applied to taxonomy-tag confidences.
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
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
            let is_class = concept.classes.len() == 1
                && self
                    .graph
                    .class_concept(usize::from(concept.classes[0]))
                    .is_some_and(|c| self.graph.concept(c).wnid == concept.wnid);
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

    /// Automatic links of every linkable tag (see `smart_tags_core::mapping::link_taxonomy`).
    /// `fixed` are the links a person confirmed, added or rejected. Text embeddings are computed
    /// only for the tags that need similarity links, and kept for the next relinking; each tag is
    /// linked anew only when its inputs changed since the last call (`link_taxonomy_again`);
    /// answers how many were.
    pub fn find_links(&self, taxonomy: &Taxonomy, fixed: &[ConceptLink]) -> Result<(TagLinks, usize), TaggerError> {
        let concepts = self.concept_vectors()?;
        let lexicon = GraphLexicon { tagger: self };
        // One linking at a time uses and renews the memo (the relinker runs one at a time anyway).
        // A run that panicked left the memo half-made: start afresh rather than fail every run.
        let mut memo = self.link_memo.lock().unwrap_or_else(|poisoned| {
            let mut memo = poisoned.into_inner();
            *memo = mapping::LinkMemo::default();
            memo
        });
        // A tag needs embeddings only when it gets no lemma link, which depends on its
        // ancestors' links: link, embed what was asked for and missing, link again (at most a
        // few rounds, as each round can only add context one level deeper).
        for _ in 0..8 {
            let missing: std::cell::RefCell<Vec<String>> = std::cell::RefCell::new(Vec::new());
            let cache = self
                .text_vectors
                .lock()
                .map_err(|_| TaggerError::WordNet("the text vector cache is poisoned".into()))?;
            let text = |t: &str| -> Option<&[f32]> {
                let found = cache.get(t).map(Vec::as_slice);
                if found.is_none() {
                    missing.borrow_mut().push(t.to_owned());
                }
                // The cache outlives this closure's use (held by the guard until the round ends).
                found
            };
            let embeddings = mapping::Embeddings { text, concepts };
            let (links, next, linked) =
                mapping::link_taxonomy_again(taxonomy, &lexicon, Some(&embeddings), fixed, &self.similarity, &memo);
            let mut missing = missing.into_inner();
            drop(cache);
            if missing.is_empty() {
                // Only a round with every text at hand is remembered.
                tracing::debug!(tags = links.len(), linked, "linked the taxonomy");
                memo.absorb(next, MAX_CACHED_TEXTS);
                return Ok((links, linked));
            }
            missing.sort();
            missing.dedup();
            let refs: Vec<&str> = missing.iter().map(String::as_str).collect();
            let vectors = self.text.embed(&refs)?;
            let mut cache = self
                .text_vectors
                .lock()
                .map_err(|_| TaggerError::WordNet("the text vector cache is poisoned".into()))?;
            if cache.len() + missing.len() > MAX_CACHED_TEXTS {
                cache.clear();
            }
            cache.extend(missing.into_iter().zip(vectors));
        }
        Err(TaggerError::WordNet("linking did not settle after 8 rounds of text embeddings".into()))
    }

    /// The scoring plan of a taxonomy and its active links (see `smart_tags_core::mapping::ScoringPlan`).
    pub fn plan(&self, taxonomy: &Taxonomy, links: &[ConceptLink]) -> ScoringPlan {
        let classes_of = |wnid: &str| self.graph.find(wnid).map(|idx| self.graph.concept(idx).classes.as_slice());
        ScoringPlan::new(taxonomy, links, &self.similarity, classes_of).with_independent_classes(self.image_classes)
    }

    /// The probabilities of every class of the graph: the image model's `probs`, then the
    /// detector concepts' and the scenes' (zero for what did not run).
    pub fn class_probabilities(&self, probs: &[f32], detected: Detected<'_>) -> Vec<f32> {
        let mut all = Vec::with_capacity(self.image_classes + ADDED_CLASSES);
        all.extend(probs.iter().copied().take(self.image_classes));
        all.resize(self.image_classes, 0.0);
        all.extend(probabilities(detected));
        all
    }

    /// Whether concept `wnid` is `ancestor` or lies beneath it.
    pub fn is_within(&self, wnid: &str, ancestor: &str) -> bool {
        let (Some(c), Some(a)) = (self.graph.find(wnid), self.graph.find(ancestor)) else { return false };
        let (concept, ancestor) = (self.graph.concept(c), self.graph.concept(a));
        // A concept lies beneath another exactly when its classes are a subset of the other's.
        !concept.classes.is_empty() && concept.classes.iter().all(|class| ancestor.classes.binary_search(class).is_ok())
    }

    /// The generic tags (`wordnet:<id>`) a folded word names: the concepts shown as generic tags
    /// with a lemma that is the word ("cat"), and those with a lemma it heads
    /// ([`smart_tags_core::search::head_matches`]: "house cat") that lie beneath one of those — so
    /// "dog" finds the dog breeds but not the hot dog. A word no lemma is (a head only) takes every
    /// concept it heads.
    pub fn generic_ids_named(&self, word: &str) -> Vec<String> {
        use smart_tags_core::search::{head_matches, query_words, title_matches};
        let is_word = |lemma: &str| query_words(lemma).len() == 1 && title_matches(word, lemma);
        let concepts = self.graph.concepts();
        let named: Vec<&Concept> = concepts.iter().filter(|c| c.lemmas.iter().any(|l| is_word(l))).collect();
        let beneath = |c: &Concept| {
            named.is_empty()
                || named.iter().any(|a| {
                    !c.classes.is_empty() && c.classes.iter().all(|class| a.classes.binary_search(class).is_ok())
                })
        };
        concepts
            .iter()
            .filter(|c| c.generic)
            .filter(|c| {
                c.lemmas.iter().any(|l| is_word(l)) || (c.lemmas.iter().any(|l| head_matches(word, l)) && beneath(c))
            })
            .map(|c| format!("{GENERIC_NAMESPACE}:{}", c.wnid))
            .collect()
    }

    /// The title of a generic tag id (`wordnet:<id>`): its concept's first lemma.
    pub fn generic_title(&self, id: &str) -> Option<String> {
        let wnid = id.strip_prefix(GENERIC_NAMESPACE)?.strip_prefix(':')?;
        self.graph.find(wnid).map(|idx| self.graph.title(idx).to_owned())
    }

    /// Every candidate tag of one image: generic, taxonomy and colour tags above
    /// [`CANDIDATE_FLOOR`], with English titles (see [`localize`] for other locales).
    /// `probs` are the image model's, `detected` what the detectors found (when they ran).
    pub fn candidates(
        &self,
        probs: &[f32],
        detected: Detected<'_>,
        model_version: &str,
        taxonomy: &Taxonomy,
        plan: &ScoringPlan,
        colors: &[ColorTag],
    ) -> Vec<SmartTag> {
        let probs = &self.class_probabilities(probs, detected);
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
        // The calibration maps each tag's whole score — the image model's and the detectors' and
        // scenes' evidence together — as it was fitted (on the scores `ScoringPlan::score` gives).
        let mut scores: BTreeMap<TagId, f32> =
            plan.score(probs).into_iter().map(|s| (s.tag, self.calibration.apply(s.confidence))).collect();
        // Words read in the picture support the tags they name, as independent evidence, rolled up
        // to the tags above them.
        for (tag, support) in self.word_support(detected.words, taxonomy) {
            for id in tag.ancestors_and_self().into_iter().filter(|id| !id.is_namespace() && taxonomy.get(id).is_some())
            {
                let own = scores.entry(id).or_insert(0.0);
                *own = 1.0 - (1.0 - *own) * (1.0 - support);
            }
        }
        for (id, confidence) in scores {
            if confidence.is_nan() || confidence < CANDIDATE_FLOOR {
                continue;
            }
            let Some(tag) = taxonomy.get(&id) else { continue };
            tags.push(SmartTag {
                id: id.to_string(),
                title: tag.title("en").to_owned(),
                path: taxonomy_path(taxonomy, &id, "en"),
                confidence,
                source: TagSource::Taxonomy,
                model_version: model_version.to_owned(),
                hex: None,
                threshold: Some(TAXONOMY_THRESHOLD),
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

    /// The taxonomy tags the read words name (see `smart_tags_core::detect::text::word_support`):
    /// the words' and the tags' English titles and synonyms embedded by the text model (tag texts
    /// cached between pictures). Nothing when the text model fails (logged).
    fn word_support(&self, words: &[Word], taxonomy: &Taxonomy) -> Vec<(TagId, f32)> {
        let words: Vec<(f32, String)> =
            words.iter().filter(|w| matchable(&w.text)).map(|w| (w.score, w.text.to_lowercase())).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let tags: Vec<&smart_tags_core::taxonomy::Tag> = taxonomy.tags().filter(|t| !t.id.is_namespace()).collect();
        let mut terms: Vec<(usize, String)> = Vec::new();
        for (i, tag) in tags.iter().enumerate() {
            terms.push((i, tag.title("en").to_lowercase()));
            for synonym in tag.synonyms.get("en").into_iter().flatten() {
                terms.push((i, synonym.to_lowercase()));
            }
        }
        let result = (|| -> Result<Vec<(TagId, f32)>, TaggerError> {
            let word_texts: Vec<&str> = words.iter().map(|(_, w)| w.as_str()).collect();
            let word_vectors = self.text.embed(&word_texts)?;
            let mut cache = self
                .text_vectors
                .lock()
                .map_err(|_| TaggerError::WordNet("the text vector cache is poisoned".into()))?;
            let mut missing: Vec<&str> =
                terms.iter().map(|(_, t)| t.as_str()).filter(|t| !cache.contains_key(*t)).collect();
            missing.sort_unstable();
            missing.dedup();
            if !missing.is_empty() {
                let vectors = self.text.embed(&missing)?;
                if cache.len() + missing.len() > MAX_CACHED_TEXTS {
                    cache.clear();
                }
                cache.extend(missing.into_iter().map(str::to_owned).zip(vectors));
            }
            let word_refs: Vec<(f32, &[f32])> =
                words.iter().zip(&word_vectors).map(|((score, _), v)| (*score, v.as_slice())).collect();
            let term_refs: Vec<(usize, &[f32])> =
                terms.iter().filter_map(|(i, t)| cache.get(t).map(|v| (*i, v.as_slice()))).collect();
            Ok(word_support(&word_refs, &term_refs).into_iter().map(|(i, s)| (tags[i].id.clone(), s)).collect())
        })();
        result.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot match the words read to taxonomy tags");
            Vec::new()
        })
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
