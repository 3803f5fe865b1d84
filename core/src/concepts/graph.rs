//! The concept graph: the image model's classes and every WordNet synset above them, with the
//! roll-up of class probabilities to those concepts.
//!
//! A concept's score is the summed probability of the *distinct* classes beneath it (a class that
//! reaches "animal" along two hypernym paths, like "tabby" through "cat" and through "domestic
//! animal", counts once), so scores are probabilities too: for a cat photo "domestic cat" ≈ 0.9,
//! "animal" ≈ 0.99. The sets of classes are computed once at build time and stored flat, so
//! [`ConceptGraph::roll_up`] is one pass of additions.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use thiserror::Error;

use super::abstract_rule::{is_generic_by_default, is_taggable};
use super::morphy::{normalize, Morphy};
use super::senses::{genus_of, Genus, SenseIndex};
use super::wordnet::{parse_wnid, wnid, WordNet};

/// Why a concept graph could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConceptError {
    #[error("there are no classes")]
    NoClasses,
    #[error("there are {count} classes; at most 65536 are supported")]
    TooManyClasses { count: usize },
    #[error("class {index} has an invalid wordnet id {wnid:?} (expected n and 8 digits)")]
    BadClassWnid { index: usize, wnid: String },
    #[error("class {index} ({wnid}) is not a noun synset of this wordnet")]
    UnknownClass { index: usize, wnid: String },
    #[error("synset {from} has a hypernym {to} that is not in this wordnet")]
    MissingHypernym { from: String, to: String },
    #[error("the hypernyms above {wnid} form a cycle")]
    Cycle { wnid: String },
}

/// Where a word's most frequent WordNet sense lies relative to the graph (see [`super::senses`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermMeaning {
    /// WordNet does not know the word.
    Unknown,
    /// Beneath these concepts (the concept itself when the sense is in the graph).
    Within(Vec<ConceptIdx>),
    /// Outside everything the model's classes can show.
    OutOfReach,
}

/// Index of a concept in its [`ConceptGraph`]. Only meaningful for the graph that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConceptIdx(u32);

impl ConceptIdx {
    /// The position in [`ConceptGraph::concepts`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One WordNet synset of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// WordNet id, e.g. `n02121808`.
    pub wnid: String,
    /// Synonyms in WordNet's order, original case, spaces for underscores; the first is the title.
    pub lemmas: Vec<String>,
    /// WordNet's definition.
    pub gloss: String,
    /// Hypernyms and instance hypernyms, in WordNet's order (the first is the primary parent).
    pub parents: Vec<ConceptIdx>,
    /// Distinct class indices beneath, sorted, including the concept's own class if it is one.
    pub classes: Vec<u16>,
    /// Longest number of hypernym steps from a root ("entity" is 0). Every parent has a smaller
    /// depth than its child, so the graph's order (by depth) lists parents first.
    pub depth: u16,
    /// Whether the concept may be shown as a generic tag (see [`super::abstract_rule`]).
    pub taggable: bool,
    /// Whether a taggable concept is shown as a generic tag (not a sensitive concept, unless an
    /// administrator allowed it; see [`ConceptGraph::with_generic_vocabulary`]).
    pub generic: bool,
    /// WordNet lexicographer file (3 = `noun.Tops`, 5 = `noun.animal`, 6 = `noun.artifact`, ...).
    pub lex_file: u8,
}

/// The classes of an image model and the WordNet hierarchy above them.
#[derive(Debug, Clone)]
pub struct ConceptGraph {
    /// Sorted by (depth, offset): parents before children.
    concepts: Vec<Concept>,
    by_offset: HashMap<u32, ConceptIdx>,
    /// Class index → its concept.
    class_concepts: Vec<ConceptIdx>,
    /// Normalized lemma → concepts having it, in lookup order.
    lemma_index: HashMap<String, Vec<ConceptIdx>>,
    morphy: Morphy,
    /// Every noun lemma's senses, most frequent first (WordNet's `index.noun`), when given.
    senses: SenseIndex,
    /// The genus of each sense of each lemma, most frequent first (see [`super::senses`]), by
    /// normalized lemma.
    sense_genus: HashMap<String, Vec<TermMeaning>>,
    /// The lexicographer file of each lemma's most frequent sense (`noun.plant`, `noun.artifact`…).
    first_sense_lex_file: HashMap<String, u8>,
    /// What each sense of a lemma with several senses says, by synset offset (see
    /// [`ConceptGraph::readings`]).
    sense_readings: HashMap<u32, String>,
    /// Per concept, a number shared by the concepts whose titles are equal once normalized.
    title_ids: Vec<u32>,
    /// Flattened `classes` of every concept: concept `i` owns `flat_classes[flat_start[i]..flat_start[i + 1]]`.
    flat_start: Vec<u32>,
    flat_classes: Vec<u16>,
    /// Classes from this index on are independent of the others and of each other (detector
    /// concepts); the ones before are the image model's mutually exclusive classes.
    independent_from: usize,
}

