//! Linking the customer's taxonomy tags to WordNet concepts, and scoring taxonomy tags from the
//! concept confidences of one image. No training is involved.
//!
//! # Linking ([`link_taxonomy`])
//! A tag is read the way a cataloguer reads it: its title in the context of its path. Tags are
//! linked parents first; a tag's *context* is the meaning (links) of its nearest linked ancestor.
//! Its *terms* are its English title and synonyms, each also split at `&`, `/`, `,`, ` and `,
//! ` or ` ("Food & Drink" → "food", "drink"); its *compounds* join its title with its parent's
//! ("Military › Vehicles" → "military vehicles"; "Mammals › Aquatic" → "aquatic mammals").
//! 1. **Lemma links.** A compound WordNet names wins ("military vehicle", "aquatic mammal").
//!    Otherwise each term that is a lemma of a taggable concept (after WordNet's plural rules)
//!    links to its **most frequent sense** (WordNet's sense order: "toy" is the plaything, not the
//!    toy dog): 1.0 from the title, 0.9 from a split part or a synonym, 0.85 from a split part of
//!    a synonym. Under a context, the sense that lies beneath the context wins ("Vehicles › Cars":
//!    the automobile, not the railway car); a sense broader than the context keeps only the
//!    context's concepts beneath it; a sense outside it is dropped ("Money › Japanese" is not the
//!    Japanese spaniel).
//! 2. **Similarity links**, only for tags that got no lemma link (names WordNet lacks, "Pets",
//!    "Street food"): the MiniLM embeddings of the tag's terms and compounds against those of the
//!    concepts' lemmas; the best concepts above [`SimilarityOptions::min_similarity`] are linked
//!    with the cosine similarity as score, but only concepts that overlap the context and are not
//!    broader than it, and,
//!    for a word WordNet knows, beneath the *genus* of its most frequent sense (`concepts::senses`:
//!    "deer" stays among the ruminants, never "Scottish deerhound"; "space", "flight", "wildlife"
//!    mean things no ImageNet class shows, so they link to nothing rather than to the space bar,
//!    the fly or every animal).
//! 3. **Descriptions.** A tag's description, read with its path, chooses among the senses of a
//!    title or synonym word that the model can show in several senses: the text model compares
//!    it with each sense's words, definition (WordNet's gloss) and kinds, and the closest sense,
//!    when it beats every other by [`DESCRIPTION_MARGIN`], ranks first after the context —
//!    "Crane: wading birds of marshes" is the bird, though WordNet lists the machine first.
//!    Senses no class shows do not compete: the description may not take a link away.
//!
//! Links a person confirmed or added are context like automatic ones; rejected links are never
//! made again.
//!
//! # Scoring ([`ScoringPlan`])
//! A link's weight is 1.0 when a person confirmed or added it, its score for a lemma link, and for
//! a similarity link its similarity mapped linearly from [`SimilarityOptions::min_similarity`]
//! (weight 0) to [`SimilarityOptions::full_similarity`] (weight 1). A tag's own confidence is the
//! probability of the union of the classes beneath its links, each weighed by the strongest link
//! covering it, with the classes of a sibling's narrower link taken out (siblings are
//! alternatives); then the customer's hierarchy is rolled up: a parent's confidence is at least
//! its most confident child's, because a child implies its parents.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::concepts::graph::combine;
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
        [LinkMethod::Lemma, LinkMethod::Synonym, LinkMethod::Similarity, LinkMethod::Manual]
            .into_iter()
            .find(|m| m.as_str() == s)
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

/// Most similarity links a synonym without a WordNet concept adds to a tag that has lemma links.
const PER_TERM_SIMILARITY_LINKS: usize = 2;

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

/// The title and its split parts ("Food & Drink" → "food & drink", "food", "drink").
fn title_parts(title: &str) -> Vec<String> {
    let mut parts = vec![normalize(title)];
    parts.extend(split_term(title));
    parts
}

/// The words of one tag the linker tries: its own terms (title, synonyms, split parts) and the
/// *compounds* its path makes with its parent's title ("Military › Vehicles" → "military
/// vehicles", "vehicles military"; "Mammals › Aquatic" → "aquatic mammals"): in a taxonomy a
/// child's title means the title in the context of its parent.
#[derive(Debug, Clone, PartialEq)]
pub struct TagTerms {
    pub tag: TagId,
    pub terms: Vec<Term>,
    pub compounds: Vec<Term>,
    /// The tag as the text model reads it when it has a description: its path of titles, then
    /// the description ("Equipment › Crane: machines that lift heavy loads"); `None` without one.
    pub reading: Option<String>,
}

impl TagTerms {
    /// Every text of the tag (terms, then compounds), for embedding them in one batch.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().chain(&self.compounds).map(|(t, _, _)| t.as_str())
    }
}

/// English title and synonyms of every tag that can be linked (namespace roots cannot), with the
/// compounds of its path, sorted by id (parents before children).
pub fn linkable_tags(taxonomy: &Taxonomy) -> Vec<TagTerms> {
    let mut tags: Vec<TagTerms> = taxonomy
        .tags()
        .filter(|t| !t.id.is_namespace())
        .map(|t| {
            let synonyms: Vec<&str> =
                t.synonyms.get(DEFAULT_LOCALE).map(|s| s.iter().map(String::as_str).collect()).unwrap_or_default();
            let terms = tag_terms(t.title(DEFAULT_LOCALE), &synonyms);
            let mut compounds: Vec<Term> = Vec::new();
            if let Some(parent) = t.id.parent().filter(|p| !p.is_namespace()).and_then(|p| taxonomy.get(&p)) {
                let own = title_parts(t.title(DEFAULT_LOCALE));
                let context = title_parts(parent.title(DEFAULT_LOCALE));
                for (i, child) in own.iter().enumerate() {
                    for (j, outer) in context.iter().enumerate() {
                        let score = if i == 0 && j == 0 { 1.0 } else { 0.9 };
                        for text in [format!("{outer} {child}"), format!("{child} {outer}")] {
                            if !compounds.iter().any(|(c, _, _)| *c == text)
                                && !terms.iter().any(|(c, _, _)| *c == text)
                            {
                                compounds.push((text, score, LinkMethod::Lemma));
                            }
                        }
                    }
                }
            }
            let reading = t.description.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(|description| {
                let path: Vec<&str> =
                    t.id.ancestors_and_self()
                        .iter()
                        .filter(|a| !a.is_namespace())
                        .filter_map(|a| taxonomy.get(a))
                        .map(|a| a.title(DEFAULT_LOCALE))
                        .collect();
                format!("{}: {description}", path.join(" › "))
            });
            TagTerms { tag: t.id.clone(), terms, compounds, reading }
        })
        .collect();
    tags.sort_by(|a, b| a.tag.cmp(&b.tag));
    tags
}

/// Where a word's most frequent sense lies (WordNet's sense order; see
/// `concepts::senses`), as WordNet ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meaning {
    /// WordNet does not know the word: text similarity may link it to any concept.
    Unknown,
    /// Beneath these concepts: similarity links stay beneath them.
    Within(Vec<String>),
    /// The model cannot see what the word means: no similarity link.
    OutOfReach,
}

