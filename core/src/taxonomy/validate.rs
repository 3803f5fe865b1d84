//! Checking a whole taxonomy at once. Import is all-or-nothing: [`validate`] either returns every
//! tag, or a report naming every problem it found.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{locale, Tag, TagId, DEFAULT_LOCALE};

/// One thing wrong with an import. `line` is set when the format has lines (CSV, Turtle).
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportProblem {
    #[error("{location}: {message}")]
    Syntax { location: String, message: String },
    #[error("{location}: bad tag id: {message}")]
    BadId { location: String, message: String },
    #[error("duplicate tag id {id}")]
    DuplicateId { id: String },
    #[error("tag {id} has unknown parent {parent}")]
    UnknownParent { id: String, parent: String },
    #[error("cycle in the hierarchy: {}", .ids.join(" -> "))]
    Cycle { ids: Vec<String> },
    #[error("tag {id} has a bad locale {locale:?}: {message}")]
    BadLocale { id: String, locale: String, message: String },
    #[error("tag {id} has no title in {DEFAULT_LOCALE}")]
    MissingTitle { id: String },
    #[error("tag {id}: {message}")]
    BadValue { id: String, message: String },
}

/// Every problem found, in the order found.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("the taxonomy has {} problem(s); nothing was imported", .problems.len())]
pub struct ImportReport {
    pub problems: Vec<ImportProblem>,
}

/// Longest title, synonym or description accepted, in characters.
pub const MAX_TEXT: usize = 1000;

/// Checks a list of tags and returns them keyed by id, or every problem.
pub fn validate(tags: Vec<Tag>) -> Result<BTreeMap<TagId, Tag>, ImportReport> {
    let mut problems = Vec::new();
    let mut by_id: BTreeMap<TagId, Tag> = BTreeMap::new();
    for tag in tags {
        check_tag(&tag, &mut problems);
        if by_id.contains_key(&tag.id) {
            problems.push(ImportProblem::DuplicateId { id: tag.id.to_string() });
        } else {
            by_id.insert(tag.id.clone(), tag);
        }
    }
    for id in by_id.keys() {
        if let Some(parent) = id.parent() {
            if !by_id.contains_key(&parent) {
                problems.push(ImportProblem::UnknownParent { id: id.to_string(), parent: parent.to_string() });
            }
        }
    }
    if problems.is_empty() {
        Ok(by_id)
    } else {
        Err(ImportReport { problems })
    }
}

fn check_tag(tag: &Tag, problems: &mut Vec<ImportProblem>) {
    let id = tag.id.to_string();
    if tag.titles.get(DEFAULT_LOCALE).is_none_or(|t| t.trim().is_empty()) {
        problems.push(ImportProblem::MissingTitle { id: id.clone() });
    }
    let locales = tag.titles.keys().chain(tag.synonyms.keys());
    for loc in locales {
        if let Err(message) = locale::check(loc) {
            problems.push(ImportProblem::BadLocale { id: id.clone(), locale: loc.clone(), message });
        }
    }
    let texts = tag.titles.values().chain(tag.synonyms.values().flatten()).chain(tag.description.iter());
    for text in texts {
        if text.chars().count() > MAX_TEXT {
            problems.push(ImportProblem::BadValue { id: id.clone(), message: format!("text longer than {MAX_TEXT} characters") });
        }
    }
}