impl ConceptGraph {
    /// Builds the graph of the classes (`class_wnids[i]` is the WordNet id of class `i`) and all
    /// their ancestors through hypernyms and instance hypernyms. Lookups use only the regular
    /// plural rules until [`ConceptGraph::with_morphy`] gives the `noun.exc` exceptions.
    pub fn build(wordnet: &WordNet, class_wnids: &[String]) -> Result<ConceptGraph, ConceptError> {
        if class_wnids.is_empty() {
            return Err(ConceptError::NoClasses);
        }
        if class_wnids.len() > usize::from(u16::MAX) + 1 {
            return Err(ConceptError::TooManyClasses { count: class_wnids.len() });
        }
        let mut class_offsets = Vec::with_capacity(class_wnids.len());
        for (index, id) in class_wnids.iter().enumerate() {
            let offset = parse_wnid(id).ok_or_else(|| ConceptError::BadClassWnid { index, wnid: id.clone() })?;
            if wordnet.get(offset).is_none() {
                return Err(ConceptError::UnknownClass { index, wnid: id.clone() });
            }
            class_offsets.push(offset);
        }

        // 1. The classes and every ancestor, with their parents (deduplicated, file order).
        let mut parents_of: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut stack: Vec<u32> = class_offsets.clone();
        while let Some(offset) = stack.pop() {
            if parents_of.contains_key(&offset) {
                continue;
            }
            let synset = wordnet.get(offset).ok_or_else(|| ConceptError::UnknownClass {
                index: class_offsets.iter().position(|&o| o == offset).unwrap_or(0),
                wnid: wnid(offset),
            })?;
            let mut parents: Vec<u32> = Vec::new();
            for parent in synset.parents() {
                if wordnet.get(parent).is_none() {
                    return Err(ConceptError::MissingHypernym { from: wnid(offset), to: wnid(parent) });
                }
                if !parents.contains(&parent) {
                    parents.push(parent);
                    stack.push(parent);
                }
            }
            parents_of.insert(offset, parents);
        }

        // 2. Longest depth by a topological pass from the roots (Kahn); leftovers mean a cycle.
        let depths = longest_depths(&parents_of)?;
        let mut order: Vec<u32> = parents_of.keys().copied().collect();
        order.sort_by_key(|o| (depths.get(o).copied().unwrap_or(0), *o));
        let by_offset: HashMap<u32, ConceptIdx> =
            order.iter().enumerate().map(|(i, &o)| (o, ConceptIdx(i as u32))).collect();
        let idx_of = |offset: &u32| by_offset.get(offset).copied().unwrap_or(ConceptIdx(0));

        let mut concepts: Vec<Concept> = Vec::with_capacity(order.len());
        for offset in &order {
            let Some(synset) = wordnet.get(*offset) else { continue };
            let parents = parents_of.get(offset).map(|ps| ps.iter().map(idx_of).collect()).unwrap_or_default();
            concepts.push(Concept {
                wnid: wnid(*offset),
                lemmas: synset.words.clone(),
                gloss: synset.gloss.clone(),
                parents,
                classes: Vec::new(),
                depth: depths.get(offset).copied().unwrap_or(0),
                taggable: is_taggable(&wnid(*offset), synset.lex_file),
                generic: is_taggable(&wnid(*offset), synset.lex_file) && is_generic_by_default(&wnid(*offset)),
                lex_file: synset.lex_file,
            });
        }

        // 3. Distinct classes beneath each concept: walk up from each class once, marking visits
        //    with the class number, so a concept reached twice gets the class once; classes are
        //    visited in increasing order, so every list comes out sorted.
        let class_concepts: Vec<ConceptIdx> = class_offsets.iter().map(idx_of).collect();
        let mut visited_by: Vec<usize> = vec![usize::MAX; concepts.len()];
        let mut walk: Vec<ConceptIdx> = Vec::new();
        for (class, start) in class_concepts.iter().enumerate() {
            walk.push(*start);
            while let Some(idx) = walk.pop() {
                let i = idx.index();
                if visited_by[i] == class {
                    continue;
                }
                visited_by[i] = class;
                // `class` < 65536, checked at the top.
                concepts[i].classes.push(class as u16);
                walk.extend(concepts[i].parents.iter().copied());
            }
        }

        let mut flat_start = Vec::with_capacity(concepts.len() + 1);
        let mut flat_classes = Vec::new();
        flat_start.push(0);
        for concept in &concepts {
            flat_classes.extend_from_slice(&concept.classes);
            flat_start.push(flat_classes.len() as u32);
        }

        // 4. Lemma index, each list in lookup order.
        let mut lemma_index: HashMap<String, Vec<ConceptIdx>> = HashMap::new();
        for (i, concept) in concepts.iter().enumerate() {
            for lemma in &concept.lemmas {
                let list = lemma_index.entry(normalize(lemma)).or_default();
                if !list.contains(&ConceptIdx(i as u32)) {
                    list.push(ConceptIdx(i as u32));
                }
            }
        }
        for list in lemma_index.values_mut() {
            sort_for_lookup(list, &concepts);
        }
        let mut title_numbers: HashMap<String, u32> = HashMap::new();
        let title_ids = concepts
            .iter()
            .map(|c| {
                let key = normalize(c.lemmas.first().map_or("", String::as_str));
                let next = title_numbers.len() as u32;
                *title_numbers.entry(key).or_insert(next)
            })
            .collect();

        Ok(ConceptGraph {
            concepts,
            by_offset,
            class_concepts,
            lemma_index,
            morphy: Morphy::default(),
            senses: SenseIndex::default(),
            sense_genus: HashMap::new(),
            first_sense_lex_file: HashMap::new(),
            sense_readings: HashMap::new(),
            title_ids,
            flat_start,
            flat_classes,
            independent_from: usize::MAX,
        })
    }

    /// Declares the classes from `first` on independent: their probabilities are not a share of
    /// one distribution but separate chances (a detector's "people" beside the image model's
    /// "dog"). A concept's score then combines the summed exclusive classes and each independent
    /// one as independent events: `1 − (1 − Σ exclusive) × Π (1 − independent)`.
    pub fn with_independent_classes(mut self, first: usize) -> ConceptGraph {
        self.independent_from = first;
        self
    }

