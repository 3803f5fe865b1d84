//! SKOS in Turtle, the W3C form that taxonomy tools export.
//!
//! Import reads the Turtle with `rio_turtle` (prefixes, base, literals with language tags and
//! datatypes, lists, comments, multi-line strings) and maps:
//! - a `skos:ConceptScheme` to a namespace root tag: its namespace is
//!   [`SkosOptions::namespace`], else our own `skos:notation` (see [`TAG_ID_DATATYPE`]), else the
//!   slug of its English `skos:prefLabel` / `dct:title` / `dc:title` / `rdfs:label`, else of its
//!   IRI's local name, and `taxonomy` when the file has no scheme. Its title is that label, by
//!   default the namespace;
//! - a `skos:Concept` (or an untyped subject with a `skos:prefLabel` and one of `skos:inScheme`,
//!   `skos:topConceptOf`, `skos:broader`, `skos:narrower`) to a tag: `skos:prefLabel` to titles
//!   and `skos:altLabel` to synonyms per language (no language tag means `en`),
//!   `skos:definition` (else `skos:scopeNote`) in `en` to the description, the IRI to
//!   [`Tag::external_id`];
//! - the hierarchy from `skos:broader` and `skos:narrower` (both directions merged); a concept
//!   without a broader concept sits under the scheme it is `skos:topConceptOf` (or that
//!   `skos:hasTopConcept` it), else the one it is `skos:inScheme`, else the file's only scheme.
//!   A broader concept wins over `skos:topConceptOf`.
//!
//! A tag id is the path from the scheme down, each segment the [`slug`] of the concept's English
//! prefLabel (or of its IRI's local name when that gives no letter or digit); siblings with equal
//! segments get `-2`, `-3`… in the order of their IRIs. Problems, all reported together:
//! Turtle syntax (with line and column), a broader concept missing from the file, cycles,
//! several broader concepts (poly-hierarchy), several prefLabels in one language, no English
//! prefLabel, bad language tags, and whatever [`Taxonomy::new`] finds.
//!
//! Export writes every namespace as a `skos:ConceptScheme` and every other tag as a
//! `skos:Concept`, with `skos:notation "<tag id>"^^<urn:smart-tags:tag-id>` so that ids survive
//! a round trip even when they are not the slugs of their titles.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use rio_api::model::{Literal, Subject, Term, Triple};
use rio_api::parser::{ParseError as _, TriplesParser as _};
use rio_turtle::{TurtleError, TurtleParser};

use super::id::slug;
use super::validate::{find_cycles, ImportProblem, ImportReport};
use super::{Tag, TagId, Taxonomy, DEFAULT_LOCALE};

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const DCT_TITLE: &str = "http://purl.org/dc/terms/title";
const DC_TITLE: &str = "http://purl.org/dc/elements/1.1/title";

/// Datatype of the `skos:notation` that export writes: the literal is the tag id; import takes
/// the last segment (the namespace for a scheme) instead of a slug. Other notations are ignored.
pub const TAG_ID_DATATYPE: &str = "urn:smart-tags:tag-id";

/// Base IRI of exported tags that have no [`Tag::external_id`].
pub const DEFAULT_BASE_IRI: &str = "https://example.org/taxonomy/";

/// How to map SKOS to tag ids and back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkosOptions {
    /// Import: the id namespace of every tag, overriding the one derived from the concept scheme
    /// (only for a file with at most one scheme). Export ignores it.
    pub namespace: Option<String>,
    /// Export: the base of the IRIs of tags without an external id (`<base><namespace>/<path>`);
    /// an invalid one falls back to [`DEFAULT_BASE_IRI`]. Import: the base of relative IRIs.
    pub base_iri: String,
}

impl Default for SkosOptions {
    fn default() -> SkosOptions {
        SkosOptions { namespace: None, base_iri: DEFAULT_BASE_IRI.to_owned() }
    }
}

/// A `(language, text)` pair as read; the language is lowercase (Turtle parsers fold it) and
/// empty for a plain literal.
type Text = (String, String);

/// What the file says about one subject (an IRI, or a blank node as `_:id`).
#[derive(Debug, Default)]
struct Resource {
    typed_concept: bool,
    typed_scheme: bool,
    /// Has `skos:inScheme`, `skos:topConceptOf`, `skos:broader` or `skos:narrower` itself.
    structural: bool,
    pref_labels: Vec<Text>,
    alt_labels: Vec<Text>,
    definitions: Vec<Text>,
    scope_notes: Vec<Text>,
    /// `dct:title`, `dc:title` and `rdfs:label`, for schemes.
    other_titles: Vec<Text>,
    broader: Vec<String>,
    top_of: Vec<String>,
    in_scheme: Vec<String>,
    notation: Option<String>,
    /// Objects of the wrong kind, reported as bad values.
    issues: Vec<String>,
}

/// Reads a taxonomy from SKOS in Turtle; all or nothing, every problem reported.
pub fn import(text: &str, options: &SkosOptions) -> Result<Taxonomy, ImportReport> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let resources = read_graph(text, &options.base_iri).map_err(ImportReport::one)?;
    Importer { resources, problems: Vec::new() }.run(options)
}

