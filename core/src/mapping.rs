//! Linking the customer's taxonomy tags to WordNet concepts, and scoring taxonomy tags from the
//! concept confidences of one image. No training is involved.
//!
//! # Linking
//! For every tag but the namespace roots, its *terms* are its English title and synonyms, each also
//! split at `&`, `/`, `,`, ` and `, ` or ` ("Food & Drink" → "food", "drink").
//! 1. **Lemma links**: a term that is a lemma of a concept (after WordNet's plural rules) links to
//!    it: score 1.0 from the title, 0.9 from a split part of the title or from a synonym, 0.85
//!    from a split part of a synonym. When a term names several concepts (senses), the senses
//!    beneath a concept already linked to the tag's parent win (in "Vehicles › Cars", "car" is the
//!    automobile, not the railway car); without such context every sense is kept, the first one
//!    (most classes beneath it) at full score and the others at 0.8 of it.
//! 2. **Similarity links**, only for tags that got no lemma link (names WordNet lacks, "Pets",
//!    "Street food", or splits differently): the MiniLM sentence embeddings of the tag's terms are
//!    compared with those of the concepts' lemmas; the best concepts above
//!    [`SimilarityOptions::min_similarity`] are linked with the cosine similarity as score.
//!
//! # Scoring
//! A link's weight is 1.0 when a person confirmed or added it, its score for a lemma link, and for
//! a similarity link its similarity mapped linearly from [`SimilarityOptions::min_similarity`]
//! (weight 0) to [`SimilarityOptions::full_similarity`] (weight 1). A tag's own confidence is the
//! largest `P(concept) × weight` over its links that were not rejected; then the customer's
//! hierarchy is rolled up: a parent's confidence is at least its most confident child's, because a
//! child implies its parents.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::taxonomy::{TagId, Taxonomy, DEFAULT_LOCALE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMethod {
    Lemma,
    Synonym,
    Similarity,
    Manual,
}

impl LinkMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkMethod::Lemma => "lemma",
            LinkMethod::Synonym => "synonym",
            LinkMethod::Similarity => "similarity",
            LinkMethod::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<LinkMethod> {
        [LinkMethod::Lemma, LinkMethod::Synonym, LinkMethod::Similarity, LinkMethod::Manual].into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Made by the linker; replaced when the taxonomy changes.
    Auto,
    /// Confirmed or added by an admin; kept as is.
    Confirmed,
    /// Removed by an admin; never made again, never scored.
    Rejected,
}

impl LinkState {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Auto => "auto",
            LinkState::Confirmed => "confirmed",
            LinkState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<LinkState> {
        [LinkState::Auto, LinkState::Confirmed, LinkState::Rejected].into_iter().find(|m| m.as_str() == s)
    }
}

/// One link from a taxonomy tag to a WordNet concept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConceptLink {
    pub tag: TagId,
    /// WordNet id of the concept, e.g. `n02121808`.
    pub concept: String,
    /// 1.0, 0.9… for lemma links; the cosine similarity for similarity links.
    pub score: f32,
    pub method: LinkMethod,
    pub state: LinkState,
}

/// How similarity links are made and weighed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimilarityOptions {
    /// No link below this cosine similarity (weight 0 at it).
    pub min_similarity: f32,
    /// Similarity at and above which a link weighs 1.
    pub full_similarity: f32,
    /// Most similarity links per tag.
    pub max_links: usize,
}

impl Default for SimilarityOptions {
    fn default() -> SimilarityOptions {
        SimilarityOptions { min_similarity: 0.45, full_similarity: 0.75, max_links: 8 }
    }
}

/// A term to look up: the normalized text, the score a lemma match earns, and the method.
pub type Term = (String, f32, LinkMethod);

/// The terms of a tag, each with the score a lemma match on it earns and its method.
pub fn tag_terms(title: &str, synonyms: &[&str]) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    let mut push = |term: &str, score: f32, method: LinkMethod| {
        let term = normalize(term);
        if !term.is_empty() && !terms.iter().any(|(t, _, _)| *t == term) {
            terms.push((term, score, method));
        }
    };
    push(title, 1.0, LinkMethod::Lemma);
    for part in split_term(title) {
        push(&part, 0.9, LinkMethod::Lemma);
    }
    for synonym in synonyms {
        push(synonym, 0.9, LinkMethod::Synonym);
        for part in split_term(synonym) {
            push(&part, 0.85, LinkMethod::Synonym);
        }
    }
    terms
}

