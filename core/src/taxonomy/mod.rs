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
        Tag {
            id,
            titles: BTreeMap::from([(DEFAULT_LOCALE.to_owned(), title.to_owned())]),
            synonyms: BTreeMap::new(),
            description: None,
            external_id: None,
        }
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
    /// Every import format ends here. Tags are normalized first (trimmed text, canonical locale
    /// case, deduplicated synonyms; see [`validate`]).
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    const DEMO_CSV: &str = include_str!("../../../taxonomies/demo.csv");
    const DEMO_TTL: &str = include_str!("../../../taxonomies/demo.ttl");

    #[test]
    fn demo_files_describe_the_same_taxonomy() {
        let from_csv = csv::import(DEMO_CSV).unwrap();
        let from_ttl = skos::import(DEMO_TTL, &skos::SkosOptions::default()).unwrap();
        assert!((45..=70).contains(&from_csv.len()), "{} tags", from_csv.len());
        assert_eq!(from_csv.len(), from_ttl.len());
        for (a, b) in from_csv.tags().zip(from_ttl.tags()) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.titles, b.titles, "{}", a.id);
            assert_eq!(a.synonyms, b.synonyms, "{}", a.id);
            assert_eq!(a.description, b.description, "{}", a.id);
            assert!(a.titles.contains_key("de"), "{} has no German title", a.id);
            assert!(b.external_id.as_deref().is_some_and(|e| e.starts_with("https://dam.example.com/taxonomy/demo/")));
        }
        let motorbikes = from_ttl.get(&TagId::parse("demo:vehicles/motorbikes").unwrap()).unwrap();
        assert_eq!(motorbikes.synonyms["en"], ["motorcycle", "scooter", "moped"]);
        assert_eq!(from_ttl.children(&TagId::parse("demo:").unwrap()).count(), 9);
    }

    #[test]
    fn every_format_round_trips_the_demo() {
        let taxonomy = skos::import(DEMO_TTL, &skos::SkosOptions::default()).unwrap();
        assert_eq!(json::import(&json::export(&taxonomy)).unwrap(), taxonomy);
        let options = skos::SkosOptions::default();
        assert_eq!(skos::import(&skos::export(&taxonomy, &options), &options).unwrap(), taxonomy);
        let from_csv = csv::import(DEMO_CSV).unwrap();
        assert_eq!(csv::import(&csv::export(&from_csv)).unwrap(), from_csv);
        // CSV has no external ids: through CSV, the SKOS import loses only those.
        let mut stripped = taxonomy.clone().into_tags();
        stripped.iter_mut().for_each(|t| t.external_id = None);
        assert_eq!(csv::import(&csv::export(&taxonomy)).unwrap(), Taxonomy::new(stripped).unwrap());
    }

    /// 10,000 tags: the root, 100 groups of 98 children (two locales, synonyms) and 99 more.
    fn large() -> Taxonomy {
        let mut tags = vec![Tag::new(TagId::parse("big:").unwrap(), "Big")];
        for i in 0..100 {
            let parent = TagId::parse(&format!("big:group-{i}")).unwrap();
            for j in 0..98 {
                let mut tag = Tag::new(parent.child(&format!("item-{j}")).unwrap(), &format!("Item {i}.{j}"));
                tag.titles.insert("de".into(), format!("Ding {i}.{j}"));
                tag.synonyms.insert("en".into(), vec![format!("thing {i} {j}"), format!("object {i} {j}")]);
                tags.push(tag);
            }
            tags.push(Tag::new(parent, &format!("Group {i}")));
        }
        for k in 0..99 {
            tags.push(Tag::new(TagId::parse(&format!("big:extra-{k}")).unwrap(), &format!("Extra {k}")));
        }
        Taxonomy::new(tags).unwrap()
    }

    #[test]
    fn imports_ten_thousand_tags_quickly() {
        let taxonomy = large();
        assert_eq!(taxonomy.len(), 10_000);
        let csv_text = csv::export(&taxonomy);
        let options = skos::SkosOptions::default();
        let ttl_text = skos::export(&taxonomy, &options);

        let started = Instant::now();
        let from_csv = csv::import(&csv_text).unwrap();
        let csv_time = started.elapsed();
        let started = Instant::now();
        let from_ttl = skos::import(&ttl_text, &options).unwrap();
        let ttl_time = started.elapsed();
        println!(
            "10,000 tags: CSV import {csv_time:?} ({} KiB), SKOS import {ttl_time:?} ({} KiB)",
            csv_text.len() / 1024,
            ttl_text.len() / 1024
        );
        assert_eq!(from_csv, taxonomy);
        assert_eq!(from_ttl.len(), 10_000);
    }
}