/// Parses the Turtle into resources, or gives the first syntax error.
fn read_graph(text: &str, base_iri: &str) -> Result<BTreeMap<String, Resource>, ImportProblem> {
    let base = oxiri::Iri::parse(base_iri.to_owned()).ok();
    let mut resources: BTreeMap<String, Resource> = BTreeMap::new();
    let mut parser = TurtleParser::new(text.as_bytes(), base);
    let result = parser.parse_all(&mut |triple: Triple<'_>| -> Result<(), TurtleError> {
        add_triple(&mut resources, &triple);
        Ok(())
    });
    match result {
        Ok(()) => Ok(resources),
        Err(error) => {
            let mut message = error.to_string();
            let location = match error.textual_position() {
                Some(position) => {
                    let suffix = format!(" on line {} at position {}", position.line_number(), position.byte_number());
                    if let Some(stripped) = message.strip_suffix(&suffix) {
                        message = stripped.to_owned();
                    }
                    // rio counts lines from 1 and bytes within the line from 1; columns are characters.
                    let line = usize::try_from(position.line_number()).unwrap_or(usize::MAX);
                    let byte = usize::try_from(position.byte_number()).unwrap_or(1).saturating_sub(1);
                    let text_line = text.split('\n').nth(line.saturating_sub(1)).unwrap_or_default();
                    let mut end = byte.min(text_line.len());
                    while !text_line.is_char_boundary(end) {
                        end -= 1;
                    }
                    format!("line {line}, column {}", text_line[..end].chars().count() + 1)
                }
                None => "turtle".to_owned(),
            };
            Err(ImportProblem::Syntax { location, message })
        }
    }
}

fn node_of_subject(subject: &Subject<'_>) -> Option<String> {
    match subject {
        Subject::NamedNode(n) => Some(n.iri.to_owned()),
        Subject::BlankNode(b) => Some(format!("_:{}", b.id)),
        Subject::Triple(_) => None,
    }
}

fn node_of_term(term: &Term<'_>) -> Option<String> {
    match term {
        Term::NamedNode(n) => Some(n.iri.to_owned()),
        Term::BlankNode(b) => Some(format!("_:{}", b.id)),
        Term::Literal(_) | Term::Triple(_) => None,
    }
}

fn text_of_term(term: &Term<'_>) -> Option<Text> {
    match term {
        Term::Literal(Literal::Simple { value }) | Term::Literal(Literal::Typed { value, .. }) => {
            Some((String::new(), (*value).to_owned()))
        }
        Term::Literal(Literal::LanguageTaggedString { value, language }) => {
            Some((language.to_ascii_lowercase(), (*value).to_owned()))
        }
        Term::NamedNode(_) | Term::BlankNode(_) | Term::Triple(_) => None,
    }
}

fn add_triple(resources: &mut BTreeMap<String, Resource>, triple: &Triple<'_>) {
    let Some(subject) = node_of_subject(&triple.subject) else { return };
    let predicate = triple.predicate.iri;
    let object = &triple.object;
    let name = predicate.strip_prefix(SKOS);
    let expects_text = matches!(name, Some("prefLabel" | "altLabel" | "definition" | "scopeNote"))
        || [DCT_TITLE, DC_TITLE, RDFS_LABEL].contains(&predicate);
    let expects_node = predicate == RDF_TYPE
        || matches!(name, Some("broader" | "narrower" | "topConceptOf" | "hasTopConcept" | "inScheme"));
    if !expects_text && !expects_node && name != Some("notation") {
        return;
    }
    let short = name.map_or_else(|| predicate.to_owned(), |n| format!("skos:{n}"));
    if expects_text {
        let resource = resources.entry(subject).or_default();
        let Some(text) = text_of_term(object) else {
            resource.issues.push(format!("{short} must be a literal, not {object}"));
            return;
        };
        match name {
            Some("prefLabel") => resource.pref_labels.push(text),
            Some("altLabel") => resource.alt_labels.push(text),
            Some("definition") => resource.definitions.push(text),
            Some("scopeNote") => resource.scope_notes.push(text),
            _ => resource.other_titles.push(text),
        }
        return;
    }
    if name == Some("notation") {
        if let Term::Literal(Literal::Typed { value, datatype }) = object {
            if datatype.iri == TAG_ID_DATATYPE {
                resources.entry(subject).or_default().notation = Some((*value).to_owned());
            }
        }
        return;
    }
    let Some(target) = node_of_term(object) else {
        resources.entry(subject).or_default().issues.push(format!("{short} must be an IRI, not {object}"));
        return;
    };
    if predicate == RDF_TYPE {
        let resource = resources.entry(subject).or_default();
        match target.strip_prefix(SKOS) {
            Some("Concept") => resource.typed_concept = true,
            Some("ConceptScheme") => resource.typed_scheme = true,
            _ => {}
        }
        return;
    }
    match name {
        Some("broader") => {
            let resource = resources.entry(subject).or_default();
            resource.structural = true;
            resource.broader.push(target);
        }
        Some("narrower") => {
            resources.entry(subject.clone()).or_default().structural = true;
            resources.entry(target).or_default().broader.push(subject);
        }
        Some("topConceptOf") => {
            let resource = resources.entry(subject).or_default();
            resource.structural = true;
            resource.top_of.push(target);
        }
        Some("hasTopConcept") => {
            resources.entry(target).or_default().top_of.push(subject);
        }
        Some("inScheme") => {
            let resource = resources.entry(subject).or_default();
            resource.structural = true;
            resource.in_scheme.push(target);
        }
        _ => {}
    }
}