/// What the linker needs to know about words and concepts: WordNet above the model's classes in
/// the service, a toy in tests.
pub trait Lexicon {
    /// The taggable concepts named by `term` (a lemma, after plural rules), most frequent sense first.
    fn senses(&self, term: &str) -> Vec<String>;
    /// Where each sense of `term` lies, most frequent first; empty when WordNet does not know it.
    fn meanings(&self, term: &str) -> Vec<Meaning>;
    /// Whether `concept` is `ancestor` or lies beneath it.
    fn is_within(&self, concept: &str, ancestor: &str) -> bool;
    /// Whether two concepts share a class of the model.
    fn overlaps(&self, a: &str, b: &str) -> bool;
    /// The broad domain of a concept (WordNet's lexicographer file: plants, artifacts, food…).
    fn domain(&self, concept: &str) -> Option<u8>;
    /// The domain of the most frequent sense of `term`, in or out of the model's reach.
    fn term_domain(&self, term: &str) -> Option<u8>;
    /// What each sense of `term` says — its WordNet id, and its words and definition as one
    /// text —, aligned with [`Lexicon::meanings`]; empty when the word has one sense or none.
    fn readings(&self, term: &str) -> Vec<(String, String)> {
        let _ = term;
        Vec::new()
    }
}

/// How much closer to a tag's description one sense's definition must be than every other
/// sense's (cosine of the text model's embeddings) for the description to choose it.
pub const DESCRIPTION_MARGIN: f32 = 0.05;

/// The sense (WordNet id) a tag's description chooses for a term. Only lemma links use it: a
/// term with several taggable senses always gets one, so its similarity genus never matters.
type Described = BTreeMap<String, String>;

/// The senses a tag's description chooses for its terms (title, split parts, synonyms) that
/// name several taggable concepts: the sense whose reading (words, definition, kinds) the text
/// model finds closest to the tag's reading (path and description), when it is closer than
/// every other by [`DESCRIPTION_MARGIN`]. "Crane" described as wading birds is the bird, not the
/// machine that WordNet lists first. Every text is asked of `embeddings` before any answer is used, so that one round
/// of embedding finds all that is missing.
fn senses_by_description<'a, F: Fn(&str) -> Option<&'a [f32]>>(
    tag_terms: &TagTerms,
    lexicon: &impl Lexicon,
    embeddings: &Embeddings<'a, F>,
) -> Described {
    let mut chosen = Described::new();
    let Some(reading) = &tag_terms.reading else { return chosen };
    let query = (embeddings.text)(reading);
    for (term, _, _) in &tag_terms.terms {
        // Only the senses the model can show compete: a definition that fits the description
        // better but names nothing a class shows ("sign: a public display of a message", beside
        // the signboard) must not take away the link that tags the photos.
        let taggable = lexicon.senses(term);
        let readings: Vec<(String, String)> =
            lexicon.readings(term).into_iter().filter(|(wnid, _)| taggable.contains(wnid)).collect();
        if readings.len() < 2 {
            continue;
        }
        let vectors: Vec<Option<&[f32]>> = readings.iter().map(|(_, text)| (embeddings.text)(text)).collect();
        let (Some(query), Some(vectors)) = (query, vectors.into_iter().collect::<Option<Vec<&[f32]>>>()) else {
            continue;
        };
        let mut ranked: Vec<(usize, f32)> = vectors.iter().map(|v| dot(query, v)).enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if let [(best, top), (_, next), ..] = ranked[..] {
            if top - next >= DESCRIPTION_MARGIN {
                chosen.insert(term.clone(), readings[best].0.clone());
            }
        }
    }
    chosen
}

/// Text embeddings for similarity links: the vector of a tag's text, and every concept's vectors.
pub struct Embeddings<'a, F: Fn(&str) -> Option<&'a [f32]>> {
    /// The vector of a text of [`TagTerms::texts`].
    pub text: F,
    /// `(wnid, vector)`; several vectors per concept allowed (the best counts).
    pub concepts: &'a [(String, Vec<f32>)],
}

/// Finds the automatic links of every tag (see the module documentation), parents first.
/// `fixed` are the links a person confirmed, added or rejected: the confirmed and added ones
/// are the context of the tag's children like automatic ones; a rejected link is never made.
/// Answers every linkable tag, with its links (empty when none was found).
pub fn link_taxonomy<'a, F: Fn(&str) -> Option<&'a [f32]>>(
    taxonomy: &Taxonomy,
    lexicon: &impl Lexicon,
    embeddings: Option<&Embeddings<'a, F>>,
    fixed: &[ConceptLink],
    options: &SimilarityOptions,
) -> Vec<(TagId, Vec<ConceptLink>)> {
    link_taxonomy_again(taxonomy, lexicon, embeddings, fixed, options, &LinkMemo::default()).0
}

/// What [`link_taxonomy_again`] found for each tag before the siblings' pass, with a
/// fingerprint of everything it was found from: the tag's terms, compounds and reading, its
/// context (the nearest linked ancestor's concepts), the title domains of its parent, siblings
/// and children, and the person's links of the tag. The same lexicon, embeddings and options are
/// assumed (one per process).
#[derive(Debug, Clone, Default)]
pub struct LinkMemo {
    found: HashMap<TagId, (u64, Vec<ConceptLink>)>,
}

