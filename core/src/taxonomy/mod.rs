//! The customer's own taxonomy: AEM-style tag ids, localized titles, synonyms and a hierarchy
//! implied by the id path (`products:apparel/shoes` is a child of `products:apparel`, whose parent
//! is the namespace tag `products:`).
//!
//! - [`id`]: parsing and validating tag ids.
//! - [`locale`]: BCP-47 (RFC 5646) language tag checks and canonical case.
//! - [`validate`]: the all-or-nothing check of a whole taxonomy, reporting every problem.
//! - [`json`], [`csv`], [`skos`]: import and export formats.

pub mod csv;
pub mod id;
pub mod json;
pub mod locale;
pub mod skos;
pub mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use id::{TagId, TagIdError};
pub use validate::{ImportProblem, ImportReport};

/// The locale every tag must have a title in.
pub const DEFAULT_LOCALE: &str = "en";

/// One tag of the customer's taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub id: TagId,
    /// Title per BCP-47 locale; always has [`DEFAULT_LOCALE`].
    pub titles: BTreeMap<String, String>,
    /// Synonyms per BCP-47 locale (SKOS altLabel).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub synonyms: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The tag's identity in the system it came from, kept for round trips: the concept IRI of
    /// a SKOS import (and of its export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

impl Tag {
    /// A tag with an English title only.
    pub fn new(id: TagId, title: &str) -> Tag {
        Tag { id, titles: BTreeMap::from([(DEFAULT_LOCALE.to_owned(), title.to_owned())]), synonyms: BTreeMap::new(), description: None, external_id: None }
    }

    /// Title in `locale`, falling back to its language (`pt-BR` -> `pt`) and then to English.
    pub fn title(&self, locale: &str) -> &str {
        let language = locale.split('-').next().unwrap_or(locale);
        self.titles
            .get(locale)
            .or_else(|| self.titles.get(language))
            .or_else(|| self.titles.get(DEFAULT_LOCALE))
            .map_or_else(|| self.id.as_str(), String::as_str)
    }

    /// Every synonym in every locale.
    pub fn all_synonyms(&self) -> impl Iterator<Item = &str> {
        self.synonyms.values().flatten().map(String::as_str)
    }
}

/// A whole, valid taxonomy: tags sorted by id, every parent present. Build one with
/// [`Taxonomy::new`], which runs [`validate::validate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Taxonomy {
    tags: BTreeMap<TagId, Tag>,
}

impl Taxonomy {
    /// Checks the tags all together; on any problem nothing is built and every problem is reported.
    pub fn new(tags: Vec<Tag>) -> Result<Taxonomy, ImportReport> {
        validate::validate(tags).map(|tags| Taxonomy { tags })
    }

    pub fn get(&self, id: &TagId) -> Option<&Tag> {
        self.tags.get(id)
    }

    pub fn tags(&self) -> impl Iterator<Item = &Tag> {
        self.tags.values()
    }

    pub fn len(&self) -> usize {
        self.tags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// Direct children of `id`, sorted by id.
    pub fn children<'a>(&'a self, id: &'a TagId) -> impl Iterator<Item = &'a Tag> + 'a {
        self.tags.values().filter(move |t| t.id.parent().as_ref() == Some(id))
    }

    /// The tag and its ancestors, root first.
    pub fn path(&self, id: &TagId) -> Vec<&Tag> {
        let mut path: Vec<&Tag> = id.ancestors_and_self().iter().filter_map(|a| self.tags.get(a)).collect();
        path.shrink_to_fit();
        path
    }

    /// Consumes the taxonomy, giving its tags sorted by id.
    pub fn into_tags(self) -> Vec<Tag> {
        self.tags.into_values().collect()
    }
}
