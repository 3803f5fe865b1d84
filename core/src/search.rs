//! The rules of asset search, shared by the store that indexes and the route that queries:
//!
//! - [`index_rows`]: what an asset is found by — the tags it shows (after thresholds and
//!   moderation, as [`crate::tags::apply`] decides), each taxonomy tag's ancestors carrying its
//!   confidence, so a search for `demo:animals` finds an asset tagged `demo:animals/cats`.
//! - [`query_words`] and [`title_matches`]: how a typed word meets a title — case, accents and
//!   English plurals folded ("Cafés" finds "café", "cats" finds "Cat", "berries" "Berry").
//! - [`Cursor`]: the keyset of a ranked page (score descending, then asset key).
//!
//! An asset matches a query when it matches every term (a tag, or a word matched to tags and to
//! the text read in the picture); its score is its weakest term's confidence.

use std::collections::BTreeMap;
use std::fmt;

use unicode_normalization::UnicodeNormalization;

use crate::tags::AssetTags;

/// Most terms (tags and words together) one query may hold.
pub const MAX_TERMS: usize = 8;
/// Longest word accepted, in characters.
pub const MAX_WORD_CHARS: usize = 64;

/// The rows the search index holds for one asset: `(tag id, confidence)`, one per id, sorted by
/// id. Shown smart tags (colours included) and manual tags (confidence 1) count; removed and
/// hidden ones do not. Every ancestor of a hierarchical id (`ns:a/b/c` → `ns:a/b`, `ns:a`) gets
/// the best confidence found beneath it, unless it shows a better one itself.
pub fn index_rows(tags: &AssetTags) -> Vec<(String, f32)> {
    let mut rows: BTreeMap<String, f32> = BTreeMap::new();
    let mut put = |id: &str, confidence: f32| {
        let entry = rows.entry(id.to_owned()).or_insert(confidence);
        *entry = entry.max(confidence);
    };
    for tag in tags.smart.iter().chain(&tags.manual).filter(|t| t.confidence.is_finite()) {
        put(&tag.id, tag.confidence);
        for ancestor in ancestors(&tag.id) {
            put(ancestor, tag.confidence);
        }
    }
    rows.into_iter().collect()
}

/// The ids above a hierarchical tag id, nearest first: `ns:a/b/c` → `ns:a/b`, `ns:a`. The
/// namespace tag itself (`ns:`) is left out: it would match every tag of the namespace.
pub fn ancestors(id: &str) -> impl Iterator<Item = &str> {
    let path_start = id.find(':').map_or(id.len(), |i| i + 1);
    id.char_indices().rev().filter(move |&(i, c)| c == '/' && i > path_start).map(move |(i, _)| &id[..i])
}

/// The words of a query or a title, folded: lowercase, accents removed, split at anything that is
/// neither a letter nor a digit. Words longer than [`MAX_WORD_CHARS`] are cut there.
pub fn query_words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(MAX_WORD_CHARS).collect())
        .collect()
}

/// Whether the folded `word` names `title`: it is one of the title's words, or they share a
/// singular ("cats" and "Cat", "boxes" and "box", "berries" and "Berry").
pub fn title_matches(word: &str, title: &str) -> bool {
    let wanted = word_forms(word);
    query_words(title).iter().any(|w| word_forms(w).iter().any(|f| wanted.contains(f)))
}

/// Whether the folded `word` names a compound noun such as a WordNet lemma: it is its head, the
/// last word ("cat" names "house cat" and "big cat", not "cat's-paw"), with singulars
/// folded as in [`title_matches`].
pub fn head_matches(word: &str, noun: &str) -> bool {
    let wanted = word_forms(word);
    query_words(noun).last().is_some_and(|head| word_forms(head).iter().any(|f| wanted.contains(f)))
}

/// A folded word and its English singulars of three letters or more (the word itself first).
pub fn word_forms(word: &str) -> Vec<String> {
    let mut out = vec![word.to_owned()];
    let mut add = |form: String| {
        if form.chars().count() >= 3 && !out.contains(&form) {
            out.push(form);
        }
    };
    if let Some(stem) = word.strip_suffix("ies") {
        add(format!("{stem}y"));
    }
    if let Some(stem) = word.strip_suffix("es") {
        if ["s", "x", "z", "ch", "sh"].iter().any(|end| stem.ends_with(end)) {
            add(stem.to_owned());
        }
    }
    if let Some(stem) = word.strip_suffix('s') {
        if !stem.ends_with('s') {
            add(stem.to_owned());
        }
    }
    out
}

/// Where a ranked page ends: the next page holds the hits after it (a lower score, or the same
/// score and a higher asset key). Written `<score bits as 8 hex digits>.<key>`, so the score
/// survives exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub score: f32,
    pub key: i64,
}