impl LinkMemo {
    /// Tags remembered.
    pub fn len(&self) -> usize {
        self.found.len()
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Takes in what a later run found, keeping the other tags' (a tag's entry is used only when
    /// its fingerprint still matches, so one left by a deleted tag, or by another taxonomy
    /// linked with the same lexicon, is harmless); starts afresh beyond `max` tags.
    pub fn absorb(&mut self, later: LinkMemo, max: usize) {
        if self.found.len() + later.found.len() > max {
            self.found.clear();
        }
        self.found.extend(later.found);
    }
}

/// [`link_taxonomy`] that links again only the tags whose inputs changed since `memo` was made:
/// a write to a large taxonomy relinks what it touched (the tag, its parent, siblings and
/// children through their neighbourhood, its descendants through their context), not every
/// tag. Answers the links, the memo of this run (to pass next time) and how many tags were
/// linked anew.
pub fn link_taxonomy_again<'a, F: Fn(&str) -> Option<&'a [f32]>>(
    taxonomy: &Taxonomy,
    lexicon: &impl Lexicon,
    embeddings: Option<&Embeddings<'a, F>>,
    fixed: &[ConceptLink],
    options: &SimilarityOptions,
    memo: &LinkMemo,
) -> (Vec<(TagId, Vec<ConceptLink>)>, LinkMemo, usize) {
    let mut next = LinkMemo::default();
    let mut linked = 0;
    let mut found: BTreeMap<TagId, Vec<ConceptLink>> = BTreeMap::new();
    let active_fixed = |tag: &TagId| -> Vec<String> {
        fixed.iter().filter(|l| &l.tag == tag && l.state != LinkState::Rejected).map(|l| l.concept.clone()).collect()
    };
    // The domains of every tag's title words, for choosing among senses.
    let domains: BTreeMap<TagId, Vec<u8>> = taxonomy
        .tags()
        .filter(|t| !t.id.is_namespace())
        .map(|t| {
            let words = title_parts(t.title(DEFAULT_LOCALE));
            let parts = if words.len() > 1 { &words[1..] } else { &words[..] };
            (t.id.clone(), parts.iter().filter_map(|w| lexicon.term_domain(w)).collect())
        })
        .collect();
    // Each parent's children, so that a tag's neighbourhood is found without scanning every tag.
    let mut children_of: BTreeMap<Option<TagId>, Vec<&TagId>> = BTreeMap::new();
    for tag in domains.keys() {
        children_of.entry(tag.parent()).or_default().push(tag);
    }
    let domains_of = |tags: &mut dyn Iterator<Item = &TagId>| -> Vec<u8> {
        tags.flat_map(|t| domains.get(t).into_iter().flatten().copied()).collect()
    };
    for tag_terms in linkable_tags(taxonomy) {
        let tag = tag_terms.tag.clone();
        // The meaning of the nearest ancestor that has one.
        let context: Vec<String> = tag
            .ancestors_and_self()
            .into_iter()
            .rev()
            .skip(1)
            .filter(|a| !a.is_namespace())
            .map(|a| {
                let mut concepts: Vec<String> =
                    found.get(&a).map(|ls| ls.iter().map(|l| l.concept.clone()).collect()).unwrap_or_default();
                concepts.extend(active_fixed(&a));
                concepts
            })
            .find(|c| !c.is_empty())
            .unwrap_or_default();
        let parent = tag.parent();
        let family = |of: Option<TagId>| children_of.get(&of).map(Vec::as_slice).unwrap_or_default();
        let neighbourhood = Neighbourhood {
            children: domains_of(&mut family(Some(tag.clone())).iter().copied()),
            parent: domains_of(&mut parent.iter()),
            siblings: domains_of(&mut family(parent.clone()).iter().copied().filter(|t| **t != tag)),
        };
        let rejected = |concept: &str| {
            fixed.iter().any(|l| l.tag == tag && l.concept == concept && l.state == LinkState::Rejected)
        };
        let own_fixed: Vec<(&str, LinkState)> =
            fixed.iter().filter(|l| l.tag == tag).map(|l| (l.concept.as_str(), l.state)).collect();
        let fingerprint = {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            format!(
                "{tag_terms:?}|{context:?}|{:?}|{:?}|{:?}|{embedded}|{own_fixed:?}",
                neighbourhood.children,
                neighbourhood.parent,
                neighbourhood.siblings,
                embedded = embeddings.is_some(),
            )
            .hash(&mut hasher);
            hasher.finish()
        };
        if let Some((_, links)) = memo.found.get(&tag).filter(|(f, _)| *f == fingerprint) {
            next.found.insert(tag.clone(), (fingerprint, links.clone()));
            found.insert(tag, links.clone());
            continue;
        }
        linked += 1;
        let described = embeddings.map(|e| senses_by_description(&tag_terms, lexicon, e)).unwrap_or_default();
        let mut links = lemma_links_of(&tag_terms, &context, &neighbourhood, &described, lexicon);
        if let Some(embeddings) = embeddings {
            let meaning_of = |t: &str| term_meaning(lexicon, t, &context);
            if links.is_empty() {
                // Every term and compound of the tag.
                let title_meaning =
                    tag_terms.terms.first().map_or((Meaning::Unknown, false), |(t, _, _)| meaning_of(t));
                let texts: Vec<(&str, (Meaning, bool))> = tag_terms
                    .terms
                    .iter()
                    .map(|(t, _, _)| (t.as_str(), meaning_of(t)))
                    .chain(tag_terms.compounds.iter().map(|(t, _, _)| (t.as_str(), title_meaning.clone())))
                    .collect();
                links =
                    similarity_links_of(&tag_terms, &texts, &context, lexicon, embeddings, options, options.max_links);
            } else {
                // A synonym WordNet has no concept for still counts ("Farm animals": "chicken",
                // "livestock"): up to two links of its own, within its genus.
                for (term, _, _) in
                    tag_terms.terms.iter().filter(|(t, _, _)| !t.contains(' ') || lexicon.meanings(t).is_empty())
                {
                    if !lexicon.senses(term).is_empty() {
                        continue;
                    }
                    let texts = [(term.as_str(), meaning_of(term))];
                    for link in similarity_links_of(
                        &tag_terms,
                        &texts,
                        &context,
                        lexicon,
                        embeddings,
                        options,
                        PER_TERM_SIMILARITY_LINKS,
                    ) {
                        // Never the context itself: the tag already has a meaning of its own.
                        if context.contains(&link.concept) {
                            continue;
                        }
                        if links.len() < options.max_links + PER_TERM_SIMILARITY_LINKS
                            && !links.iter().any(|l| l.concept == link.concept)
                        {
                            links.push(link);
                        }
                    }
                }
            }
        }
        links.retain(|l| !rejected(&l.concept));
        next.found.insert(tag.clone(), (fingerprint, links.clone()));
        found.insert(tag, links);
    }
    // A similarity link never takes what a sibling names: "Wildlife" does not become "domestic
    // animal" beside "Pets" linked to it, "Leaves" not "daisy" beside "Flowers" — under a parent
    // whose meaning the siblings divide; at the top level only the very concept.
    // The concepts each parent's children name, by parent.
    let mut named: BTreeMap<Option<TagId>, Vec<(TagId, String)>> = BTreeMap::new();
    for (tag, links) in &found {
        for link in links.iter().filter(|l| l.method != LinkMethod::Similarity) {
            named.entry(tag.parent()).or_default().push((tag.clone(), link.concept.clone()));
        }
    }
    let parent_linked = |tag: &TagId| tag.parent().is_some_and(|p| found.get(&p).is_some_and(|ls| !ls.is_empty()));
    let divided: BTreeMap<TagId, bool> = found.keys().map(|t| (t.clone(), parent_linked(t))).collect();
    for (tag, links) in found.iter_mut() {
        let Some(siblings) = named.get(&tag.parent()) else { continue };
        let under_parent = divided.get(tag).copied().unwrap_or(false);
        links.retain(|l| {
            l.method != LinkMethod::Similarity
                || !siblings
                    .iter()
                    .any(|(t, c)| t != tag && (*c == l.concept || (under_parent && lexicon.is_within(&l.concept, c))))
        });
    }
    (found.into_iter().collect(), next, linked)
}

/// The title domains around a tag: its children's, its parent's, its siblings'.
struct Neighbourhood {
    children: Vec<u8>,
    parent: Vec<u8>,
    siblings: Vec<u8>,
}

impl Neighbourhood {
    /// How many neighbours share the concept's domain: (children, parent, siblings).
    fn support(&self, lexicon: &impl Lexicon, concept: &str) -> (usize, usize, usize) {
        let Some(domain) = lexicon.domain(concept) else { return (0, 0, 0) };
        let count = |ds: &[u8]| ds.iter().filter(|&&d| d == domain).count();
        (count(&self.children), count(&self.parent), count(&self.siblings))
    }
}

/// Where a tag word's meaning lies for similarity: the genus of its most frequent sense — or,
/// under a context, of its first sense whose genus overlaps the context ("Animals › Farm
/// animals", synonym "chicken": the bird, not the meat) —, else that of its split parts ("sky &
/// clouds"), else that of its last word, the head of an English compound ("street food" → food,
/// "wild animals" → animal). The last is only a guess (`true`): idioms have other heads ("furry
/// friends" are not people), so when nothing similar lies beneath it, it is dropped.
fn term_meaning(lexicon: &impl Lexicon, term: &str, context: &[String]) -> (Meaning, bool) {
    let senses = lexicon.meanings(term);
    if let Some(first) = senses.first() {
        let fits = |m: &&Meaning| matches!(m, Meaning::Within(genus) if genus.iter().any(|g| context.iter().any(|c| lexicon.overlaps(g, c))));
        let chosen = if context.is_empty() { None } else { senses.iter().find(fits) };
        return (chosen.unwrap_or(first).clone(), false);
    }
    let parts = split_term(term);
    if !parts.is_empty() {
        let meanings: Vec<(Meaning, bool)> = parts.iter().map(|p| term_meaning(lexicon, p, context)).collect();
        let soft = meanings.iter().any(|(_, soft)| *soft);
        if meanings.iter().any(|(m, _)| *m == Meaning::Unknown) {
            return (Meaning::Unknown, false);
        }
        let genus: Vec<String> =
            meanings.into_iter().flat_map(|(m, _)| if let Meaning::Within(g) = m { g } else { Vec::new() }).collect();
        return (if genus.is_empty() { Meaning::OutOfReach } else { Meaning::Within(genus) }, soft);
    }
    match term.rsplit_once(' ') {
        Some((_, head)) => (term_meaning(lexicon, head, context).0, true),
        None => (Meaning::Unknown, false),
    }
}

/// How a sense of a term ranks (compared as a tuple, larger wins): overlaps the context, is the
/// described sense, then how many children, parents and siblings share its domain.
type SenseRank = (bool, bool, usize, usize, usize);

/// Lemma links of one tag given its context (the concepts of its nearest linked ancestor) and
/// its neighbourhood: a compound of its path that WordNet names wins ("military vehicle").
/// Otherwise each term that names concepts links to one sense, chosen by, in order: overlapping
/// the context ("Pets › Cats": the cat, not the jazz fan), being the sense the tag's
/// description chose (`described`), sharing the domain of the tag's children, of its parent, of
/// its siblings ("Plants" over "Flowers" and "Trees": the plant, not the factory; "Objects ›
/// Toys": the plaything, not the toy dog), then WordNet's order. The other senses are kept at
/// 0.8 of the score when the context or the children or parent support them too.
fn lemma_links_of(
    tag_terms: &TagTerms,
    context: &[String],
    neighbourhood: &Neighbourhood,
    described: &Described,
    lexicon: &impl Lexicon,
) -> Vec<ConceptLink> {
    let mut links: Vec<ConceptLink> = Vec::new();
    let tag = &tag_terms.tag;
    let add = |links: &mut Vec<ConceptLink>, concept: &str, score: f32, method: LinkMethod| match links
        .iter_mut()
        .find(|l| l.concept == concept)
    {
        Some(existing) if existing.score >= score => {}
        Some(existing) => {
            existing.score = score;
            existing.method = method;
        }
        None => links.push(ConceptLink {
            tag: tag.clone(),
            concept: concept.to_owned(),
            score,
            method,
            state: LinkState::Auto,
        }),
    };
    let in_context = |concept: &str| context.iter().any(|c| lexicon.overlaps(concept, c));
    for (term, score, method) in &tag_terms.compounds {
        let senses = lexicon.senses(term);
        if let Some(concept) = senses.iter().find(|s| in_context(s)).or(senses.first()) {
            add(&mut links, concept, *score, *method);
        }
    }
    if !links.is_empty() {
        return links;
    }
    for (term, score, method) in &tag_terms.terms {
        let senses = lexicon.senses(term);
        let described = described.get(term);
        let ranked: Vec<(&String, SenseRank)> = senses
            .iter()
            .map(|s| {
                let (children, parent, siblings) = neighbourhood.support(lexicon, s);
                (s, (in_context(s), described == Some(s), children, parent, siblings))
            })
            .collect();
        // The best key; the first in WordNet's order among equals.
        let Some(best) = ranked.iter().map(|(_, k)| *k).max() else { continue };
        let Some((chosen, _)) = ranked.iter().find(|(_, k)| *k == best) else { continue };
        add(&mut links, chosen, *score, *method);
        for (other, (context_ok, _, children, parent, _)) in &ranked {
            if other != chosen && (*context_ok || *children > 0 || *parent > 0) {
                add(&mut links, other, *score * 0.8, *method);
            }
        }
    }
    links
}

/// Similarity links of one tag from `texts` (some of its terms and compounds): their embeddings
/// against the concepts', restricted to concepts that overlap the context (when the tag has one)
/// and are not broader than it, and, for a word WordNet knows, to concepts beneath the genus of
/// its sense (see [`term_meaning`]); a compound follows the restriction of the child's own title.
/// At most `max_links`, best first.
fn similarity_links_of<'a, F: Fn(&str) -> Option<&'a [f32]>>(
    tag_terms: &TagTerms,
    texts: &[(&str, (Meaning, bool))],
    context: &[String],
    lexicon: &impl Lexicon,
    embeddings: &Embeddings<'a, F>,
    options: &SimilarityOptions,
    max_links: usize,
) -> Vec<ConceptLink> {
    let mut best: BTreeMap<&str, f32> = BTreeMap::new();
    for (text, (meaning, soft)) in texts {
        let genus = match meaning {
            Meaning::OutOfReach if !soft => continue,
            Meaning::OutOfReach => Some(Vec::new()),
            Meaning::Within(genus) => Some(genus.clone()),
            Meaning::Unknown => None,
        };
        let Some(vector) = (embeddings.text)(text) else { continue };
        // Concepts similar enough and within the context.
        let similar: Vec<(&str, f32)> = embeddings
            .concepts
            .iter()
            .map(|(concept, concept_vector)| (concept.as_str(), dot(vector, concept_vector)))
            .filter(|(_, similarity)| *similarity >= options.min_similarity)
            // Under a context: a concept that overlaps it and is not broader than it. The context
            // itself is allowed: "Animals › Wildlife" ≈ animal, less its siblings' narrower links
            // (pets, birds, fish…) when scored.
            .filter(|(concept, _)| {
                context.is_empty()
                    || (context.iter().any(|c| lexicon.overlaps(concept, c))
                        && !context.iter().any(|c| c != concept && lexicon.is_within(c, concept)))
            })
            .collect();
        let in_genus = |concept: &str| genus.as_ref().is_none_or(|g| g.iter().any(|g| lexicon.is_within(concept, g)));
        let mut kept: Vec<(&str, f32)> = similar.iter().copied().filter(|(c, _)| in_genus(c)).collect();
        if kept.is_empty() && *soft {
            kept = similar;
        }
        for (concept, similarity) in kept {
            if best.get(concept).is_none_or(|&b| b < similarity) {
                best.insert(concept, similarity);
            }
        }
    }
    let mut ranked: Vec<(&str, f32)> = best.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    ranked.truncate(max_links);
    ranked
        .into_iter()
        .map(|(concept, score)| ConceptLink {
            tag: tag_terms.tag.clone(),
            concept: concept.to_owned(),
            score,
            method: LinkMethod::Similarity,
            state: LinkState::Auto,
        })
        .collect()
}

/// Cosine similarity of two L2-normalised vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
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

/// Confidence of every taxonomy tag that has one, rolled up the taxonomy, sorted by id: a
/// [`ScoringPlan`] made and used once (the service keeps its plan per taxonomy version).
pub fn score_tags<'c>(
    taxonomy: &Taxonomy,
    links: &[ConceptLink],
    options: &SimilarityOptions,
    classes_of: impl Fn(&str) -> Option<&'c [u16]>,
    probs: &[f32],
) -> Vec<TagScore> {
    ScoringPlan::new(taxonomy, links, options, classes_of).score(probs)
}

