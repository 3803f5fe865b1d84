//! Checking a whole taxonomy at once. Import is all-or-nothing: [`validate`] either returns every
//! tag, or a report naming every problem it found.
//!
//! Before checking, each tag is normalized, so that every format gives the same taxonomy:
//! locales in canonical case (`pt-br` -> `pt-BR`), titles, synonyms and descriptions trimmed,
//! synonyms deduplicated (case-insensitively, the first spelling kept), line breaks of a
//! description made `\n`, and an empty description or external id dropped.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::{locale, Tag, TagId, DEFAULT_LOCALE};

/// One thing wrong with an import. `location` says where, when the format can tell: `line 7` in
/// CSV and Turtle, `<concept IRI>` in SKOS.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportProblem {
    #[error("{location}: {message}")]
    Syntax { location: String, message: String },
    #[error("{location}: bad tag id: {message}")]
    BadId { location: String, message: String },
    #[error("{}duplicate tag id {id}", at(.location))]
    DuplicateId {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    #[error("{}tag {id} has unknown parent {parent}", at(.location))]
    UnknownParent {
        id: String,
        parent: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    /// A loop of broader links, first element repeated last (`a -> b -> a`).
    #[error("cycle in the hierarchy: {}", .ids.join(" -> "))]
    Cycle { ids: Vec<String> },
    /// A tag with more than one parent (SKOS poly-hierarchy), which path ids cannot express.
    #[error("{}tag {id} has several parents ({}); a tag id has room for one", at(.location), .parents.join(", "))]
    SeveralParents {
        id: String,
        parents: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    /// `id` is empty when the locale belongs to no single tag (a CSV column header).
    #[error("{}{}bad locale {locale:?}: {message}", at(.location), tag(.id))]
    BadLocale {
        id: String,
        locale: String,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    #[error("{}tag {id} has no title in {DEFAULT_LOCALE}", at(.location))]
    MissingTitle {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    #[error("{}tag {id}: {message}", at(.location))]
    BadValue {
        id: String,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
}

fn at(location: &Option<String>) -> String {
    location.as_ref().map_or_else(String::new, |l| format!("{l}: "))
}

fn tag(id: &str) -> String {
    if id.is_empty() {
        String::new()
    } else {
        format!("tag {id}: ")
    }
}

impl ImportProblem {
    /// The tag id the problem is about, if it is about one.
    pub fn tag_id(&self) -> Option<&str> {
        match self {
            ImportProblem::DuplicateId { id, .. }
            | ImportProblem::UnknownParent { id, .. }
            | ImportProblem::SeveralParents { id, .. }
            | ImportProblem::BadLocale { id, .. }
            | ImportProblem::MissingTitle { id, .. }
            | ImportProblem::BadValue { id, .. } => Some(id).filter(|id| !id.is_empty()).map(String::as_str),
            ImportProblem::Syntax { .. } | ImportProblem::BadId { .. } | ImportProblem::Cycle { .. } => None,
        }
    }

    /// Sets where the problem is, unless it already says or has no room for it.
    pub fn locate(&mut self, at: impl FnOnce() -> Option<String>) {
        match self {
            ImportProblem::DuplicateId { location, .. }
            | ImportProblem::UnknownParent { location, .. }
            | ImportProblem::SeveralParents { location, .. }
            | ImportProblem::BadLocale { location, .. }
            | ImportProblem::MissingTitle { location, .. }
            | ImportProblem::BadValue { location, .. } => {
                if location.is_none() {
                    *location = at();
                }
            }
            ImportProblem::Syntax { .. } | ImportProblem::BadId { .. } | ImportProblem::Cycle { .. } => {}
        }
    }
}

/// Every problem found, in the order found.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("the taxonomy has {} problem(s); nothing was imported", .problems.len())]
pub struct ImportReport {
    pub problems: Vec<ImportProblem>,
}

impl ImportReport {
    /// A report of a single problem.
    pub fn one(problem: ImportProblem) -> ImportReport {
        ImportReport { problems: vec![problem] }
    }
}

/// Longest title, synonym or description accepted, in characters.
pub const MAX_TEXT: usize = 1000;

/// Checks a list of tags and returns them keyed by id, normalized (see the module doc), or every
/// problem.
pub fn validate(tags: Vec<Tag>) -> Result<BTreeMap<TagId, Tag>, ImportReport> {
    let mut problems = Vec::new();
    let mut by_id: BTreeMap<TagId, Tag> = BTreeMap::new();
    let mut external: HashMap<String, TagId> = HashMap::new();
    for tag in tags {
        let tag = normalize(tag, &mut problems);
        if by_id.contains_key(&tag.id) {
            problems.push(ImportProblem::DuplicateId { id: tag.id.to_string(), location: None });
            continue;
        }
        if let Some(external_id) = &tag.external_id {
            if let Some(other) = external.get(external_id) {
                let message = format!("external id {external_id:?} is also the external id of {other}");
                problems.push(ImportProblem::BadValue { id: tag.id.to_string(), message, location: None });
            } else {
                external.insert(external_id.clone(), tag.id.clone());
            }
        }
        by_id.insert(tag.id.clone(), tag);
    }
    for id in by_id.keys() {
        if let Some(parent) = id.parent() {
            if !by_id.contains_key(&parent) {
                problems.push(ImportProblem::UnknownParent {
                    id: id.to_string(),
                    parent: parent.to_string(),
                    location: None,
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(by_id)
    } else {
        Err(ImportReport { problems })
    }
}

/// The tag normalized; its problems pushed to `problems`.
fn normalize(tag: Tag, problems: &mut Vec<ImportProblem>) -> Tag {
    let id = tag.id.to_string();
    let bad_value = |message: String| ImportProblem::BadValue { id: id.clone(), message, location: None };
    let canonical_locale = |loc: String, problems: &mut Vec<ImportProblem>| match locale::canonical(&loc) {
        Ok(canonical) => canonical,
        Err(e) => {
            problems.push(ImportProblem::BadLocale {
                id: id.clone(),
                locale: loc.clone(),
                message: e.to_string(),
                location: None,
            });
            loc
        }
    };

    let mut titles = BTreeMap::new();
    for (loc, title) in tag.titles {
        let loc = canonical_locale(loc, problems);
        let title = title.trim().to_owned();
        if title.is_empty() {
            if loc != DEFAULT_LOCALE {
                problems.push(bad_value(format!("the title in {loc} is empty")));
            }
            continue;
        }
        if let Some(message) = text_problem(&title, false) {
            problems.push(bad_value(format!("the title in {loc} {message}")));
        }
        if titles.insert(loc.clone(), title).is_some() {
            problems.push(bad_value(format!("several titles in {loc}")));
        }
    }
    if !titles.contains_key(DEFAULT_LOCALE) {
        problems.push(ImportProblem::MissingTitle { id: id.clone(), location: None });
    }

    let mut synonyms: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (loc, list) in tag.synonyms {
        let loc = canonical_locale(loc, problems);
        let kept = synonyms.entry(loc.clone()).or_default();
        let mut seen: BTreeSet<String> = kept.iter().map(|s| s.to_lowercase()).collect();
        for synonym in list {
            let synonym = synonym.trim();
            if synonym.is_empty() {
                problems.push(bad_value(format!("a synonym in {loc} is empty")));
            } else if let Some(message) = text_problem(synonym, false) {
                problems.push(bad_value(format!("the synonym {:?} in {loc} {message}", shorten(synonym))));
            } else if seen.insert(synonym.to_lowercase()) {
                kept.push(synonym.to_owned());
            }
        }
    }
    synonyms.retain(|_, list| !list.is_empty());

    let description =
        tag.description.map(|d| d.trim().replace("\r\n", "\n").replace('\r', "\n")).filter(|d| !d.is_empty());
    if let Some(message) = description.as_deref().and_then(|d| text_problem(d, true)) {
        problems.push(bad_value(format!("the description {message}")));
    }

    let external_id = tag.external_id.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
    if let Some(e) = &external_id {
        if e.chars().any(char::is_whitespace) || e.chars().count() > MAX_TEXT {
            problems.push(bad_value(format!(
                "the external id {:?} has white space or is longer than {MAX_TEXT} characters",
                shorten(e)
            )));
        }
    }
    Tag { id: tag.id, titles, synonyms, description, external_id }
}

/// What is wrong with a trimmed text, as the end of a sentence, if anything.
fn text_problem(text: &str, multiline: bool) -> Option<String> {
    if text.chars().any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t'))) {
        return Some("has a control character".to_owned());
    }
    if text.chars().count() > MAX_TEXT {
        return Some(format!("is longer than {MAX_TEXT} characters"));
    }
    None
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        s.chars().take(40).collect::<String>() + "…"
    } else {
        s.to_owned()
    }
}

/// Every cycle of a directed graph given as node -> the nodes it points to (a concept's broader
/// concepts); targets that are not keys are ignored. Each strongly connected component yields one
/// cycle, as a chain that starts and ends at the component's smallest node, e.g. `[a, b, c, a]`.
/// Iterative (Tarjan), so deep hierarchies cannot overflow the stack.
pub fn find_cycles<K: Ord + Clone>(edges: &BTreeMap<K, Vec<K>>) -> Vec<Vec<K>> {
    let keys: Vec<&K> = edges.keys().collect();
    let index_of = |k: &K| keys.binary_search(&k).ok();
    let adjacency: Vec<Vec<usize>> = edges
        .values()
        .map(|targets| {
            let mut to: Vec<usize> = targets.iter().filter_map(index_of).collect();
            to.sort_unstable();
            to.dedup();
            to
        })
        .collect();

    let n = keys.len();
    let mut index: Vec<Option<usize>> = vec![None; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next_index = 0;
    let mut components: Vec<Vec<usize>> = Vec::new();
    for root in 0..n {
        if index[root].is_some() {
            continue;
        }
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = Some(next_index);
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut next_edge)) = calls.last_mut() {
            if let Some(&w) = adjacency[v].get(*next_edge) {
                *next_edge += 1;
                match index[w] {
                    None => {
                        index[w] = Some(next_index);
                        low[w] = next_index;
                        next_index += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        calls.push((w, 0));
                    }
                    Some(iw) if on_stack[w] => low[v] = low[v].min(iw),
                    Some(_) => {}
                }
                continue;
            }
            calls.pop();
            if let Some(&(u, _)) = calls.last() {
                low[u] = low[u].min(low[v]);
            }
            if Some(low[v]) == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 || adjacency[v].contains(&v) {
                    components.push(component);
                }
            }
        }
    }

    let mut cycles: Vec<Vec<K>> = components
        .into_iter()
        .filter_map(|component| shortest_cycle(&adjacency, &component))
        .map(|c| c.into_iter().map(|i| keys[i].clone()).collect())
        .collect();
    cycles.sort();
    cycles
}

/// The shortest cycle through the smallest node of a strongly connected component (breadth-first,
/// staying inside the component).
fn shortest_cycle(adjacency: &[Vec<usize>], component: &[usize]) -> Option<Vec<usize>> {
    let start = *component.iter().min()?;
    let inside: BTreeSet<usize> = component.iter().copied().collect();
    let mut previous: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &adjacency[v] {
            if w == start {
                let mut path = vec![v];
                let mut at = v;
                while at != start {
                    at = *previous.get(&at)?;
                    path.push(at);
                }
                path.reverse();
                path.push(start);
                return Some(path);
            }
            if inside.contains(&w) && w != start && !previous.contains_key(&w) {
                previous.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        edges.iter().map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect())).collect()
    }

    #[test]
    fn finds_each_cycle_once() {
        let g = graph(&[
            ("a", &["b"]),
            ("b", &["c"]),
            ("c", &["a"]),
            ("d", &["a"]),
            ("e", &["e"]),
            ("f", &["zz"]),
            ("g", &[]),
        ]);
        assert_eq!(find_cycles(&g), vec![vec!["a", "b", "c", "a"], vec!["e", "e"]]);
        assert!(find_cycles(&graph(&[("a", &["b"]), ("b", &[]), ("c", &["a", "b"])])).is_empty());
    }

    #[test]
    fn survives_a_deep_chain() {
        let mut g: BTreeMap<u32, Vec<u32>> = (0..100_000).map(|i| (i, vec![i + 1])).collect();
        assert!(find_cycles(&g).is_empty());
        g.insert(100_000, vec![0]);
        let cycles = find_cycles(&g);
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].len(), 100_002);
    }

    #[test]
    fn normalizes_and_reports_every_problem() {
        let mut tag = Tag::new(TagId::parse("a:").unwrap(), "  A  ");
        tag.titles.insert("PT-br".into(), "Á".into());
        tag.synonyms.insert("en".into(), vec![" x ".into(), "X".into(), "y".into()]);
        tag.description = Some(" line\r\nnext ".into());
        let tags = validate(vec![tag]).unwrap();
        let tag = &tags[&TagId::parse("a:").unwrap()];
        assert_eq!(tag.titles["en"], "A");
        assert_eq!(tag.titles["pt-BR"], "Á");
        assert_eq!(tag.synonyms["en"], ["x", "y"]);
        assert_eq!(tag.description.as_deref(), Some("line\nnext"));

        let mut bad = Tag::new(TagId::parse("a:b").unwrap(), " ");
        bad.titles.insert("de".into(), "B\u{7}".into());
        bad.synonyms.insert("en_US".into(), vec!["".into()]);
        let report = validate(vec![bad]).unwrap_err();
        let kinds: Vec<String> = report
            .problems
            .iter()
            .map(|p| serde_json::to_value(p).unwrap()["kind"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(kinds, ["bad_value", "missing_title", "bad_locale", "bad_value", "unknown_parent"], "{report:#?}");
    }
}