/// Lowercase, single spaces, `_` as a space.
pub fn normalize(term: &str) -> String {
    term.replace('_', " ").split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn split_term(term: &str) -> Vec<String> {
    let lower = format!(" {} ", term.to_lowercase());
    let unified = lower.replace(" and ", "&").replace(" or ", "&").replace(['/', ',', ';', '+'], "&");
    let parts: Vec<String> = unified.split('&').map(normalize).filter(|p| !p.is_empty()).collect();
    if parts.len() > 1 {
        parts
    } else {
        Vec::new()
    }
}

/// English title and synonyms of every tag that can be linked (namespace roots cannot).
pub fn linkable_tags(taxonomy: &Taxonomy) -> Vec<(TagId, Vec<Term>)> {
    taxonomy
        .tags()
        .filter(|t| !t.id.is_namespace())
        .map(|t| {
            let synonyms: Vec<&str> = t.synonyms.get(DEFAULT_LOCALE).map(|s| s.iter().map(String::as_str).collect()).unwrap_or_default();
            (t.id.clone(), tag_terms(t.title(DEFAULT_LOCALE), &synonyms))
        })
        .collect()
}

/// Lemma links of every tag. `lookup` gives the concepts (wnids) with a lemma equal to a term,
/// best sense first; `is_within(concept, ancestor)` tells whether a concept lies beneath another
/// (or is it).
pub fn lemma_links(
    taxonomy: &Taxonomy,
    lookup: impl Fn(&str) -> Vec<String>,
    is_within: impl Fn(&str, &str) -> bool,
) -> Vec<ConceptLink> {
    let mut by_tag: BTreeMap<TagId, Vec<ConceptLink>> = BTreeMap::new();
    // Tags sorted by id: parents come before their children, so their links are known.
    for (tag, terms) in linkable_tags(taxonomy) {
        let parent_concepts: Vec<String> = tag
            .parent()
            .and_then(|p| by_tag.get(&p))
            .map(|links| links.iter().map(|l| l.concept.clone()).collect())
            .unwrap_or_default();
        let mut links: Vec<ConceptLink> = Vec::new();
        for (term, score, method) in terms {
            let senses = lookup(&term);
            let in_context: Vec<&String> =
                senses.iter().filter(|c| parent_concepts.iter().any(|p| is_within(c, p))).collect();
            let chosen: Vec<(&String, f32)> = if in_context.is_empty() {
                senses.iter().enumerate().map(|(i, c)| (c, if i == 0 { score } else { score * 0.8 })).collect()
            } else {
                in_context.into_iter().map(|c| (c, score)).collect()
            };
            for (concept, score) in chosen {
                match links.iter_mut().find(|l| &l.concept == concept) {
                    Some(existing) if existing.score >= score => {}
                    Some(existing) => {
                        existing.score = score;
                        existing.method = method;
                    }
                    None => links.push(ConceptLink { tag: tag.clone(), concept: concept.clone(), score, method, state: LinkState::Auto }),
                }
            }
        }
        by_tag.insert(tag, links);
    }
    by_tag.into_values().flatten().collect()
}

/// Cosine similarity of two L2-normalised vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Similarity links of one tag from the embeddings of its terms and of the concepts' lemmas
/// (several vectors per concept allowed: the best counts).
pub fn similarity_links(
    tag: &TagId,
    term_vectors: &[Vec<f32>],
    concept_vectors: &[(String, Vec<f32>)],
    options: &SimilarityOptions,
) -> Vec<ConceptLink> {
    let mut best: BTreeMap<&str, f32> = BTreeMap::new();
    for (concept, vector) in concept_vectors {
        let similarity = term_vectors.iter().map(|t| dot(t, vector)).fold(f32::NEG_INFINITY, f32::max);
        if similarity >= options.min_similarity {
            let entry = best.entry(concept.as_str()).or_insert(similarity);
            *entry = entry.max(similarity);
        }
    }
    let mut ranked: Vec<(&str, f32)> = best.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    ranked.truncate(options.max_links);
    ranked
        .into_iter()
        .map(|(concept, score)| ConceptLink {
            tag: tag.clone(),
            concept: concept.to_owned(),
            score,
            method: LinkMethod::Similarity,
            state: LinkState::Auto,
        })
        .collect()
}

/// How much a link counts when scoring (see the module documentation).
pub fn link_weight(link: &ConceptLink, options: &SimilarityOptions) -> f32 {
    match (link.state, link.method) {
        (LinkState::Rejected, _) => 0.0,
        (LinkState::Confirmed, _) | (_, LinkMethod::Manual) => 1.0,
        (LinkState::Auto, LinkMethod::Similarity) => {
            let span = (options.full_similarity - options.min_similarity).max(f32::EPSILON);
            ((link.score - options.min_similarity) / span).clamp(0.0, 1.0)
        }
        (LinkState::Auto, _) => link.score.clamp(0.0, 1.0),
    }
}

/// One taxonomy tag's confidence and the link that gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct TagScore {
    pub tag: TagId,
    pub confidence: f32,
    /// The concept behind the confidence; `None` when it comes from a child.
    pub concept: Option<String>,
}