    /// Index of the first independent class (see [`ConceptGraph::with_independent_classes`]).
    pub fn independent_from(&self) -> usize {
        self.independent_from
    }

    /// Shows concepts under other titles (the detectors' "gathering" as "group"): the title
    /// becomes the first lemma, and a lookup of it finds the concept. Unknown ids are answered.
    pub fn with_titles(mut self, titles: &[(&str, &str)]) -> (ConceptGraph, Vec<String>) {
        let mut unknown = Vec::new();
        for &(wnid, title) in titles {
            let Some(idx) = self.find(wnid) else {
                unknown.push(wnid.to_owned());
                continue;
            };
            let concept = &mut self.concepts[idx.index()];
            concept.lemmas.retain(|l| normalize(l) != normalize(title));
            concept.lemmas.insert(0, title.to_owned());
            let list = self.lemma_index.entry(normalize(title)).or_default();
            if !list.contains(&idx) {
                list.push(idx);
                sort_for_lookup(list, &self.concepts);
            }
        }
        let mut numbers: HashMap<String, u32> = HashMap::new();
        self.title_ids = self
            .concepts
            .iter()
            .map(|c| {
                let next = numbers.len() as u32;
                *numbers.entry(normalize(c.lemmas.first().map_or("", String::as_str))).or_insert(next)
            })
            .collect();
        (self, unknown)
    }

    /// Uses these irregular plurals (from `noun.exc`) in [`ConceptGraph::lookup`].
    pub fn with_morphy(mut self, morphy: Morphy) -> ConceptGraph {
        self.morphy = morphy;
        self
    }

    /// Changes which concepts are shown as generic tags: `allow` shows sensitive concepts again
    /// (only taggable ones: abstract tops stay out), `deny` hides more. Linking is unaffected.
    /// Answers the WordNet ids that are not concepts of the graph, for the caller to report.
    pub fn with_generic_vocabulary(mut self, allow: &[String], deny: &[String]) -> (ConceptGraph, Vec<String>) {
        let mut unknown = Vec::new();
        for (ids, shown) in [(allow, true), (deny, false)] {
            for id in ids {
                match self.find(id) {
                    Some(idx) => {
                        let concept = &mut self.concepts[idx.index()];
                        concept.generic = shown && concept.taggable;
                    }
                    None => unknown.push(id.clone()),
                }
            }
        }
        (self, unknown)
    }

    /// Uses WordNet's sense order (`index.noun`): lookups list the most frequent sense first, and
    /// [`ConceptGraph::meanings`] knows where each sense of each word lies.
    pub fn with_senses(mut self, wordnet: &WordNet, senses: SenseIndex) -> ConceptGraph {
        let mut by_offset: HashMap<u32, TermMeaning> = HashMap::new();
        let mut sense_genus = HashMap::with_capacity(senses.len());
        let mut first_sense_lex_file = HashMap::with_capacity(senses.len());
        let mut sense_readings: HashMap<u32, String> = HashMap::new();
        for (lemma, offsets) in senses.iter() {
            if let Some(synset) = offsets.first().and_then(|&first| wordnet.get(first)) {
                first_sense_lex_file.insert(lemma.to_owned(), synset.lex_file);
            }
            let meanings: Vec<TermMeaning> = offsets
                .iter()
                .map(|&offset| {
                    by_offset
                        .entry(offset)
                        .or_insert_with(|| match genus_of(wordnet, offset, |o| self.by_offset.contains_key(&o)) {
                            Genus::Within(offsets) => TermMeaning::Within(
                                offsets.iter().filter_map(|o| self.by_offset.get(o).copied()).collect(),
                            ),
                            Genus::OutOfReach | Genus::Unknown => TermMeaning::OutOfReach,
                        })
                        .clone()
                })
                .collect();
            sense_genus.insert(lemma.to_owned(), meanings);
            if offsets.len() > 1 {
                for &offset in offsets {
                    if let (Entry::Vacant(slot), Some(synset)) = (sense_readings.entry(offset), wordnet.get(offset)) {
                        slot.insert(reading(wordnet, synset));
                    }
                }
            }
        }
        self.sense_genus = sense_genus;
        self.sense_readings = sense_readings;
        self.first_sense_lex_file = first_sense_lex_file;
        self.senses = senses;
        self
    }

    /// Where each sense of `term` (or of its base form) lies, most frequent first: beneath some
    /// concepts of the graph (the concept itself when the sense is one), or out of the model's
    /// reach. Empty when WordNet does not know the word (or without [`ConceptGraph::with_senses`]).
    pub fn meanings(&self, term: &str) -> Vec<TermMeaning> {
        let term = normalize(term);
        std::iter::once(term.clone())
            .chain(self.morphy.base_forms(&term))
            .find_map(|form| self.sense_genus.get(&form).cloned())
            .unwrap_or_default()
    }

    /// What each sense of `term` (or of its base form) says, most frequent first and aligned with
    /// [`ConceptGraph::meanings`]: its WordNet id and its *reading*, the synset's words and its
    /// definition ("crane: lifts and moves heavy objects…", "crane: large long-necked wading
    /// bird…"), for choosing a sense by what a tag's description says. Empty for a word with one
    /// sense (nothing to choose) or one WordNet does not know.
    pub fn readings(&self, term: &str) -> Vec<(String, &str)> {
        let term = normalize(term);
        let Some(offsets) = std::iter::once(term.clone())
            .chain(self.morphy.base_forms(&term))
            .find_map(|form| self.senses.senses(&form))
        else {
            return Vec::new();
        };
        offsets.iter().map_while(|&o| self.sense_readings.get(&o).map(|r| (wnid(o), r.as_str()))).collect()
    }