impl Cursor {
    /// Reads a cursor a page handed out; `None` for anything else.
    pub fn parse(text: &str) -> Option<Cursor> {
        let (bits, key) = text.split_once('.')?;
        if bits.len() != 8 {
            return None;
        }
        let score = f32::from_bits(u32::from_str_radix(bits, 16).ok()?);
        let key = key.parse().ok()?;
        (score.is_finite() && (0.0..=1.0).contains(&score)).then_some(Cursor { score, key })
    }

    /// Whether a hit comes after this cursor in rank order.
    pub fn precedes(&self, score: f32, key: i64) -> bool {
        score < self.score || (score == self.score && key > self.key)
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}.{}", self.score.to_bits(), self.key)
    }
}

/// Rank order: higher score first, then lower asset key.
pub fn by_rank(a: &(i64, f32), b: &(i64, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::{apply, Decision, SmartTag, TagSource, Thresholds};

    fn tag(id: &str, confidence: f32, source: TagSource) -> SmartTag {
        SmartTag {
            id: id.into(),
            title: id.into(),
            path: vec![],
            confidence,
            source,
            model_version: "m@1".into(),
            hex: None,
            threshold: None,
        }
    }

    #[test]
    fn ancestors_walk_up_the_id_path_without_the_namespace() {
        assert_eq!(ancestors("demo:animals/pets/cats").collect::<Vec<_>>(), ["demo:animals/pets", "demo:animals"]);
        assert_eq!(ancestors("demo:animals").count(), 0);
        assert_eq!(ancestors("wordnet:n02121808").count(), 0);
        assert_eq!(ancestors("color:light-blue").count(), 0);
        assert_eq!(ancestors("demo:").count(), 0);
    }

    #[test]
    fn index_rows_are_the_shown_tags_with_their_ancestors() {
        let candidates = vec![
            tag("demo:animals/cats", 0.9, TagSource::Taxonomy),
            tag("demo:animals", 0.7, TagSource::Taxonomy),
            tag("demo:animals/dogs", 0.2, TagSource::Taxonomy),
            tag("wordnet:n02121808", 0.8, TagSource::Generic),
            tag("demo:food/fruit", 0.95, TagSource::Taxonomy),
            tag("color:gray", 0.3, TagSource::Color),
        ];
        let decisions = BTreeMap::from([
            ("demo:food/fruit".to_owned(), Decision::Removed),
            ("demo:places/home".to_owned(), Decision::Manual { title: "Home".into(), path: vec![] }),
        ]);
        let rows = index_rows(&apply(&candidates, &Thresholds::default(), &decisions));
        assert_eq!(
            rows,
            [
                ("color:gray".to_owned(), 0.3),
                ("demo:animals".to_owned(), 0.9),
                ("demo:animals/cats".to_owned(), 0.9),
                ("demo:places".to_owned(), 1.0),
                ("demo:places/home".to_owned(), 1.0),
                ("wordnet:n02121808".to_owned(), 0.8),
            ]
        );
    }

    #[test]
    fn words_fold_case_accents_and_plurals() {
        assert_eq!(query_words("  Cafés, SUNSET-beach 42 "), ["cafes", "sunset", "beach", "42"]);
        assert!(title_matches("cats", "Cat"));
        assert!(title_matches("cat", "House cats"));
        assert!(title_matches("berries", "Berry"));
        assert!(title_matches("box", "Boxes"));
        assert!(title_matches("cafe", "Café"));
        assert!(title_matches("blue", "light blue"));
        assert!(!title_matches("cat", "Catering"));
        assert!(!title_matches("glass", "Glas"));
        assert!(!title_matches("bus", "Bu"));
        assert!(head_matches("cats", "house cat"));
        assert!(head_matches("cat", "cat"));
        assert!(!head_matches("cat", "cat's-paw"));
        assert!(head_matches("lion", "sea lion") && !head_matches("sea", "sea lion"));
    }

    #[test]
    fn cursors_round_trip_and_order_hits() {
        let cursor = Cursor { score: 0.8123, key: 42 };
        assert_eq!(Cursor::parse(&cursor.to_string()), Some(cursor));
        for bad in ["", "0.5", "3f800000", "zzzzzzzz.1", "3f800000.x", "7fc00000.1", "40000000.1"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
        assert!(cursor.precedes(0.8, 1));
        assert!(cursor.precedes(0.8123, 43));
        assert!(!cursor.precedes(0.8123, 42));
        assert!(!cursor.precedes(0.9, 99));
        let mut hits = vec![(3, 0.5), (1, 0.9), (2, 0.5)];
        hits.sort_by(by_rank);
        assert_eq!(hits, [(1, 0.9), (2, 0.5), (3, 0.5)]);
    }
}