/// Where a concept hangs: under another concept or at the top of a scheme.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Parent {
    Concept(String),
    Scheme(String),
}

struct Importer {
    resources: BTreeMap<String, Resource>,
    problems: Vec<ImportProblem>,
}

impl Importer {
    fn run(mut self, options: &SkosOptions) -> Result<Taxonomy, ImportReport> {
        // Schemes: typed, or named by inScheme / topConceptOf / hasTopConcept.
        let mut schemes: BTreeSet<String> =
            self.resources.iter().filter(|(_, r)| r.typed_scheme).map(|(k, _)| k.clone()).collect();
        for resource in self.resources.values() {
            schemes.extend(resource.in_scheme.iter().cloned());
            schemes.extend(resource.top_of.iter().cloned());
        }
        let concepts: BTreeSet<String> = self
            .resources
            .iter()
            .filter(|(key, r)| {
                !schemes.contains(*key) && (r.typed_concept || (r.structural && !r.pref_labels.is_empty()))
            })
            .map(|(k, _)| k.clone())
            .collect();
        for (key, resource) in &self.resources {
            if resource.typed_concept && schemes.contains(key) {
                self.problems.push(ImportProblem::BadValue {
                    id: show(key),
                    message: "is both a skos:Concept and a skos:ConceptScheme".to_owned(),
                    location: None,
                });
            }
            let linked = !resource.broader.is_empty() || !resource.top_of.is_empty() || !resource.in_scheme.is_empty();
            if linked && !concepts.contains(key) && !schemes.contains(key) {
                let message = "is linked into the hierarchy (skos:broader, skos:narrower, skos:hasTopConcept or skos:inScheme) but is not a concept in this file: type it skos:Concept and give it a skos:prefLabel".to_owned();
                self.problems.push(ImportProblem::BadValue { id: show(key), message, location: None });
            }
        }

        if schemes.is_empty() && concepts.is_empty() {
            let message = "no skos:Concept or skos:ConceptScheme found".to_owned();
            return Err(ImportReport::one(ImportProblem::Syntax { location: "turtle".to_owned(), message }));
        }
        let namespaces = self.namespaces(&schemes, options);
        let parents = self.parents(&concepts, &schemes);
        let ids = self.ids(&namespaces, &parents);

        let mut tags = Vec::new();
        let mut iri_of: HashMap<String, String> = HashMap::new();
        for (key, id) in &ids {
            let tag = self.tag(key, id.clone(), namespaces.get(key).map(String::as_str));
            iri_of.insert(id.to_string(), key.clone());
            tags.push(tag);
        }
        let mut problems = self.problems;
        match Taxonomy::new(tags) {
            Ok(taxonomy) if problems.is_empty() => Ok(taxonomy),
            Ok(_) => Err(ImportReport { problems }),
            Err(report) => {
                for mut problem in report.problems {
                    let key = problem.tag_id().and_then(|id| iri_of.get(id));
                    problem.locate(|| key.filter(|k| !k.is_empty()).map(|k| show(k)));
                    problems.push(problem);
                }
                Err(ImportReport { problems })
            }
        }
    }