    /// Where the most frequent sense of `term` lies ([`TermMeaning::Unknown`] when WordNet does
    /// not know the word).
    pub fn meaning(&self, term: &str) -> TermMeaning {
        self.meanings(term).into_iter().next().unwrap_or(TermMeaning::Unknown)
    }

    /// The lexicographer file of the most frequent sense of `term` (or of its base form): its
    /// broad domain (`noun.plant` 20, `noun.artifact` 6, `noun.food` 13…); `None` when unknown.
    pub fn first_sense_lex_file(&self, term: &str) -> Option<u8> {
        let term = normalize(term);
        std::iter::once(term.clone())
            .chain(self.morphy.base_forms(&term))
            .find_map(|form| self.first_sense_lex_file.get(&form).copied())
    }

    /// All concepts, parents before children (sorted by depth, then WordNet id).
    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }

    /// The concept at `idx`.
    ///
    /// # Panics
    /// If `idx` was made by another graph with more concepts.
    pub fn concept(&self, idx: ConceptIdx) -> &Concept {
        &self.concepts[idx.index()]
    }

    /// The concept at `idx`, or `None` when it is not an index of this graph.
    pub fn get(&self, idx: ConceptIdx) -> Option<&Concept> {
        self.concepts.get(idx.index())
    }

    /// Number of classes the graph was built for.
    pub fn class_count(&self) -> usize {
        self.class_concepts.len()
    }

    /// The concept with this WordNet id (`n02121808`).
    pub fn find(&self, wnid: &str) -> Option<ConceptIdx> {
        self.by_offset.get(&parse_wnid(wnid)?).copied()
    }

    /// The concept of class `class_index`, or `None` past the last class.
    pub fn class_concept(&self, class_index: usize) -> Option<ConceptIdx> {
        self.class_concepts.get(class_index).copied()
    }

    /// The display title: the first lemma ("domestic cat").
    pub fn title(&self, idx: ConceptIdx) -> &str {
        self.get(idx).and_then(|c| c.lemmas.first()).map_or("", String::as_str)
    }

    /// The concepts named `term`: the term is normalized (lowercase, `_` and `-` as spaces, spaces
    /// collapsed) and compared with every lemma, then — unless WordNet knows the term as it is
    /// ("woods") — its base forms from [`Morphy`] are tried ("Cats" → "cat"). Matches follow
    /// WordNet's sense order (`index.noun`, given by [`ConceptGraph::with_senses`]); without it,
    /// or for senses it does not list, by how many classes lie beneath (broader first), then by
    /// WordNet id; matches of the term itself come before matches of its base forms.
    pub fn lookup(&self, term: &str) -> Vec<ConceptIdx> {
        let term = normalize(term);
        if term.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<ConceptIdx> = Vec::new();
        // A word WordNet knows as it is is not read as a plural: "woods" is a forest, not the
        // woodwinds ("wood" is one of their lemmas).
        let base_forms = if self.senses.senses(&term).is_some() { Vec::new() } else { self.morphy.base_forms(&term) };
        for form in std::iter::once(term.clone()).chain(base_forms) {
            let mut matches: Vec<ConceptIdx> =
                self.lemma_index.get(&form).into_iter().flatten().copied().filter(|idx| !found.contains(idx)).collect();
            sort_for_lookup(&mut matches, &self.concepts);
            if let Some(order) = self.senses.senses(&form) {
                // Stable: senses WordNet lists come first in its order, the rest keep theirs.
                let rank = |idx: &ConceptIdx| {
                    parse_wnid(&self.concepts[idx.index()].wnid)
                        .and_then(|o| order.iter().position(|&s| s == o))
                        .unwrap_or(usize::MAX)
                };
                matches.sort_by_key(rank);
            }
            found.extend(matches);
        }
        found
    }

    /// The score of every concept (indexed like [`ConceptGraph::concepts`]): the sum of `probs`
    /// over the distinct classes beneath it, combined with any independent class beneath it (see
    /// [`ConceptGraph::with_independent_classes`]). `probs[i]` is the probability of class `i`;
    /// classes past the end of `probs` count as 0, extra values are ignored.
    pub fn roll_up(&self, probs: &[f32]) -> Vec<f32> {
        self.flat_start
            .windows(2)
            .map(|w| {
                let classes = &self.flat_classes[w[0] as usize..w[1] as usize];
                combine(
                    classes.iter().map(|&c| (usize::from(c), probs.get(usize::from(c)).copied().unwrap_or(0.0))),
                    self.independent_from,
                )
            })
            .collect()
    }

    /// The taggable concepts from the root down to `idx` (included when taggable), following the
    /// first hypernym at each step: for "tiger cat" e.g. animal → mammal → … → cat → domestic cat
    /// → tiger cat.
    pub fn primary_path(&self, idx: ConceptIdx) -> Vec<ConceptIdx> {
        let mut path = Vec::new();
        let mut current = self.get(idx).map(|_| idx);
        // Depth strictly decreases along parents, so this ends; the bound is a second guard.
        let mut steps = 0;
        while let Some(at) = current {
            if steps > self.concepts.len() {
                break;
            }
            steps += 1;
            let concept = self.concept(at);
            if concept.taggable {
                path.push(at);
            }
            current = concept.parents.first().copied();
        }
        path.reverse();
        path
    }

    /// The generic tags of one image: concepts shown as generic tags whose score (from
    /// [`ConceptGraph::roll_up`]) is at least `min_confidence`, best first (ties: lower index,
    /// i.e. the more general concept, first), at most `max`. Tags are shown by title, so of
    /// several concepts with the same title (the two senses of "food") only the best is kept.
    pub fn generic_tags(&self, scores: &[f32], min_confidence: f32, max: usize) -> Vec<(ConceptIdx, f32)> {
        let mut candidates: Vec<(ConceptIdx, f32)> = scores
            .iter()
            .zip(&self.concepts)
            .enumerate()
            .filter(|(_, (&score, concept))| concept.generic && score >= min_confidence)
            .map(|(i, (&score, _))| (ConceptIdx(i as u32), score))
            .collect();
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut tags: Vec<(ConceptIdx, f32)> = Vec::with_capacity(max.min(candidates.len()));
        for (idx, score) in candidates {
            if tags.len() >= max {
                break;
            }
            let title = self.title_ids.get(idx.index());
            if !tags.iter().any(|(kept, _)| self.title_ids.get(kept.index()) == title) {
                tags.push((idx, score));
            }
        }
        tags
    }
}