/// One link as scoring uses it: the concept, its weight, and the classes it covers once the
/// siblings' narrower links are taken out.
#[derive(Debug, Clone)]
struct PlannedLink {
    concept: String,
    weight: f32,
    classes: Vec<u16>,
}

#[derive(Debug, Clone)]
struct PlannedTag {
    tag: TagId,
    /// Union of the links' classes, each with the strongest weight covering it.
    classes: Vec<(u16, f32)>,
    links: Vec<PlannedLink>,
}

/// The taxonomy's scoring, compiled once per taxonomy and links, so that scoring one image is a
/// sum over each tag's classes and a roll-up.
///
/// A tag's own confidence is the probability of the union of the classes beneath its links, each
/// class weighed by the strongest link covering it ("Motorbikes" linked to both "motorcycle" and
/// "motor scooter" counts both without counting a class twice). **Siblings are alternatives:**
/// when a sibling's link (one that names its concept: not a similarity guess) lies strictly
/// beneath one of the tag's links, its classes are taken out
/// of that link ("Animals › Wildlife" linked to *animal* beside "Animals › Pets" linked to
/// *domestic animal* means the animals that are not pets). **A child implies its parent:** a link
/// whose classes overlap those of the nearest linked ancestor keeps only the shared ones ("Pets ›
/// Cats" linked to *cat* counts the domestic cats, not the lions); a link disjoint from them is
/// kept whole (the ancestor's links are then evidently incomplete). Then the customer's hierarchy
/// is rolled up: a parent is at least as confident as its most confident child.
/// A link of a tag, its weight and the classes it counts.
type WeightedLink<'l, 'c> = (&'l ConceptLink, f32, &'c [u16]);