    /// The namespace of each scheme (the key `""` stands for the implied scheme of a file that
    /// has none).
    fn namespaces(&mut self, schemes: &BTreeSet<String>, options: &SkosOptions) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Some(namespace) = &options.namespace {
            if let Err(e) = TagId::namespace_root(namespace) {
                self.problems
                    .push(ImportProblem::BadId { location: "namespace option".to_owned(), message: e.to_string() });
            }
            if schemes.len() > 1 {
                let list: Vec<String> = schemes.iter().map(|s| show(s)).collect();
                let message = format!("the file has {} concept schemes ({}); leave the namespace option unset to import each as its own namespace", schemes.len(), list.join(", "));
                self.problems.push(ImportProblem::BadId { location: "namespace option".to_owned(), message });
            }
        }
        if schemes.is_empty() {
            out.insert(String::new(), options.namespace.clone().unwrap_or_else(|| "taxonomy".to_owned()));
            return out;
        }
        let mut names = Names::default();
        for scheme in schemes {
            let resource = self.resources.get(scheme);
            let base = match (&options.namespace, resource) {
                (Some(namespace), _) => namespace.clone(),
                (None, Some(r)) => notation_segment(r, true)
                    .or_else(|| english(&r.pref_labels).or_else(|| english(&r.other_titles)).and_then(|t| slug_of(&t)))
                    .unwrap_or_else(|| local_slug(scheme)),
                (None, None) => local_slug(scheme),
            };
            out.insert(scheme.clone(), names.unique(&base));
        }
        out
    }

    /// The parent of each concept; structural problems reported. Cycles are broken so that every
    /// concept still gets an id and its own problems can be reported too.
    fn parents(&mut self, concepts: &BTreeSet<String>, schemes: &BTreeSet<String>) -> BTreeMap<String, Parent> {
        let mut broader_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for key in concepts {
            let Some(resource) = self.resources.get(key) else { continue };
            let mut broader: Vec<String> = resource.broader.clone();
            broader.sort();
            broader.dedup();
            let mut known = Vec::new();
            for parent in broader {
                if concepts.contains(&parent) {
                    known.push(parent);
                } else {
                    self.problems.push(ImportProblem::UnknownParent {
                        id: show(key),
                        parent: show(&parent),
                        location: None,
                    });
                }
            }
            if known.len() > 1 {
                self.problems.push(ImportProblem::SeveralParents {
                    id: show(key),
                    parents: known.iter().map(|p| show(p)).collect(),
                    location: None,
                });
            }
            broader_of.insert(key.clone(), known);
        }
        for cycle in find_cycles(&broader_of) {
            self.problems.push(ImportProblem::Cycle { ids: cycle.iter().map(|k| show(k)).collect() });
        }
        // One parent each, then break what cycles remain at their smallest concept.
        let mut chosen: BTreeMap<String, Vec<String>> = broader_of
            .into_iter()
            .map(|(k, mut v)| {
                (k, {
                    v.truncate(1);
                    v
                })
            })
            .collect();
        for cycle in find_cycles(&chosen) {
            if let Some(first) = cycle.first() {
                chosen.insert(first.clone(), Vec::new());
            }
        }
        let only_scheme = match schemes.len() {
            0 => Some(String::new()),
            1 => schemes.first().cloned(),
            _ => None,
        };
        let mut out = BTreeMap::new();
        for (key, parent) in chosen {
            if let Some(parent) = parent.into_iter().next() {
                out.insert(key, Parent::Concept(parent));
                continue;
            }
            let scheme = self.top_scheme(&key, schemes, only_scheme.as_ref());
            out.insert(key, Parent::Scheme(scheme));
        }
        out
    }

    /// The scheme a concept without a broader concept sits at the top of.
    fn top_scheme(&mut self, key: &str, schemes: &BTreeSet<String>, only: Option<&String>) -> String {
        let (mut top_of, mut in_scheme) =
            self.resources.get(key).map_or((Vec::new(), Vec::new()), |r| (r.top_of.clone(), r.in_scheme.clone()));
        for list in [&mut top_of, &mut in_scheme] {
            list.retain(|s| schemes.contains(s));
            list.sort();
            list.dedup();
        }
        let candidates = if top_of.is_empty() { in_scheme } else { top_of };
        match (candidates.as_slice(), only) {
            ([one], _) => one.clone(),
            ([], Some(only)) => only.clone(),
            ([], None) => {
                let message = format!("has no broader concept and no skos:topConceptOf or skos:inScheme to say which of the {} concept schemes it belongs to", schemes.len());
                self.problems.push(ImportProblem::BadValue { id: show(key), message, location: None });
                schemes.first().cloned().unwrap_or_default()
            }
            (several, _) => {
                self.problems.push(ImportProblem::SeveralParents {
                    id: show(key),
                    parents: several.iter().map(|s| show(s)).collect(),
                    location: None,
                });
                several[0].clone()
            }
        }
    }

    /// The tag id of every scheme and concept that can have one, breadth first from the schemes.
    fn ids(
        &mut self,
        namespaces: &BTreeMap<String, String>,
        parents: &BTreeMap<String, Parent>,
    ) -> BTreeMap<String, TagId> {
        let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (key, parent) in parents {
            let (Parent::Concept(p) | Parent::Scheme(p)) = parent;
            children.entry(p.as_str()).or_default().push(key.as_str());
        }
        let mut ids = BTreeMap::new();
        let mut queue = std::collections::VecDeque::new();
        for (scheme, namespace) in namespaces {
            match TagId::namespace_root(namespace) {
                Ok(id) => {
                    ids.insert(scheme.clone(), id);
                    queue.push_back(scheme.as_str());
                }
                Err(e) => self.problems.push(ImportProblem::BadId { location: show(scheme), message: e.to_string() }),
            }
        }
        while let Some(parent) = queue.pop_front() {
            let Some(parent_id) = ids.get(parent).cloned() else { continue };
            let mut names = Names::default();
            for &child in children.get(parent).map_or(&[][..], Vec::as_slice) {
                let segment = self.resources.get(child).and_then(|r| {
                    notation_segment(r, false).or_else(|| english(&r.pref_labels).and_then(|t| slug_of(&t)))
                });
                let segment = names.unique(&segment.unwrap_or_else(|| local_slug(child)));
                match parent_id.child(&segment) {
                    Ok(id) => {
                        ids.insert(child.to_owned(), id);
                        queue.push_back(child);
                    }
                    Err(e) => {
                        self.problems.push(ImportProblem::BadId { location: show(child), message: e.to_string() })
                    }
                }
            }
        }
        ids
    }

    /// The tag of a scheme (`namespace` set) or concept, its label problems reported.
    fn tag(&mut self, key: &str, id: TagId, namespace: Option<&str>) -> Tag {
        let empty = Resource::default();
        let resource = self.resources.get(key).unwrap_or(&empty);
        let mut problems = Vec::new();
        let mut titles: BTreeMap<String, String> = BTreeMap::new();
        let mut sources = vec![(&resource.pref_labels, true)];
        if namespace.is_some() {
            sources.push((&resource.other_titles, false));
        }
        for (labels, preferred) in sources {
            let mut these: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            let mut seen: HashSet<(&str, &str)> = HashSet::new();
            for (lang, text) in labels {
                let lang = if lang.is_empty() { DEFAULT_LOCALE } else { lang.as_str() };
                if seen.insert((lang, text.as_str())) {
                    these.entry(lang.to_owned()).or_default().push(text);
                }
            }
            for (lang, list) in these {
                if list.len() > 1 && preferred {
                    let quoted: Vec<String> = list.iter().map(|t| format!("{t:?}")).collect();
                    problems.push(ImportProblem::BadValue {
                        id: id.to_string(),
                        message: format!("several skos:prefLabel in {lang}: {}", quoted.join(", ")),
                        location: Some(show(key)),
                    });
                }
                if let (std::collections::btree_map::Entry::Vacant(entry), Some(first)) =
                    (titles.entry(lang), list.first())
                {
                    entry.insert((*first).to_owned());
                }
            }
        }
        if let Some(namespace) = namespace {
            titles.entry(DEFAULT_LOCALE.to_owned()).or_insert_with(|| namespace.to_owned());
        }
        let mut synonyms: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (lang, text) in &resource.alt_labels {
            let lang = if lang.is_empty() { DEFAULT_LOCALE } else { lang.as_str() };
            synonyms.entry(lang.to_owned()).or_default().push(text.clone());
        }
        let english_note = |notes: &Vec<Text>| {
            notes
                .iter()
                .find(|(l, _)| l == DEFAULT_LOCALE)
                .or_else(|| notes.iter().find(|(l, _)| l.is_empty()))
                .map(|(_, t)| t.clone())
        };
        let description = english_note(&resource.definitions).or_else(|| english_note(&resource.scope_notes));
        for issue in &resource.issues {
            problems.push(ImportProblem::BadValue {
                id: id.to_string(),
                message: issue.clone(),
                location: Some(show(key)),
            });
        }
        let external_id = (!key.is_empty() && !key.starts_with("_:")).then(|| key.to_owned());
        self.problems.extend(problems);
        Tag { id, titles, synonyms, description, external_id }
    }
}