/// The probability of a union of classes given as `(class, probability)`: exclusive classes
/// (below `independent_from`) add up; each independent one joins as an independent event.
pub fn combine(classes: impl IntoIterator<Item = (usize, f32)>, independent_from: usize) -> f32 {
    let mut exclusive = 0.0f32;
    let mut none_independent = 1.0f32;
    let mut any_independent = false;
    for (class, p) in classes {
        if class < independent_from {
            exclusive += p;
        } else {
            any_independent = true;
            none_independent *= 1.0 - p.clamp(0.0, 1.0);
        }
    }
    if any_independent {
        1.0 - (1.0 - exclusive.clamp(0.0, 1.0)) * none_independent
    } else {
        exclusive
    }
}

/// Lookup order: more classes beneath first, then WordNet id.
fn sort_for_lookup(list: &mut [ConceptIdx], concepts: &[Concept]) {
    list.sort_by(|a, b| {
        let (ca, cb) = (&concepts[a.index()], &concepts[b.index()]);
        cb.classes.len().cmp(&ca.classes.len()).then_with(|| ca.wnid.cmp(&cb.wnid))
    });
}

/// Longest distance from a root for every synset of `parents_of` (whose parents are all keys).
fn longest_depths(parents_of: &HashMap<u32, Vec<u32>>) -> Result<HashMap<u32, u16>, ConceptError> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut pending: HashMap<u32, usize> = HashMap::new();
    for (&child, parents) in parents_of {
        pending.insert(child, parents.len());
        for &parent in parents {
            children.entry(parent).or_default().push(child);
        }
    }
    let mut depths: HashMap<u32, u16> = HashMap::new();
    let mut ready: Vec<u32> = pending.iter().filter(|(_, &n)| n == 0).map(|(&o, _)| o).collect();
    for &root in &ready {
        depths.insert(root, 0);
    }
    while let Some(offset) = ready.pop() {
        let depth = depths.get(&offset).copied().unwrap_or(0);
        for &child in children.get(&offset).into_iter().flatten() {
            let entry = depths.entry(child).or_insert(0);
            *entry = (*entry).max(depth.saturating_add(1));
            if let Some(n) = pending.get_mut(&child) {
                *n -= 1;
                if *n == 0 {
                    ready.push(child);
                }
            }
        }
    }
    match pending.iter().filter(|(_, &n)| n > 0).map(|(&o, _)| o).min() {
        Some(offset) => Err(ConceptError::Cycle { wnid: wnid(offset) }),
        None => Ok(depths),
    }
}

/// Most narrower synsets whose first word a sense's reading names.
const READING_KINDS: usize = 8;