#[derive(Debug, Clone, Default)]
pub struct ScoringPlan {
    tags: Vec<PlannedTag>,
    /// Every scored tag and every ancestor (namespace roots aside), deepest first.
    rollup: Vec<TagId>,
    /// For each entry of `rollup`, the position of its parent in `rollup`.
    rollup_parent: Vec<Option<usize>>,
    /// For each entry of `tags`, its position in `rollup`.
    tag_slot: Vec<usize>,
    /// Classes from this index on are independent evidence (detector concepts; see
    /// `ConceptGraph::with_independent_classes`); `None`: every class is exclusive.
    independent_from: Option<usize>,
}

/// Whether sorted `inner` is a strict subset of sorted `outer`.
fn strict_subset(inner: &[u16], outer: &[u16]) -> bool {
    inner.len() < outer.len() && inner.iter().all(|c| outer.binary_search(c).is_ok())
}

impl ScoringPlan {
    /// Compiles the plan. `classes_of` gives the model classes beneath a concept (sorted; None when
    /// unknown); rejected links and links of unknown tags are left out.
    pub fn new<'c>(
        taxonomy: &Taxonomy,
        links: &[ConceptLink],
        options: &SimilarityOptions,
        classes_of: impl Fn(&str) -> Option<&'c [u16]>,
    ) -> ScoringPlan {
        let mut by_tag: BTreeMap<&TagId, Vec<WeightedLink<'_, 'c>>> = BTreeMap::new();
        for link in links {
            let weight = link_weight(link, options);
            let Some(classes) = classes_of(&link.concept) else { continue };
            if weight <= 0.0 || taxonomy.get(&link.tag).is_none() {
                continue;
            }
            by_tag.entry(&link.tag).or_default().push((link, weight, classes));
        }
        let mut tags: Vec<PlannedTag> = Vec::new();
        // Each planned tag's classes, for its descendants (ids sort parents first).
        let mut final_classes: BTreeMap<TagId, Vec<u16>> = BTreeMap::new();
        // Each parent's children with links, so that siblings are found without scanning every tag.
        let mut children_of: BTreeMap<Option<TagId>, Vec<&TagId>> = BTreeMap::new();
        for tag in by_tag.keys() {
            children_of.entry(tag.parent()).or_default().push(tag);
        }
        for (tag, tag_links) in &by_tag {
            let ancestor_classes: Option<&Vec<u16>> = tag
                .ancestors_and_self()
                .into_iter()
                .rev()
                .skip(1)
                .find_map(|a| final_classes.get(&a))
                .filter(|c| !c.is_empty());
            // Siblings' links that name their concept (not a text-similarity guess).
            let sibling_classes: Vec<&[u16]> = children_of
                .get(&tag.parent())
                .into_iter()
                .flatten()
                .filter(|other| **other != *tag)
                .filter_map(|other| by_tag.get(*other))
                .flat_map(|ls| {
                    ls.iter()
                        .filter(|(l, _, _)| l.method != LinkMethod::Similarity || l.state == LinkState::Confirmed)
                        .map(|(_, _, c)| *c)
                })
                .collect();
            let mut planned: Vec<PlannedLink> = Vec::new();
            for (link, weight, classes) in tag_links {
                let narrower: Vec<&[u16]> =
                    sibling_classes.iter().copied().filter(|s| strict_subset(s, classes)).collect();
                let mut kept: Vec<u16> =
                    classes.iter().copied().filter(|c| !narrower.iter().any(|s| s.binary_search(c).is_ok())).collect();
                // A child implies its parent: a link that overlaps the nearest linked ancestor's
                // classes keeps only those ("Pets › Cats" linked to cat: the domestic cats).
                if let Some(ancestor) = ancestor_classes {
                    if kept.iter().any(|c| ancestor.binary_search(c).is_ok()) {
                        kept.retain(|c| ancestor.binary_search(c).is_ok());
                    }
                }
                planned.push(PlannedLink { concept: link.concept.clone(), weight: *weight, classes: kept });
            }
            let mut union: BTreeMap<u16, f32> = BTreeMap::new();
            for link in &planned {
                for &class in &link.classes {
                    let w = union.entry(class).or_insert(0.0);
                    *w = w.max(link.weight);
                }
            }
            final_classes.insert((*tag).clone(), union.keys().copied().collect());
            tags.push(PlannedTag { tag: (*tag).clone(), classes: union.into_iter().collect(), links: planned });
        }
        let mut rollup: Vec<TagId> = tags.iter().map(|t| t.tag.clone()).collect();
        let mut seen: BTreeSet<TagId> = rollup.iter().cloned().collect();
        let mut i = 0;
        while i < rollup.len() {
            if let Some(parent) = rollup[i].parent().filter(|p| !p.is_namespace() && taxonomy.get(p).is_some()) {
                if seen.insert(parent.clone()) {
                    rollup.push(parent);
                }
            }
            i += 1;
        }
        rollup.sort_by(|a, b| b.ancestors_and_self().len().cmp(&a.ancestors_and_self().len()).then_with(|| a.cmp(b)));
        let position: BTreeMap<&TagId, usize> = rollup.iter().enumerate().map(|(i, t)| (t, i)).collect();
        let rollup_parent = rollup.iter().map(|t| t.parent().and_then(|p| position.get(&p).copied())).collect();
        let tag_slot = tags.iter().map(|t| position.get(&t.tag).copied().unwrap_or(0)).collect();
        ScoringPlan { tags, rollup, rollup_parent, tag_slot, independent_from: None }
    }

    /// Treats the classes from `first` on as independent evidence, combined with the others as
    /// `ConceptGraph::roll_up` does.
    pub fn with_independent_classes(mut self, first: usize) -> ScoringPlan {
        self.independent_from = Some(first);
        self
    }

    /// Confidence of every taxonomy tag that has one for the class probabilities `probs`, sorted by
    /// id: a tag's own confidence is `1 − (1 − Σ w·p over exclusive classes) × Π (1 − w·p of an
    /// independent class)` (`w` the link weights),
    /// a parent's at least its children's. The raw score the taxonomy calibration maps.
    pub fn score(&self, probs: &[f32]) -> Vec<TagScore> {
        let p = |class: u16| probs.get(usize::from(class)).copied().unwrap_or(0.0);
        let independent_from = self.independent_from.unwrap_or(usize::MAX);
        let mut confidence = vec![0.0f32; self.rollup.len()];
        let mut concept: Vec<Option<&str>> = vec![None; self.rollup.len()];
        for (planned, &slot) in self.tags.iter().zip(&self.tag_slot) {
            let (mut exclusive, mut none_independent) = (0.0f32, 1.0f32);
            for &(c, w) in &planned.classes {
                if usize::from(c) < independent_from {
                    exclusive += w * p(c);
                } else {
                    none_independent *= 1.0 - (w * p(c)).clamp(0.0, 1.0);
                }
            }
            let exclusive = exclusive.min(1.0);
            let own = 1.0 - (1.0 - exclusive.clamp(0.0, 1.0)) * none_independent;
            if own.is_nan() || own <= 0.0 {
                continue;
            }
            let mut best: Option<(f32, &str)> = None;
            for link in &planned.links {
                let contribution =
                    link.weight * combine(link.classes.iter().map(|&c| (usize::from(c), p(c))), independent_from);
                if best.is_none_or(|(b, _)| contribution > b) {
                    best = Some((contribution, link.concept.as_str()));
                }
            }
            confidence[slot] = own.min(1.0);
            concept[slot] = best.map(|(_, c)| c);
        }
        // Deepest first, so every parent sees its children's final values.
        for i in 0..self.rollup.len() {
            let Some(parent) = self.rollup_parent[i] else { continue };
            if confidence[i] > confidence[parent] {
                confidence[parent] = confidence[i];
                concept[parent] = None;
            }
        }
        let mut scores: Vec<TagScore> = self
            .rollup
            .iter()
            .enumerate()
            .filter(|&(i, _)| confidence[i] > 0.0)
            .map(|(i, tag)| TagScore {
                tag: tag.clone(),
                confidence: confidence[i],
                concept: concept[i].map(str::to_owned),
            })
            .collect();
        scores.sort_by(|a, b| a.tag.cmp(&b.tag));
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::Tag;

    fn taxonomy(tags: &[(&str, &str, &[&str])]) -> Taxonomy {
        let mut all = vec![Tag::new(TagId::parse("x:").unwrap(), "X")];
        for (id, title, synonyms) in tags {
            let mut t = Tag::new(TagId::parse(id).unwrap(), title);
            if !synonyms.is_empty() {
                t.synonyms.insert("en".into(), synonyms.iter().map(|s| s.to_string()).collect());
            }
            all.push(t);
        }
        Taxonomy::new(all).unwrap()
    }

    /// A toy WordNet. Classes: 0 automobile, 1 railway car, 2 tank (a military vehicle), 3 dog,
    /// 4 cat, 5 ox, 6 impala, 7 Scottish deerhound, 8 space bar, 9 wallet.
    struct Toy;

    fn classes(concept: &str) -> &'static [u16] {
        match concept {
            "n-vehicle" => &[0, 1, 2],
            "n-auto" => &[0],
            "n-railcar" => &[1],
            "n-military-vehicle" => &[2],
            "n-animal" => &[3, 4, 5, 6, 7],
            "n-domestic" => &[3, 4, 7],
            "n-dog" => &[3, 7],
            "n-cat" => &[4],
            "n-ruminant" => &[5, 6],
            "n-impala" => &[6],
            "n-deerhound" => &[7],
            "n-plaything" => &[8, 9],
            "n-space-bar" => &[8],
            "n-wallet" => &[9],
            _ => &[],
        }
    }

    impl Lexicon for Toy {
        fn senses(&self, term: &str) -> Vec<String> {
            let senses: &[&str] = match term {
                "vehicles" | "vehicle" => &["n-vehicle"],
                "cars" | "car" => &["n-railcar", "n-auto"],
                "military vehicles" => &["n-military-vehicle"],
                "animals" => &["n-animal"],
                "cats" => &["n-cat"],
                "toys" => &["n-plaything", "n-dog"],
                "japanese" => &["n-dog"],
                "wallets" => &["n-wallet"],
                _ => &[],
            };
            senses.iter().map(|s| s.to_string()).collect()
        }

        fn meanings(&self, term: &str) -> Vec<Meaning> {
            match term {
                "deer" => vec![Meaning::Within(vec!["n-ruminant".into()])],
                "space" | "military" | "wildlife" => vec![Meaning::OutOfReach],
                "pets" => vec![Meaning::Within(vec!["n-animal".into()])],
                _ => vec![],
            }
        }

        fn is_within(&self, concept: &str, ancestor: &str) -> bool {
            let (c, a) = (classes(concept), classes(ancestor));
            !c.is_empty() && c.iter().all(|x| a.contains(x))
        }

        fn overlaps(&self, a: &str, b: &str) -> bool {
            classes(a).iter().any(|x| classes(b).contains(x))
        }

        fn domain(&self, concept: &str) -> Option<u8> {
            let animal = ["n-animal", "n-domestic", "n-dog", "n-cat", "n-ruminant", "n-impala", "n-deerhound"];
            Some(if animal.contains(&concept) { 5 } else { 6 })
        }

        fn term_domain(&self, term: &str) -> Option<u8> {
            match term {
                "animals" | "pets" | "cats" | "deer" => Some(5),
                "space" | "military" | "wildlife" | "japanese" => None,
                _ => Some(6),
            }
        }

        fn readings(&self, term: &str) -> Vec<(String, String)> {
            match term {
                "cars" => vec![
                    ("n-railcar".into(), "railway car".into()),
                    ("n-auto".into(), "automobile".into()),
                    ("n-cable-car".into(), "cable car".into()),
                ],
                _ => Vec::new(),
            }
        }
    }

    fn links_of<'a>(found: &'a [(TagId, Vec<ConceptLink>)], tag: &str) -> Vec<(&'a str, f32, LinkMethod)> {
        found
            .iter()
            .filter(|(t, _)| t.as_str() == tag)
            .flat_map(|(_, ls)| ls.iter().map(|l| (l.concept.as_str(), l.score, l.method)))
            .collect()
    }

    type StaticLookup = fn(&str) -> Option<&'static [f32]>;

    fn no_embeddings() -> Option<&'static Embeddings<'static, StaticLookup>> {
        None
    }

    #[test]
    fn linking_again_reuses_what_a_change_did_not_touch_and_finds_the_same_links() {
        let before = taxonomy(&[
            ("x:animals", "Animals", &[]),
            ("x:animals/cats", "Cats", &[]),
            ("x:animals/deer", "Deer", &[]),
            ("x:toys", "Toys", &[]),
            ("x:toys/cars", "Cars", &[]),
            ("x:wallets", "Wallets", &[]),
        ]);
        let options = SimilarityOptions::default();
        let (first, memo, linked) =
            link_taxonomy_again(&before, &Toy, no_embeddings(), &[], &options, &LinkMemo::default());
        assert_eq!((linked, memo.len()), (6, 6));
        assert_eq!(first, link_taxonomy(&before, &Toy, no_embeddings(), &[], &options));
        // Nothing changed: nothing linked anew.
        let (again, memo, linked) = link_taxonomy_again(&before, &Toy, no_embeddings(), &[], &options, &memo);
        assert_eq!((again, linked), (first, 0));

        // A new child of Toys: it, its parent (new child domains) and its sibling (new sibling
        // domains) are linked anew; the Animals branch and Wallets are not.
        let after = taxonomy(&[
            ("x:animals", "Animals", &[]),
            ("x:animals/cats", "Cats", &[]),
            ("x:animals/deer", "Deer", &[]),
            ("x:toys", "Toys", &[]),
            ("x:toys/cars", "Cars", &[]),
            ("x:toys/pets", "Pets", &[]),
            ("x:wallets", "Wallets", &[]),
        ]);
        let (incremental, memo, linked) = link_taxonomy_again(&after, &Toy, no_embeddings(), &[], &options, &memo);
        assert_eq!(linked, 3);
        assert_eq!(
            incremental,
            link_taxonomy(&after, &Toy, no_embeddings(), &[], &options),
            "the same as from scratch"
        );

        // A person's link on a parent is its children's context: they are linked again too.
        let fixed = [ConceptLink {
            tag: TagId::parse("x:animals").unwrap(),
            concept: "n-domestic".into(),
            score: 1.0,
            method: LinkMethod::Manual,
            state: LinkState::Rejected,
        }];
        let (with_fixed, _, linked) = link_taxonomy_again(&after, &Toy, no_embeddings(), &fixed, &options, &memo);
        assert!(linked >= 1, "the tag with the person's link");
        assert_eq!(with_fixed, link_taxonomy(&after, &Toy, no_embeddings(), &fixed, &options));
    }

    #[test]
    fn a_compound_of_the_path_gives_a_generic_child_its_meaning() {
        let t = taxonomy(&[("x:military", "Military", &[]), ("x:military/vehicles", "Vehicles", &[])]);
        let found = link_taxonomy(&t, &Toy, no_embeddings(), &[], &SimilarityOptions::default());
        assert_eq!(
            links_of(&found, "x:military/vehicles"),
            [("n-military-vehicle", 1.0, LinkMethod::Lemma)],
            "not every vehicle"
        );
        assert!(links_of(&found, "x:military").is_empty());
    }

    #[test]
    fn senses_are_chosen_by_context_then_the_neighbourhood_then_wordnets_order() {
        let t = taxonomy(&[
            ("x:toys", "Toys", &[]),
            ("x:vehicles", "Vehicles", &[]),
            ("x:vehicles/cars", "Cars", &[]),
            ("x:cars", "Cars", &[]),
        ]);
        let found = link_taxonomy(&t, &Toy, no_embeddings(), &[], &SimilarityOptions::default());
        assert_eq!(
            links_of(&found, "x:toys"),
            [("n-plaything", 1.0, LinkMethod::Lemma)],
            "siblings are artifacts: the plaything, not the toy dog"
        );
        assert_eq!(
            links_of(&found, "x:cars"),
            [("n-railcar", 1.0, LinkMethod::Lemma)],
            "no context: WordNet's first sense only"
        );
        assert_eq!(
            links_of(&found, "x:vehicles/cars"),
            [("n-railcar", 1.0, LinkMethod::Lemma), ("n-auto", 0.8, LinkMethod::Lemma)],
            "both senses fit the parent: the first in full, the other at 0.8"
        );
    }

    #[test]
    fn a_child_counts_only_what_its_parent_covers() {
        let t = taxonomy(&[
            ("x:pets", "Pets", &[]),
            ("x:pets/animals", "Animals", &[]),
            ("x:tools", "Wallets", &[]),
            ("x:tools/cars", "Cars", &[]),
        ]);
        let links = vec![
            link("x:pets", "n-domestic", 1.0, LinkMethod::Synonym),
            link("x:pets/animals", "n-animal", 1.0, LinkMethod::Lemma),
            link("x:tools", "n-wallet", 1.0, LinkMethod::Lemma),
            link("x:tools/cars", "n-auto", 1.0, LinkMethod::Lemma),
        ];
        let impala_and_car = [0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6, 0.0, 0.0, 0.0];
        let got = score(&t, &links, &impala_and_car);
        assert!(!got.contains_key("x:pets/animals"), "animals under pets are pets: no impala, {got:?}");
        assert!((got["x:tools/cars"] - 0.3).abs() < 1e-6, "a link disjoint from the parent's is kept whole");
    }

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn similarity_stays_within_the_genus_of_the_word_and_the_context() {
        let concepts: Vec<(String, Vec<f32>)> = vec![
            ("n-deerhound".into(), unit(&[1.0, 0.1, 0.0])),
            ("n-impala".into(), unit(&[1.0, 0.3, 0.0])),
            ("n-space-bar".into(), unit(&[0.0, 0.0, 1.0])),
            ("n-domestic".into(), unit(&[0.0, 1.0, 0.1])),
            ("n-animal".into(), unit(&[0.0, 1.0, 0.3])),
        ];
        let texts: BTreeMap<&str, Vec<f32>> = BTreeMap::from([
            ("deer", unit(&[1.0, 0.12, 0.0])),
            ("space", unit(&[0.0, 0.0, 1.0])),
            ("pets", unit(&[0.0, 1.0, 0.2])),
            ("animals pets", unit(&[0.0, 1.0, 0.2])),
            ("pets animals", unit(&[0.0, 1.0, 0.2])),
        ]);
        let text = |t: &str| texts.get(t).map(Vec::as_slice);
        let embeddings = Embeddings { text, concepts: &concepts };
        let t = taxonomy(&[
            ("x:deer", "Deer", &[]),
            ("x:space", "Space", &[]),
            ("x:animals", "Animals", &[]),
            ("x:animals/pets", "Pets", &[]),
        ]);
        let found = link_taxonomy(&t, &Toy, Some(&embeddings), &[], &SimilarityOptions::default());
        let concepts_of = |tag: &str| links_of(&found, tag).into_iter().map(|(c, _, _)| c).collect::<Vec<_>>();
        assert_eq!(concepts_of("x:deer"), ["n-impala"], "a ruminant, never the deerhound");
        assert!(concepts_of("x:space").is_empty(), "out of the model's reach: no space bar");
        let mut pets = concepts_of("x:animals/pets");
        pets.sort();
        assert_eq!(pets, ["n-animal", "n-domestic"], "beneath the parent's animal, or it; never broader");
    }

    #[test]
    fn a_description_chooses_a_sense_only_when_it_is_clearly_closer() {
        let described = |id: &str, description: &str| {
            let mut tag = Tag::new(TagId::parse(id).unwrap(), "Cars");
            tag.description = Some(description.into());
            tag
        };
        let t = Taxonomy::new(vec![
            Tag::new(TagId::parse("x:").unwrap(), "X"),
            described("x:autos", "Automobiles on roads"),
            described("x:cable", "Cable cars in the mountains"),
            described("x:vague", "Things with wheels"),
        ])
        .unwrap();
        let texts: BTreeMap<&str, Vec<f32>> = BTreeMap::from([
            ("railway car", unit(&[1.0, 0.0, 0.0])),
            ("automobile", unit(&[0.0, 1.0, 0.0])),
            ("cable car", unit(&[0.0, 0.0, 1.0])),
            ("Cars: Automobiles on roads", unit(&[0.2, 1.0, 0.1])),
            ("Cars: Cable cars in the mountains", unit(&[0.1, 0.12, 1.0])),
            // 0.02 closer to the automobile than to the railway car: below the margin.
            ("Cars: Things with wheels", unit(&[1.0, 1.03, 0.0])),
        ]);
        let text = |t: &str| texts.get(t).map(Vec::as_slice);
        let concepts: Vec<(String, Vec<f32>)> = Vec::new();
        let embeddings = Embeddings { text, concepts: &concepts };
        let found = link_taxonomy(&t, &Toy, Some(&embeddings), &[], &SimilarityOptions::default());
        assert_eq!(
            links_of(&found, "x:autos"),
            [("n-auto", 1.0, LinkMethod::Lemma)],
            "the sense the description names, alone"
        );
        assert_eq!(
            links_of(&found, "x:cable"),
            [("n-railcar", 1.0, LinkMethod::Lemma)],
            "a sense no class shows does not compete, nor take the link away"
        );
        assert_eq!(
            links_of(&found, "x:vague"),
            [("n-railcar", 1.0, LinkMethod::Lemma)],
            "too close to call: WordNet's order"
        );
        let without = link_taxonomy(&t, &Toy, no_embeddings(), &[], &SimilarityOptions::default());
        assert_eq!(
            links_of(&without, "x:autos"),
            [("n-railcar", 1.0, LinkMethod::Lemma)],
            "no text model: WordNet's order"
        );
    }

    #[test]
    fn independent_classes_join_the_image_part_as_independent_evidence() {
        // Classes 0–1 exclusive (the image model), class 2 independent (a detector).
        let t = taxonomy(&[("x:people", "People", &[])]);
        let link = |concept: &str| ConceptLink {
            tag: TagId::parse("x:people").unwrap(),
            concept: concept.into(),
            score: 1.0,
            method: LinkMethod::Lemma,
            state: LinkState::Auto,
        };
        let classes_of = |concept: &str| -> Option<&'static [u16]> {
            match concept {
                "n-diver" => Some(&[0]),
                "n-people" => Some(&[2]),
                _ => None,
            }
        };
        let plan =
            ScoringPlan::new(&t, &[link("n-diver"), link("n-people")], &SimilarityOptions::default(), classes_of)
                .with_independent_classes(2);
        let got = plan.score(&[0.4, 0.3, 0.5]);
        assert!((got[0].confidence - (1.0 - (1.0 - 0.4) * (1.0 - 0.5))).abs() < 1e-6, "{got:?}");
        // Only the detector.
        let got = plan.score(&[0.0, 0.3, 0.5]);
        assert!((got[0].confidence - 0.5).abs() < 1e-6, "{got:?}");
        // Without independent classes the plan sums as before.
        let plain =
            ScoringPlan::new(&t, &[link("n-diver"), link("n-people")], &SimilarityOptions::default(), classes_of);
        assert!((plain.score(&[0.4, 0.3, 0.5])[0].confidence - 0.9).abs() < 1e-6);
    }

    #[test]
    fn fixed_links_are_context_and_rejected_ones_are_never_made() {
        let t = taxonomy(&[("x:stuff", "Stuff", &[]), ("x:stuff/cars", "Cars", &[]), ("x:toys", "Toys", &[])]);
        let fixed = |tag: &str, concept: &str, state| ConceptLink {
            tag: TagId::parse(tag).unwrap(),
            concept: concept.into(),
            score: 1.0,
            method: LinkMethod::Manual,
            state,
        };
        let fixed =
            [fixed("x:stuff", "n-vehicle", LinkState::Confirmed), fixed("x:toys", "n-plaything", LinkState::Rejected)];
        let found = link_taxonomy(&t, &Toy, no_embeddings(), &fixed, &SimilarityOptions::default());
        assert_eq!(
            links_of(&found, "x:stuff/cars"),
            [("n-railcar", 1.0, LinkMethod::Lemma), ("n-auto", 0.8, LinkMethod::Lemma)]
        );
        assert!(links_of(&found, "x:toys").is_empty());
    }

    fn link(tag: &str, concept: &str, score: f32, method: LinkMethod) -> ConceptLink {
        ConceptLink { tag: TagId::parse(tag).unwrap(), concept: concept.into(), score, method, state: LinkState::Auto }
    }

    fn score(t: &Taxonomy, links: &[ConceptLink], probs: &[f32]) -> BTreeMap<String, f32> {
        let classes_of = |c: &str| Some(classes(c)).filter(|c| !c.is_empty());
        score_tags(t, links, &SimilarityOptions::default(), classes_of, probs)
            .into_iter()
            .map(|s| (s.tag.to_string(), s.confidence))
            .collect()
    }

    #[test]
    fn scores_roll_up_the_customer_hierarchy_and_skip_rejected_links() {
        let t = taxonomy(&[
            ("x:vehicles", "Vehicles", &[]),
            ("x:vehicles/cars", "Cars", &[]),
            ("x:animals", "Animals", &[]),
            ("x:animals/pets", "Pets", &[]),
        ]);
        let mut links = vec![
            link("x:vehicles", "n-vehicle", 1.0, LinkMethod::Lemma),
            link("x:vehicles/cars", "n-auto", 1.0, LinkMethod::Lemma),
            link("x:animals", "n-animal", 1.0, LinkMethod::Lemma),
            link("x:animals/pets", "n-cat", 0.6, LinkMethod::Similarity),
        ];
        let probs = [0.2, 0.1, 0.0, 0.0, 0.6, 0.1, 0.0, 0.0, 0.0, 0.0];
        let got = score(&t, &links, &probs);
        assert!((got["x:vehicles/cars"] - 0.2).abs() < 1e-6);
        assert!((got["x:vehicles"] - 0.3).abs() < 1e-6);
        let pets = 0.6 * (0.6 - 0.45) / 0.3;
        assert!((got["x:animals/pets"] - pets).abs() < 1e-6);
        assert!((got["x:animals"] - 0.7).abs() < 1e-6, "own evidence beats a weaker child");
        assert!(!got.contains_key("x:"), "namespace roots are not scored");

        links[0].state = LinkState::Rejected;
        let got = score(&t, &links, &probs);
        assert!(
            (got["x:vehicles"] - 0.2).abs() < 1e-6,
            "a rejected link no longer counts; the child still implies the parent"
        );
    }

    #[test]
    fn several_links_count_the_union_of_their_classes_once() {
        let t = taxonomy(&[("x:rides", "Rides", &[])]);
        let links = vec![
            link("x:rides", "n-auto", 1.0, LinkMethod::Lemma),
            link("x:rides", "n-vehicle", 0.5, LinkMethod::Lemma),
        ];
        let got = score(&t, &links, &[0.4, 0.2, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        // 0.4×1 + 0.2×0.5 + 0.2×0.5
        assert!((got["x:rides"] - 0.6).abs() < 1e-6, "{got:?}");
    }

    #[test]
    fn siblings_are_alternatives_a_broader_link_leaves_out_a_narrower_siblings_classes() {
        let t = taxonomy(&[("x:pets", "Pets", &[]), ("x:wildlife", "Wildlife", &[])]);
        let mut links = vec![
            link("x:pets", "n-domestic", 0.9, LinkMethod::Synonym),
            link("x:wildlife", "n-animal", 0.9, LinkMethod::Synonym),
        ];
        let cat = [0.0, 0.0, 0.0, 0.05, 0.9, 0.0, 0.0, 0.0, 0.0, 0.0];
        let got = score(&t, &links, &cat);
        assert!(!got.contains_key("x:wildlife"), "a cat is a pet, not wildlife: {got:?}");
        links[0].method = LinkMethod::Similarity;
        assert!(score(&t, &links, &cat).contains_key("x:wildlife"), "a sibling's similarity guess takes nothing away");
        links[0].method = LinkMethod::Synonym;
        let impala = [0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.8, 0.0, 0.0, 0.0];
        assert!((score(&t, &links, &impala)["x:wildlife"] - 0.81).abs() < 1e-6);
    }
}