/// `<iri>` for messages; a blank node as is.
fn show(key: &str) -> String {
    if key.starts_with("_:") || key.is_empty() {
        key.to_owned()
    } else {
        format!("<{key}>")
    }
}

/// The first English (or untagged) text.
fn english(texts: &[Text]) -> Option<String> {
    texts
        .iter()
        .find(|(l, _)| l == DEFAULT_LOCALE)
        .or_else(|| texts.iter().find(|(l, _)| l.is_empty()))
        .map(|(_, t)| t.clone())
}

/// The segment our own notation gives: the namespace of a scheme, the last segment otherwise.
fn notation_segment(resource: &Resource, scheme: bool) -> Option<String> {
    let id = TagId::parse(resource.notation.as_deref()?.trim()).ok()?;
    Some(if scheme { id.namespace().to_owned() } else { id.name().to_owned() })
}

/// The slug of a text, unless it has no letter or digit to give one.
fn slug_of(text: &str) -> Option<String> {
    let s = slug(text);
    (s != "tag" || text.to_lowercase().contains("tag")).then_some(s)
}

/// The slug of an IRI's local name (after the last `#`, `/` or `:`), or `concept`.
fn local_slug(key: &str) -> String {
    let local = key.trim_end_matches(['/', '#']).rsplit(['#', '/', ':']).next().unwrap_or_default();
    slug_of(local).unwrap_or_else(|| "concept".to_owned())
}

/// Gives out names: `base`, or `base-2`, `base-3`… whichever is not given yet.
#[derive(Default)]
struct Names {
    given: HashSet<String>,
    /// The next suffix to try per base, so that many equal bases stay linear.
    next: HashMap<String, usize>,
}

impl Names {
    fn unique(&mut self, base: &str) -> String {
        let mut candidate = base.to_owned();
        let next = self.next.entry(base.to_owned()).or_insert(2);
        while self.given.contains(&candidate) {
            candidate = format!("{base}-{next}");
            *next += 1;
        }
        self.given.insert(candidate.clone());
        candidate
    }
}