/// A synset as the text model reads it: its words, its definition without the usage examples,
/// then the first words of its narrower synsets, which name its kinds in everyday words
/// (`nail: horny plate covering and protecting part of the dorsal surface of the digits;
/// fingernail, toenail`).
fn reading(wordnet: &WordNet, synset: &super::wordnet::Synset) -> String {
    let definition = synset.gloss.split("; \"").next().unwrap_or_default().trim();
    let mut words: Vec<&str> = Vec::new();
    for word in &synset.words {
        if !words.iter().any(|w| w.eq_ignore_ascii_case(word)) {
            words.push(word);
        }
    }
    let kinds: Vec<&str> = synset
        .pointers
        .iter()
        .filter(|p| p.relation == super::wordnet::Relation::Hyponym)
        .filter_map(|p| wordnet.get(p.target).and_then(|k| k.words.first()).map(String::as_str))
        .take(READING_KINDS)
        .collect();
    if kinds.is_empty() {
        format!("{}: {definition}", words.join(", "))
    } else {
        format!("{}: {definition}; {}", words.join(", "), kinds.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real WordNet 3.0 lines above tabby, tiger cat and Chihuahua, pointers cut to the
    /// hypernyms, plus an invented instance ("Tom") and an unrelated synset.
    const DATA: &str = "  1 This software and database is being provided to you, the LICENSEE, by
00001740 03 n 01 entity 0 000 | that which is perceived or known or inferred to have its own distinct existence
00001930 03 n 01 physical_entity 0 001 @ 00001740 n 0000 | an entity that has physical existence
00002137 03 n 02 abstraction 0 abstract_entity 0 001 @ 00001740 n 0000 | a general concept
00002684 03 n 02 object 0 physical_object 0 001 @ 00001930 n 0000 | a tangible and visible entity
00003553 03 n 02 whole 0 unit 0 001 @ 00002684 n 0000 | an assemblage of parts
00004258 03 n 02 living_thing 0 animate_thing 0 001 @ 00003553 n 0000 | a living (or once living) entity
00004475 03 n 02 organism 0 being 0 001 @ 00004258 n 0000 | a living thing
00015388 03 n 06 animal 0 animate_being 0 beast 0 brute 0 creature 0 fauna 0 001 @ 00004475 n 0000 | a living organism characterized by voluntary movement
01317541 05 n 02 domestic_animal 0 domesticated_animal 0 001 @ 00015388 n 0000 | any of various animals that have been tamed
01466257 05 n 01 chordate 0 001 @ 00015388 n 0000 | any animal of the phylum Chordata
01471682 05 n 02 vertebrate 0 craniate 0 001 @ 01466257 n 0000 | animals having a bony or cartilaginous skeleton
01861778 05 n 02 mammal 0 mammalian 0 001 @ 01471682 n 0000 | any warm-blooded vertebrate
01886756 05 n 04 placental 0 placental_mammal 0 eutherian 0 eutherian_mammal 0 001 @ 01861778 n 0000 | mammals having a placenta
02075296 05 n 01 carnivore 0 001 @ 01886756 n 0000 | a terrestrial or aquatic flesh-eating mammal
02083346 05 n 02 canine 0 canid 0 001 @ 02075296 n 0000 | any of various fissiped mammals
02084071 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 002 @ 02083346 n 0000 @ 01317541 n 0000 | a member of the genus Canis
02085374 05 n 02 toy_dog 0 toy 0 001 @ 02084071 n 0000 | any of several breeds of very small dogs
02085620 05 n 01 Chihuahua 0 001 @ 02085374 n 0000 | an old breed of tiny short-haired dog
02120997 05 n 02 feline 0 felid 0 001 @ 02075296 n 0000 | any of various lithe-bodied roundheaded fissiped mammals
02121620 05 n 02 cat 0 true_cat 0 001 @ 02120997 n 0000 | feline mammal usually having thick soft fur
02121808 05 n 04 domestic_cat 0 house_cat 0 Felis_domesticus 0 Felis_catus 0 003 @ 02121620 n 0000 @ 01317541 n 0000 ~ 02123045 n 0000 | any domesticated member of the genus Felis
02123045 05 n 02 tabby 0 tabby_cat 0 001 @ 02121808 n 0000 | a cat with a grey or tawny coat mottled with black
02123159 05 n 01 tiger_cat 2 001 @ 02121808 n 0000 | a cat having a striped coat
09999999 05 n 01 Tom 0 001 @i 02121808 n 0000 | a cartoon cat (invented for this test)
";

    const CLASSES: [&str; 4] = ["n02123045", "n02123159", "n02085620", "n09999999"];

    fn classes(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    fn graph() -> ConceptGraph {
        let wordnet = WordNet::parse(DATA).unwrap();
        ConceptGraph::build(&wordnet, &classes(&CLASSES)).unwrap()
    }

    fn idx(g: &ConceptGraph, wnid: &str) -> ConceptIdx {
        g.find(wnid).unwrap_or_else(|| panic!("{wnid} not in the graph"))
    }

    fn titles(g: &ConceptGraph, list: &[ConceptIdx]) -> Vec<String> {
        list.iter().map(|&i| g.title(i).to_owned()).collect()
    }

    #[test]
    fn keeps_the_classes_and_their_ancestors_only() {
        let g = graph();
        assert_eq!(g.concepts().len(), 24 - 1, "all but 'abstraction'");
        assert!(g.find("n00002137").is_none());
        assert_eq!(g.class_count(), 4);
        for (i, wnid) in CLASSES.iter().enumerate() {
            assert_eq!(g.concept(g.class_concept(i).unwrap()).wnid, *wnid);
        }
        assert_eq!(g.class_concept(4), None);
        let tom = g.concept(idx(&g, "n09999999"));
        assert_eq!(titles(&g, &tom.parents), ["domestic cat"], "instance hypernyms are followed");
    }

    #[test]
    fn readings_give_each_sense_its_words_definition_and_kinds_in_wordnet_order() {
        let wordnet = WordNet::parse(DATA).unwrap();
        let index = "cat n 2 1 @ 2 0 02121620 02121808  \ntabby n 1 1 @ 1 0 02123045  \n";
        let g = graph().with_senses(&wordnet, SenseIndex::parse(index).unwrap());
        assert_eq!(
            g.readings("Cats"),
            [
                ("n02121620".to_owned(), "cat, true cat: feline mammal usually having thick soft fur"),
                ("n02121808".to_owned(), "domestic cat, house cat, Felis domesticus, Felis catus: any domesticated member of the genus Felis; tabby"),
            ],
            "plural rules apply; the narrower synsets' first words close the reading"
        );
        assert!(g.readings("tabby").is_empty(), "one sense: nothing to choose");
        assert!(g.readings("unicorn").is_empty());
    }

    #[test]
    fn concepts_come_parents_first_with_longest_depth() {
        let g = graph();
        for (i, concept) in g.concepts().iter().enumerate() {
            for parent in &concept.parents {
                assert!(parent.index() < i, "{} before its parent", concept.wnid);
                assert!(g.concept(*parent).depth < concept.depth);
            }
        }
        assert_eq!(g.concept(idx(&g, "n00001740")).depth, 0);
        assert_eq!(g.concept(idx(&g, "n00015388")).depth, 6);
        // Longest path: through cat (13), not through domestic animal (7).
        assert_eq!(g.concept(idx(&g, "n02121808")).depth, 14);
        let cat = g.concept(idx(&g, "n02121808"));
        assert_eq!(cat.lemmas, ["domestic cat", "house cat", "Felis domesticus", "Felis catus"]);
        assert_eq!(cat.gloss, "any domesticated member of the genus Felis");
        assert_eq!(cat.lex_file, 5);
        assert_eq!(titles(&g, &cat.parents), ["cat", "domestic animal"]);
    }

    #[test]
    fn independent_classes_join_the_exclusive_ones_as_independent_events() {
        // Class 3 ("Tom") as a detector's independent class: domestic cat = tabby + tiger cat
        // (exclusive) combined with Tom.
        let g = graph().with_independent_classes(3);
        assert_eq!(g.independent_from(), 3);
        let scores = g.roll_up(&[0.2, 0.1, 0.3, 0.5]);
        let cat = scores[idx(&g, "n02121808").index()];
        assert!((cat - (1.0 - (1.0 - 0.3) * (1.0 - 0.5))).abs() < 1e-6, "{cat}");
        assert!(
            (scores[idx(&g, "n02085620").index()] - 0.3).abs() < 1e-6,
            "a concept without independent classes sums"
        );
        assert!((combine([(0, 0.7), (1, 0.6)], 5) - 1.3).abs() < 1e-6, "exclusive classes add up, as before");
        assert!((combine([(5, 0.5), (6, 0.5)], 5) - 0.75).abs() < 1e-6);
        assert_eq!(combine([(0, 0.0), (5, 0.0)], 5), 0.0);
    }

    #[test]
    fn titles_can_be_replaced_and_looked_up() {
        let (g, unknown) = graph().with_titles(&[("n01317541", "pet"), ("n08888888", "nothing")]);
        assert_eq!(unknown, ["n08888888"]);
        let pets = idx(&g, "n01317541");
        assert_eq!(g.title(pets), "pet");
        assert_eq!(g.concept(pets).lemmas, ["pet", "domestic animal", "domesticated animal"]);
        assert_eq!(g.lookup("pet"), [pets]);
        assert_eq!(g.lookup("domestic animal"), [pets], "the old lemmas still find it");
    }

    #[test]
    fn classes_beneath_are_distinct_and_sorted() {
        let g = graph();
        assert_eq!(g.concept(idx(&g, "n00015388")).classes, [0, 1, 2, 3]);
        assert_eq!(g.concept(idx(&g, "n01317541")).classes, [0, 1, 2, 3]);
        assert_eq!(g.concept(idx(&g, "n02121808")).classes, [0, 1, 3]);
        assert_eq!(g.concept(idx(&g, "n02084071")).classes, [2]);
        assert_eq!(g.concept(idx(&g, "n02123045")).classes, [0], "a class includes itself");
    }

    #[test]
    fn roll_up_counts_each_class_once() {
        let g = graph();
        let scores = g.roll_up(&[0.5, 0.25, 0.125, 0.0625]);
        assert_eq!(scores.len(), g.concepts().len());
        let at = |wnid: &str| scores[idx(&g, wnid).index()];
        // tabby reaches animal through cat and through domestic animal: counted once.
        assert_eq!(at("n00015388"), 0.9375);
        assert_eq!(at("n01317541"), 0.9375);
        assert_eq!(at("n00001740"), 0.9375);
        assert_eq!(at("n02121808"), 0.8125);
        assert_eq!(at("n02084071"), 0.125);
        assert_eq!(at("n02123159"), 0.25);
        // Missing classes count as 0, extra values are ignored.
        let short = g.roll_up(&[1.0]);
        assert_eq!(short[idx(&g, "n00015388").index()], 1.0);
        assert_eq!(short[idx(&g, "n02084071").index()], 0.0);
        assert_eq!(g.roll_up(&[0.0, 0.0, 0.0, 0.0, 9.0])[idx(&g, "n00001740").index()], 0.0);
    }

    #[test]
    fn the_abstract_rule_marks_tops_and_jargon() {
        let g = graph();
        let taggable = |wnid: &str| g.concept(idx(&g, wnid)).taggable;
        for wnid in ["n00001740", "n00001930", "n00002684", "n00003553", "n00004258", "n00004475"] {
            assert!(!taggable(wnid), "{wnid} (noun.Tops)");
        }
        for wnid in ["n01466257", "n01471682", "n01886756", "n02075296"] {
            assert!(!taggable(wnid), "{wnid} (denied)");
        }
        for wnid in ["n00015388", "n01317541", "n01861778", "n02120997", "n02121620", "n02121808", "n02123045"] {
            assert!(taggable(wnid), "{wnid}");
        }
    }

    #[test]
    fn primary_path_follows_the_first_hypernym_and_skips_the_abstract() {
        let g = graph();
        let path = g.primary_path(idx(&g, "n02123045"));
        assert_eq!(titles(&g, &path), ["animal", "mammal", "feline", "cat", "domestic cat", "tabby"]);
        assert_eq!(
            titles(&g, &g.primary_path(idx(&g, "n02085620"))),
            ["animal", "mammal", "canine", "dog", "toy dog", "Chihuahua"]
        );
        assert_eq!(titles(&g, &g.primary_path(idx(&g, "n00015388"))), ["animal"]);
        assert!(g.primary_path(idx(&g, "n00003553")).is_empty(), "whole is not taggable and has no taggable parent");
    }

    #[test]
    fn generic_tags_are_taggable_sorted_and_capped() {
        let g = graph();
        let scores = g.roll_up(&[0.5, 0.25, 0.125, 0.0625]);
        let tags = g.generic_tags(&scores, 0.5, 10);
        let names: Vec<(String, f32)> = tags.iter().map(|&(i, s)| (g.title(i).to_owned(), s)).collect();
        let expected = [
            ("animal", 0.9375),
            ("domestic animal", 0.9375),
            ("mammal", 0.9375),
            ("feline", 0.8125),
            ("cat", 0.8125),
            ("domestic cat", 0.8125),
            ("tabby", 0.5),
        ];
        assert_eq!(names, expected.map(|(n, s)| (n.to_owned(), s)));
        assert_eq!(g.generic_tags(&scores, 0.5, 2).len(), 2);
        assert!(g.generic_tags(&scores, 0.5, 0).is_empty());
        assert!(g.generic_tags(&scores, 2.0, 10).is_empty());
        let nan = vec![f32::NAN; scores.len()];
        assert!(g.generic_tags(&nan, 0.0, 10).is_empty());
    }

    #[test]
    fn generic_tags_show_each_title_once() {
        let data = format!("{DATA}02122298 05 n 02 tabby 0 queen 0 001 @ 02121808 n 0000 | female domestic cat  \n");
        let wordnet = WordNet::parse(&data).unwrap();
        let g = ConceptGraph::build(&wordnet, &classes(&["n02123045", "n02122298"])).unwrap();
        let scores = g.roll_up(&[0.3, 0.6]);
        let tags = g.generic_tags(&scores, 0.2, 20);
        let tabbies: Vec<_> = tags.iter().filter(|(i, _)| g.title(*i) == "tabby").collect();
        assert_eq!(tabbies.len(), 1);
        assert_eq!(g.concept(tabbies[0].0).wnid, "n02122298", "the better-scoring sense");
    }

    #[test]
    fn lookup_normalizes_and_finds_plurals() {
        let g = graph();
        let wnids = |term: &str| g.lookup(term).iter().map(|&i| g.concept(i).wnid.clone()).collect::<Vec<_>>();
        assert_eq!(wnids("cat"), ["n02121620"]);
        assert_eq!(wnids("Cats"), ["n02121620"]);
        assert_eq!(wnids("  House_Cats "), ["n02121808"]);
        assert_eq!(wnids("felis-catus"), ["n02121808"]);
        assert_eq!(wnids("Felis domesticus"), ["n02121808"]);
        assert_eq!(wnids("dogs"), ["n02084071"]);
        assert_eq!(wnids("toy"), ["n02085374"]);
        assert_eq!(wnids("tiger cats"), ["n02123159"]);
        assert_eq!(wnids("Beasts"), ["n00015388"]);
        assert!(wnids("doggies").is_empty(), "no exception list yet");
        assert!(wnids("").is_empty());
        assert!(wnids("abstraction").is_empty(), "not above any class");
        let g = g.with_morphy(Morphy::parse_exceptions("doggies dog\n").unwrap());
        assert_eq!(g.lookup("doggies").iter().map(|&i| g.title(i)).collect::<Vec<_>>(), ["dog"]);
    }

    #[test]
    fn lookup_orders_senses_by_classes_beneath() {
        let data = format!("{DATA}02127808 05 n 02 big_cat 0 cat 0 001 @ 02120997 n 0000 | any of several large cats  \n02128757 05 n 01 snow_leopard 0 001 @ 02127808 n 0000 | large feline  \n");
        let wordnet = WordNet::parse(&data).unwrap();
        let g = ConceptGraph::build(&wordnet, &classes(&["n02123045", "n02123159", "n02128757"])).unwrap();
        let found: Vec<&str> = g.lookup("cat").iter().map(|&i| g.concept(i).wnid.as_str()).collect();
        assert_eq!(found, ["n02121620", "n02127808"], "true cat (2 classes) before big cat (1)");
        assert_eq!(g.title(g.lookup("cats")[1]), "big cat");
    }

    #[test]
    fn bad_inputs_are_errors() {
        let wordnet = WordNet::parse(DATA).unwrap();
        assert_eq!(ConceptGraph::build(&wordnet, &[]).unwrap_err(), ConceptError::NoClasses);
        assert!(matches!(
            ConceptGraph::build(&wordnet, &classes(&["n02123045", "cat"])),
            Err(ConceptError::BadClassWnid { index: 1, .. })
        ));
        assert!(matches!(
            ConceptGraph::build(&wordnet, &classes(&["n01234567"])),
            Err(ConceptError::UnknownClass { index: 0, .. })
        ));
        let too_many = vec!["n02123045".to_owned(); 65_537];
        assert_eq!(
            ConceptGraph::build(&wordnet, &too_many).unwrap_err(),
            ConceptError::TooManyClasses { count: 65_537 }
        );
        // The limit itself is fine, and repeated classes share their concept.
        let g = ConceptGraph::build(&wordnet, &too_many[..65_536]).unwrap();
        assert_eq!(g.concept(idx(&g, "n02123045")).classes.len(), 65_536);

        let missing = WordNet::parse("00000001 05 n 01 cat 0 001 @ 00000002 n 0000 | x\n").unwrap();
        let err = ConceptGraph::build(&missing, &classes(&["n00000001"])).unwrap_err();
        assert_eq!(err, ConceptError::MissingHypernym { from: "n00000001".into(), to: "n00000002".into() });
        assert_eq!(err.to_string(), "synset n00000001 has a hypernym n00000002 that is not in this wordnet");

        let cycle = WordNet::parse(
            "00000001 05 n 01 a 0 001 @ 00000002 n 0000 | x\n00000002 05 n 01 b 0 001 @ 00000003 n 0000 | y\n00000003 05 n 01 c 0 001 @ 00000002 n 0000 | z\n",
        )
        .unwrap();
        assert!(matches!(ConceptGraph::build(&cycle, &classes(&["n00000001"])), Err(ConceptError::Cycle { .. })));
    }

    #[test]
    fn foreign_indices_do_not_panic_in_title_or_get() {
        let g = graph();
        let big = ConceptIdx(1_000_000);
        assert_eq!(g.title(big), "");
        assert!(g.get(big).is_none());
        assert!(g.primary_path(big).is_empty());
    }
}