/// Confidence of every taxonomy tag that has one, rolled up the taxonomy, sorted by id.
/// `classes_of` gives the model classes beneath a concept (None when unknown); `probs` are the
/// class probabilities. A tag's own confidence is the probability of the union of the classes
/// beneath its links, each class weighed by the strongest link covering it, so "Motorbikes"
/// linked to both "motorcycle" and "motor scooter" counts both without counting a class twice.
pub fn score_tags<'c>(
    taxonomy: &Taxonomy,
    links: &[ConceptLink],
    options: &SimilarityOptions,
    classes_of: impl Fn(&str) -> Option<&'c [u16]>,
    probs: &[f32],
) -> Vec<TagScore> {
    let mut scores: BTreeMap<TagId, TagScore> = BTreeMap::new();
    let mut by_tag: BTreeMap<&TagId, Vec<&ConceptLink>> = BTreeMap::new();
    for link in links {
        by_tag.entry(&link.tag).or_default().push(link);
    }
    let mut weights = vec![0.0f32; probs.len()];
    for (tag, tag_links) in by_tag {
        if taxonomy.get(tag).is_none() {
            continue;
        }
        weights.iter_mut().for_each(|w| *w = 0.0);
        let mut best: Option<(f32, &str)> = None;
        for link in tag_links {
            let weight = link_weight(link, options);
            let Some(classes) = classes_of(&link.concept) else { continue };
            if weight <= 0.0 {
                continue;
            }
            let mut own = 0.0;
            for &class in classes {
                if let Some(w) = weights.get_mut(usize::from(class)) {
                    *w = w.max(weight);
                    own += probs[usize::from(class)];
                }
            }
            let contribution = own * weight;
            if best.is_none_or(|(b, _)| contribution > b) {
                best = Some((contribution, link.concept.as_str()));
            }
        }
        let confidence: f32 = weights.iter().zip(probs).map(|(w, p)| w * p).sum();
        if confidence.is_nan() || confidence <= 0.0 {
            continue;
        }
        scores.insert(tag.clone(), TagScore { tag: tag.clone(), confidence: confidence.min(1.0), concept: best.map(|(_, c)| c.to_owned()) });
    }
    // Roll up: deepest first, so every parent sees its children's final values.
    let mut ids: Vec<TagId> = scores.keys().cloned().collect();
    let mut seen: BTreeSet<TagId> = ids.iter().cloned().collect();
    let mut i = 0;
    while i < ids.len() {
        if let Some(parent) = ids[i].parent().filter(|p| !p.is_namespace() && taxonomy.get(p).is_some()) {
            if seen.insert(parent.clone()) {
                ids.push(parent);
            }
        }
        i += 1;
    }
    ids.sort_by_key(|id| std::cmp::Reverse(id.ancestors_and_self().len()));
    for id in ids {
        let child = scores.get(&id).map_or(0.0, |s| s.confidence);
        let Some(parent) = id.parent().filter(|p| !p.is_namespace() && taxonomy.get(p).is_some()) else { continue };
        let entry = scores.entry(parent.clone()).or_insert(TagScore { tag: parent, confidence: 0.0, concept: None });
        if child > entry.confidence {
            entry.confidence = child;
            entry.concept = None;
        }
    }
    scores.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::Tag;

    fn taxonomy() -> Taxonomy {
        let tag = |id: &str, title: &str, synonyms: &[&str]| {
            let mut t = Tag::new(TagId::parse(id).unwrap(), title);
            if !synonyms.is_empty() {
                t.synonyms.insert("en".into(), synonyms.iter().map(|s| s.to_string()).collect());
            }
            t
        };
        Taxonomy::new(vec![
            tag("demo:", "Demo", &[]),
            tag("demo:vehicles", "Vehicles", &[]),
            tag("demo:vehicles/cars", "Cars", &[]),
            tag("demo:vehicles/motorbikes", "Motorbikes", &["motorcycle", "scooter"]),
            tag("demo:food", "Food & Drink", &[]),
            tag("demo:animals", "Animals", &[]),
            tag("demo:animals/pets", "Pets", &[]),
        ])
        .unwrap()
    }

    // A toy WordNet: vehicle > car (automobile); railway car is a different sense of "car".
    fn lookup(term: &str) -> Vec<String> {
        match term {
            "vehicles" | "vehicle" => vec!["n-vehicle".into()],
            "cars" | "car" => vec!["n-railcar".into(), "n-auto".into()],
            "motorcycle" => vec!["n-motorcycle".into()],
            "food" => vec!["n-food".into()],
            "drink" => vec!["n-drink".into()],
            "animals" => vec!["n-animal".into()],
            _ => vec![],
        }
    }

    fn is_within(concept: &str, ancestor: &str) -> bool {
        concept == ancestor || (ancestor == "n-vehicle" && matches!(concept, "n-auto" | "n-motorcycle"))
    }

    #[test]
    fn lemma_links_use_titles_synonyms_split_parts_and_the_parent_as_context() {
        let links = lemma_links(&taxonomy(), lookup, is_within);
        let find = |tag: &str| -> Vec<(&str, f32, LinkMethod)> {
            links.iter().filter(|l| l.tag.as_str() == tag).map(|l| (l.concept.as_str(), l.score, l.method)).collect()
        };
        assert_eq!(find("demo:vehicles/cars"), [("n-auto", 1.0, LinkMethod::Lemma)], "the sense beneath the parent wins");
        assert_eq!(find("demo:vehicles/motorbikes"), [("n-motorcycle", 0.9, LinkMethod::Synonym)]);
        assert_eq!(find("demo:food"), [("n-food", 0.9, LinkMethod::Lemma), ("n-drink", 0.9, LinkMethod::Lemma)]);
        assert!(find("demo:animals/pets").is_empty());
        assert!(find("demo:").is_empty(), "namespace roots are not linked");
    }

    #[test]
    fn senses_without_context_are_all_kept_the_first_at_full_score() {
        let taxonomy = Taxonomy::new(vec![Tag::new(TagId::parse("x:").unwrap(), "X"), Tag::new(TagId::parse("x:cars").unwrap(), "Cars")]).unwrap();
        let links = lemma_links(&taxonomy, lookup, is_within);
        let got: Vec<(&str, f32)> = links.iter().map(|l| (l.concept.as_str(), l.score)).collect();
        assert_eq!(got, [("n-railcar", 1.0), ("n-auto", 0.8)]);
    }

    #[test]
    fn similarity_links_keep_the_best_concepts_above_the_minimum() {
        let tag = TagId::parse("demo:animals/pets").unwrap();
        let v = |x: f32, y: f32| {
            let n = (x * x + y * y).sqrt();
            vec![x / n, y / n]
        };
        let concepts = vec![("n-cat".to_owned(), v(1.0, 0.2)), ("n-dog".to_owned(), v(1.0, 0.5)), ("n-bridge".to_owned(), v(-1.0, 0.3))];
        let options = SimilarityOptions { max_links: 1, ..SimilarityOptions::default() };
        let links = similarity_links(&tag, &[v(1.0, 0.25)], &concepts, &options);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].concept, "n-cat");
        assert!(links[0].score > 0.99);
        assert!(similarity_links(&tag, &[v(0.0, -1.0)], &concepts, &options).is_empty());
    }

    #[test]
    fn scores_roll_up_the_customer_hierarchy_and_skip_rejected_links() {
        let taxonomy = taxonomy();
        let mut links = lemma_links(&taxonomy, lookup, is_within);
        links.push(ConceptLink {
            tag: TagId::parse("demo:animals/pets").unwrap(),
            concept: "n-cat".into(),
            score: 0.6,
            method: LinkMethod::Similarity,
            state: LinkState::Auto,
        });
        // Classes: 0 automobile, 1 other vehicle, 2 cat, 3 other animal.
        let classes_of = |c: &str| -> Option<&'static [u16]> {
            match c {
                "n-auto" => Some(&[0]),
                "n-vehicle" => Some(&[0, 1]),
                "n-cat" => Some(&[2]),
                "n-animal" => Some(&[2, 3]),
                _ => None,
            }
        };
        let probs = [0.2, 0.1, 0.6, 0.1];
        let options = SimilarityOptions::default();
        let scores = score_tags(&taxonomy, &links, &options, classes_of, &probs);
        let get = |id: &str| scores.iter().find(|s| s.tag.as_str() == id).map(|s| s.confidence);
        assert_eq!(get("demo:vehicles/cars"), Some(0.2));
        assert!((get("demo:vehicles").unwrap() - 0.3).abs() < 1e-6);
        let pets = 0.6 * (0.6 - 0.45) / 0.3;
        assert!((get("demo:animals/pets").unwrap() - pets).abs() < 1e-6);
        assert!((get("demo:animals").unwrap() - 0.7).abs() < 1e-6, "own evidence beats a weaker child");
        assert_eq!(get("demo:"), None, "namespace roots are not scored");

        for link in links.iter_mut().filter(|l| l.concept == "n-vehicle") {
            link.state = LinkState::Rejected;
        }
        let scores = score_tags(&taxonomy, &links, &options, classes_of, &probs);
        let get = |id: &str| scores.iter().find(|s| s.tag.as_str() == id).map(|s| s.confidence);
        assert_eq!(get("demo:vehicles"), Some(0.2), "a rejected link no longer counts; the child still implies the parent");
    }

    #[test]
    fn several_links_count_the_union_of_their_classes_once() {
        let taxonomy = Taxonomy::new(vec![Tag::new(TagId::parse("x:").unwrap(), "X"), Tag::new(TagId::parse("x:bikes").unwrap(), "Bikes")]).unwrap();
        let link = |concept: &str, score: f32| ConceptLink { tag: TagId::parse("x:bikes").unwrap(), concept: concept.into(), score, method: LinkMethod::Lemma, state: LinkState::Auto };
        let links = vec![link("n-motorcycle", 1.0), link("n-scooter", 0.9), link("n-two-wheeler", 0.5)];
        let classes_of = |c: &str| -> Option<&'static [u16]> {
            match c {
                "n-motorcycle" => Some(&[0, 1]),
                "n-scooter" => Some(&[1, 2]),
                "n-two-wheeler" => Some(&[0, 1, 2, 3]),
                _ => None,
            }
        };
        let scores = score_tags(&taxonomy, &links, &SimilarityOptions::default(), classes_of, &[0.4, 0.2, 0.2, 0.2]);
        // 0.4×1 + 0.2×1 + 0.2×0.9 + 0.2×0.5
        assert!((scores[0].confidence - 0.88).abs() < 1e-6, "{scores:?}");
        assert_eq!(scores[0].concept.as_deref(), Some("n-motorcycle"));
    }
}