/// Writes the taxonomy as SKOS in Turtle; [`import`] reads it back to an equal taxonomy.
pub fn export(taxonomy: &Taxonomy, options: &SkosOptions) -> String {
    let base = usable_iri(&options.base_iri).map_or_else(
        || DEFAULT_BASE_IRI.to_owned(),
        |b| if b.ends_with(['/', '#']) { b.to_owned() } else { format!("{b}/") },
    );

    // IRIs: the external id when it is a usable IRI not taken, else generated from the id.
    let mut iris: BTreeMap<&TagId, String> = BTreeMap::new();
    let mut names = Names::default();
    for tag in taxonomy.tags() {
        if let Some(iri) = tag.external_id.as_deref().and_then(usable_iri) {
            if names.given.insert(iri.to_owned()) {
                iris.insert(&tag.id, iri.to_owned());
            }
        }
    }
    for tag in taxonomy.tags() {
        if !iris.contains_key(&tag.id) {
            let generated = if tag.id.is_namespace() {
                format!("{base}{}", tag.id.namespace())
            } else {
                format!("{base}{}/{}", tag.id.namespace(), tag.id.path())
            };
            iris.insert(&tag.id, names.unique(&generated));
        }
    }
    let iri = |id: &TagId| iris.get(id).cloned().unwrap_or_default();

    let mut children: BTreeMap<TagId, Vec<&TagId>> = BTreeMap::new();
    for tag in taxonomy.tags() {
        if let Some(parent) = tag.id.parent() {
            children.entry(parent).or_default().push(&tag.id);
        }
    }

    let mut out = String::from("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n");
    for tag in taxonomy.tags() {
        let scheme = TagId::namespace_root(tag.id.namespace()).map(|root| iri(&root)).unwrap_or_default();
        let _ = write!(
            out,
            "\n<{}> a {} ;\n",
            iri(&tag.id),
            if tag.id.is_namespace() { "skos:ConceptScheme" } else { "skos:Concept" }
        );
        let mut lines: Vec<String> = Vec::new();
        lines.push(format!("skos:notation {}^^<{TAG_ID_DATATYPE}>", quote(tag.id.as_str())));
        match tag.id.parent() {
            None => {}
            Some(parent) if parent.is_namespace() => {
                lines.push(format!("skos:inScheme <{scheme}>"));
                lines.push(format!("skos:topConceptOf <{scheme}>"));
            }
            Some(parent) => {
                lines.push(format!("skos:inScheme <{scheme}>"));
                lines.push(format!("skos:broader <{}>", iri(&parent)));
            }
        }
        let labels = |texts: &mut dyn Iterator<Item = (&String, &String)>| {
            texts.map(|(lang, text)| format!("{}@{lang}", quote(text))).collect::<Vec<_>>().join(", ")
        };
        lines.push(format!("skos:prefLabel {}", labels(&mut tag.titles.iter())));
        let alt = labels(&mut tag.synonyms.iter().flat_map(|(lang, list)| list.iter().map(move |s| (lang, s))));
        if !alt.is_empty() {
            lines.push(format!("skos:altLabel {alt}"));
        }
        if let Some(description) = &tag.description {
            lines.push(format!("skos:definition {}@{DEFAULT_LOCALE}", quote(description)));
        }
        if let Some(kids) = children.get(&tag.id) {
            let list: Vec<String> = kids.iter().map(|k| format!("<{}>", iri(k))).collect();
            let property = if tag.id.is_namespace() { "skos:hasTopConcept" } else { "skos:narrower" };
            lines.push(format!("{property} {}", list.join(", ")));
        }
        let _ = writeln!(out, "    {} .", lines.join(" ;\n    "));
    }
    out
}

/// `iri` when it is an absolute IRI that Turtle can write between `<` and `>` unescaped.
fn usable_iri(iri: &str) -> Option<&str> {
    let clean = !iri.chars().any(|c| c <= ' ' || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\'));
    (clean && oxiri::Iri::parse(iri).is_ok()).then_some(iri)
}

/// A Turtle string literal: `"…"` with `\\`, `\"` and control characters escaped.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> TagId {
        TagId::parse(s).unwrap()
    }

    fn kinds(report: &ImportReport) -> Vec<String> {
        report.problems.iter().map(|p| serde_json::to_value(p).unwrap()["kind"].as_str().unwrap().to_owned()).collect()
    }

    const SAMPLE: &str = r#"
        # A comment
        @base <https://example.com/vocab/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        PREFIX dct: <http://purl.org/dc/terms/>
        prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#>

        <scheme> a skos:ConceptScheme ; dct:title "Products Catalogue"@en ;
            skos:hasTopConcept <apparel> .
        <apparel> a skos:Concept ; skos:prefLabel "Apparel" , "Bekleidung"@DE ;
            skos:altLabel "clothing"@en, "Clothing"@en, "wear"@en, "Kleidung"@de ;
            skos:scopeNote "Anything you wear."@en ;
            skos:narrower <https://example.com/vocab/shoes> .
        <shoes> a skos:Concept ; skos:inScheme <scheme> ;
            skos:prefLabel "Shoes & Boots"@en ;
            skos:definition """Footwear,
        of any "kind"."""@en, "Schuhwerk"@de ;
            skos:scopeNote "ignored: definition wins"@en .
        <b> a skos:Concept ; skos:broader <shoes> ; skos:prefLabel "Running"@en .
        <a> a skos:Concept ; skos:broader <shoes> ; skos:prefLabel "Running"@en ; skos:notation "R1" .
        <c> a skos:Concept ; skos:broader <shoes> ; skos:prefLabel "running"^^<http://www.w3.org/2001/XMLSchema#string> .
        <日本> a skos:Concept ; skos:broader <apparel> ; skos:prefLabel "日本"@en, "日本"@ja .
        <pt> a skos:Concept ; skos:broader <apparel> ; skos:prefLabel "Sandals"@en, "Sandálias"@PT-br .
    "#;

    #[test]
    fn imports_turtle_with_all_its_forms() {
        let taxonomy = import(SAMPLE, &SkosOptions::default()).unwrap();
        let ids: Vec<&str> = taxonomy.tags().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "products-catalogue:",
                "products-catalogue:apparel",
                "products-catalogue:apparel/concept",
                "products-catalogue:apparel/sandals",
                "products-catalogue:apparel/shoes-boots",
                "products-catalogue:apparel/shoes-boots/running",
                "products-catalogue:apparel/shoes-boots/running-2",
                "products-catalogue:apparel/shoes-boots/running-3"
            ]
        );
        let root = taxonomy.get(&id("products-catalogue:")).unwrap();
        assert_eq!(root.titles["en"], "Products Catalogue");
        assert_eq!(root.external_id.as_deref(), Some("https://example.com/vocab/scheme"));
        let apparel = taxonomy.get(&id("products-catalogue:apparel")).unwrap();
        assert_eq!(apparel.titles["en"], "Apparel");
        assert_eq!(apparel.titles["de"], "Bekleidung");
        assert_eq!(apparel.synonyms["en"], ["clothing", "wear"]);
        assert_eq!(apparel.synonyms["de"], ["Kleidung"]);
        assert_eq!(apparel.description.as_deref(), Some("Anything you wear."));
        let shoes = taxonomy.get(&id("products-catalogue:apparel/shoes-boots")).unwrap();
        assert_eq!(shoes.description.as_deref(), Some("Footwear,\n        of any \"kind\"."));
        // siblings with equal slugs: suffixes in the order of their IRIs (a, b, c)
        let running = |s: &str| {
            taxonomy
                .get(&id(&format!("products-catalogue:apparel/shoes-boots/{s}")))
                .unwrap()
                .external_id
                .clone()
                .unwrap()
        };
        assert_eq!(
            [running("running"), running("running-2"), running("running-3")],
            ["https://example.com/vocab/a", "https://example.com/vocab/b", "https://example.com/vocab/c"]
        );
        let sandals = taxonomy.get(&id("products-catalogue:apparel/sandals")).unwrap();
        assert_eq!(sandals.titles["pt-BR"], "Sandálias");
        // no letter or digit in the label, none in the local name either
        assert_eq!(taxonomy.get(&id("products-catalogue:apparel/concept")).unwrap().titles["ja"], "日本");

        let named =
            import(SAMPLE, &SkosOptions { namespace: Some("catalog".into()), ..SkosOptions::default() }).unwrap();
        assert!(named.get(&id("catalog:apparel/shoes-boots")).is_some());
        let bad =
            import(SAMPLE, &SkosOptions { namespace: Some("Catalog".into()), ..SkosOptions::default() }).unwrap_err();
        assert_eq!(kinds(&bad), ["bad_id", "bad_id"], "{bad:#?}");
    }

    #[test]
    fn round_trips_through_turtle() {
        let taxonomy = import(SAMPLE, &SkosOptions::default()).unwrap();
        let text = export(&taxonomy, &SkosOptions::default());
        let back = import(&text, &SkosOptions::default()).unwrap();
        assert_eq!(back, taxonomy, "{text}");
        assert_eq!(export(&back, &SkosOptions::default()), text);
    }

    #[test]
    fn round_trips_ids_that_are_not_slugs_and_awkward_text() {
        let mut tags = vec![
            Tag::new(id("a:"), "Alpha"),
            Tag::new(id("a:x_1"), "Not the id"),
            Tag::new(id("b:"), "Beta"),
            Tag::new(id("b:q.r"), "Q"),
            Tag::new(id("b:q.r/deep"), "Q"),
        ];
        tags[1].titles.insert("zh-Hant-TW".into(), "\"引號\" \\ back slash".into());
        tags[1].synonyms.insert("en".into(), vec!["multi word".into(), "quote \" here".into()]);
        tags[1].description = Some("line one\nline two \u{1F600}".into());
        tags[3].external_id = Some("urn:isbn:0451450523".into());
        tags[4].external_id = Some("not-an-iri".into());
        let taxonomy = Taxonomy::new(tags).unwrap();
        for base in ["https://example.org/t", "not a base"] {
            let options = SkosOptions { base_iri: base.into(), ..SkosOptions::default() };
            let text = export(&taxonomy, &options);
            let back = import(&text, &options).unwrap();
            assert_eq!(back.len(), taxonomy.len());
            for (a, b) in taxonomy.tags().zip(back.tags()) {
                assert_eq!(
                    (&a.id, &a.titles, &a.synonyms, &a.description),
                    (&b.id, &b.titles, &b.synonyms, &b.description),
                    "{text}"
                );
            }
            assert_eq!(back.get(&id("b:q.r")).unwrap().external_id.as_deref(), Some("urn:isbn:0451450523"));
            assert_eq!(import(&export(&back, &options), &options).unwrap(), back);
        }
    }

    #[test]
    fn reports_every_structural_problem_together() {
        let text = r#"
            @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            @prefix : <https://x.org/> .
            :s a skos:ConceptScheme ; skos:prefLabel "X"@en .
            :top a skos:Concept ; skos:topConceptOf :s ; skos:prefLabel "Top"@en .
            :orphan a skos:Concept ; skos:prefLabel "Orphan"@en ; skos:broader :nowhere .
            :c1 a skos:Concept ; skos:prefLabel "C1"@en ; skos:broader :c2 .
            :c2 a skos:Concept ; skos:prefLabel "C2"@en ; skos:broader :c1 .
            :poly a skos:Concept ; skos:prefLabel "Poly"@en ; skos:broader :top .
            :c1 skos:narrower :poly .
            :twice a skos:Concept ; skos:prefLabel "One"@en, "Two"@en ; skos:broader :top .
            :nolabel a skos:Concept ; skos:prefLabel "Nur Deutsch"@de ; skos:broader :top .
            :lang a skos:Concept ; skos:prefLabel "Lang"@en, "Sprache"@english ; skos:broader :top .
            :iri a skos:Concept ; skos:prefLabel :top ; skos:broader :top .
        "#;
        let report = import(text, &SkosOptions::default()).unwrap_err();
        let messages: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            kinds(&report),
            [
                "unknown_parent",
                "several_parents",
                "cycle",
                "bad_value",
                "bad_value",
                "missing_title",
                "bad_locale",
                "missing_title"
            ],
            "{messages:#?}"
        );
        assert_eq!(messages[0], "tag <https://x.org/orphan> has unknown parent <https://x.org/nowhere>");
        assert_eq!(messages[1], "tag <https://x.org/poly> has several parents (<https://x.org/c1>, <https://x.org/top>); a tag id has room for one");
        assert_eq!(
            messages[2],
            "cycle in the hierarchy: <https://x.org/c1> -> <https://x.org/c2> -> <https://x.org/c1>"
        );
        assert!(messages[3].contains("skos:prefLabel must be a literal"), "{}", messages[3]);
        assert_eq!(messages[4], "<https://x.org/twice>: tag x:top/one: several skos:prefLabel in en: \"One\", \"Two\"");
        assert_eq!(messages[5], "<https://x.org/iri>: tag x:top/iri has no title in en");
        assert!(
            messages[6].starts_with("<https://x.org/lang>: tag x:top/lang: bad locale \"english\""),
            "{}",
            messages[6]
        );
        assert_eq!(messages[7], "<https://x.org/nolabel>: tag x:top/nolabel has no title in en");
    }

    #[test]
    fn reports_links_to_things_that_are_not_concepts() {
        let text = r#"
            @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            <https://x.org/s> a skos:ConceptScheme ; skos:hasTopConcept <https://x.org/a>, <https://x.org/typo> .
            <https://x.org/a> a skos:Concept ; skos:prefLabel "A"@en ; skos:narrower <https://x.org/missing> .
        "#;
        let report = import(text, &SkosOptions::default()).unwrap_err();
        let messages: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(
            messages[0].starts_with("tag <https://x.org/missing>: is linked into the hierarchy"),
            "{}",
            messages[0]
        );
        assert!(messages[1].starts_with("tag <https://x.org/typo>: is linked"), "{}", messages[1]);
    }

    #[test]
    fn many_equal_siblings_stay_fast() {
        let mut text = String::from("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n");
        for i in 0..5000 {
            text.push_str(&format!("<https://x.org/c{i:05}> a skos:Concept ; skos:prefLabel \"Same\"@en .\n"));
        }
        let taxonomy = import(&text, &SkosOptions::default()).unwrap();
        assert!(taxonomy.get(&id("taxonomy:same-5000")).is_some());
        assert_eq!(taxonomy.get(&id("taxonomy:same-2")).unwrap().external_id.as_deref(), Some("https://x.org/c00001"));
    }

    #[test]
    fn schemes_decide_namespaces() {
        let text = r#"
            @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            <https://x.org/one> a skos:ConceptScheme ; skos:prefLabel "Same"@en .
            <https://x.org/two#> a skos:ConceptScheme ; skos:prefLabel "Same"@en .
            <https://x.org/a> a skos:Concept ; skos:prefLabel "A"@en ; skos:topConceptOf <https://x.org/one> .
            <https://x.org/b> a skos:Concept ; skos:prefLabel "B"@en ; skos:inScheme <https://x.org/two#> .
            <https://x.org/lost> a skos:Concept ; skos:prefLabel "Lost"@en .
        "#;
        let report = import(text, &SkosOptions::default()).unwrap_err();
        assert_eq!(kinds(&report), ["bad_value"], "{report:#?}");
        let fixed = text.replace("\"Lost\"@en .", "\"Lost\"@en ; skos:inScheme <https://x.org/one> .");
        let taxonomy = import(&fixed, &SkosOptions::default()).unwrap();
        let ids: Vec<&str> = taxonomy.tags().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["same-2:", "same-2:b", "same:", "same:a", "same:lost"]);
        let several = import(text, &SkosOptions { namespace: Some("x".into()), ..SkosOptions::default() }).unwrap_err();
        assert!(several.problems[0].to_string().contains("2 concept schemes"), "{several:#?}");
        // no scheme at all: the namespace "taxonomy"
        let bare = import("<https://x.org/a> a <http://www.w3.org/2004/02/skos/core#Concept> ; <http://www.w3.org/2004/02/skos/core#prefLabel> \"A\" .", &SkosOptions::default()).unwrap();
        assert_eq!(bare.tags().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["taxonomy:", "taxonomy:a"]);
    }

    #[test]
    fn malformed_turtle_gives_a_report() {
        let cut = &SAMPLE[..SAMPLE.find("<shoes> a").unwrap() + 12];
        let report = import(cut, &SkosOptions::default()).unwrap_err();
        assert_eq!(kinds(&report), ["syntax"]);
        let report = import("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<a> a skos:Concept ;\n  skos:prefLabel \"x\"@en_US .", &SkosOptions::default()).unwrap_err();
        assert_eq!(report.problems[0].to_string(), "line 3, column 24: unexpected character '_'");
        let report = import("<ä> <b> <c> .\n<é> <b> \"ü\" ;; <d> .", &SkosOptions::default()).unwrap_err();
        assert_eq!(report.problems[0].to_string(), "line 2, column 20: unexpected character '.'");
        for text in [
            "",
            "   # only a comment\n",
            "\u{feff}",
            "<a> <b> \"unclosed",
            "@prefix : <x> .",
            "<a> <b> ((((((((((((((((((((((((((( .",
            "\0\u{1}\u{fffd}garbage",
        ] {
            assert!(import(text, &SkosOptions::default()).is_err(), "{text:?}");
        }
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        assert!(import(&String::from_utf8_lossy(&garbage), &SkosOptions::default()).is_err());
        let deep = "[ <p> ".repeat(100_000);
        assert!(import(&format!("<a> <p> {deep}"), &SkosOptions::default()).is_err());
    }
}
