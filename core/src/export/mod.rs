//! Exports of final tags: JSON, CSV and XMP sidecars (docs/review-session.md, "Exports").
//!
//! Pure and independent of the review session: it takes [`ExportAsset`]s (a name, the content
//! hash, the tags a DAM should receive, the words read in the picture) and writes text, so the
//! servers can reuse it.
//! - [`json`]: a document of format `smart-tags-export`, version 1 (`words` per asset when any);
//! - [`csv`]: RFC 4180, one row per asset and tag, the hierarchy joined with `|`, the asset's
//!   words in the last column;
//! - [`xmp`]: a sidecar with `dc:subject` and `lr:hierarchicalSubject`, read by Lightroom, Bridge
//!   and exiftool, and the words in IPTC's `Iptc4xmpCore:ExtDescrAccessibility`;
//! - [`xmp_jpeg`]: the same XMP embedded into a copy of a JPEG (APP1), the image data untouched;
//! - [`xmp_zip`]: many sidecars as one zip, each at its file's folder path.
//!
//! A `|` inside a title cannot be written in a Lightroom hierarchy (it separates the levels and
//! has no escape), so [`hierarchy`] writes it as `¦` (U+00A6); titles elsewhere are kept as they are.

pub mod csv;
pub mod json;
pub mod xmp;
pub mod xmp_jpeg;
pub mod xmp_zip;

use serde::{Deserialize, Serialize};

use crate::scenes::SCENE_NAMESPACE;
use crate::tags::{TagSource, COLOR_NAMESPACE, GENERIC_NAMESPACE};

/// Separator of the levels of a hierarchy in `lr:hierarchicalSubject` and the CSV.
pub const LEVEL_SEPARATOR: char = '|';
/// What a `|` inside one level becomes: U+00A6 BROKEN BAR.
pub const LEVEL_SEPARATOR_REPLACEMENT: char = '\u{a6}';

/// One asset to export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportAsset {
    /// The file name (the sidecar's name is derived from it).
    pub name: String,
    /// SHA-256 of the file, 64 hex digits, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    /// The final tags, in the order to write them.
    #[serde(default)]
    pub tags: Vec<ExportTag>,
    /// The words the text detector read in the picture, most probable first (empty: none read,
    /// or the text step did not run).
    #[serde(default)]
    pub words: Vec<String>,
}

/// The words of a service answer's `text` (`{"words": [{"text", …}]}`), in its order, each once,
/// blank ones left out; none when there is no `text`.
pub fn words_of(text: Option<&serde_json::Value>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    text.and_then(|t| t.get("words"))
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|w| w.get("text").and_then(serde_json::Value::as_str))
        .map(str::trim)
        .filter(|w| !w.is_empty() && seen.insert(w.to_owned()))
        .map(str::to_owned)
        .collect()
}

/// One final tag of an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportTag {
    pub id: String,
    pub title: String,
    /// Titles from the root down to this tag (this tag last); empty means `[title]`.
    #[serde(default)]
    pub path: Vec<String>,
    pub confidence: f32,
    pub source: TagSource,
    /// A person accepted or added the tag (it is not only a suggestion).
    #[serde(default)]
    pub confirmed: bool,
}

impl ExportTag {
    /// The path, or the title alone when the path is empty.
    pub fn levels(&self) -> Vec<&str> {
        if self.path.is_empty() {
            vec![self.title.as_str()]
        } else {
            self.path.iter().map(String::as_str).collect()
        }
    }
}

/// Which tags an export keeps (both off: every final tag).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ExportFilter {
    /// Only tags a person accepted or added, not suggestions left as they were.
    pub confirmed_only: bool,
    /// Only the customer's own tags: taxonomy and trained tags, and manual tags of the taxonomy —
    /// not the generic WordNet tags, the colours or the built-in scenes.
    pub taxonomy_only: bool,
}

impl ExportFilter {
    pub fn keeps(&self, tag: &ExportTag) -> bool {
        let built_in = [GENERIC_NAMESPACE, COLOR_NAMESPACE, SCENE_NAMESPACE]
            .iter()
            .any(|namespace| tag.id.strip_prefix(namespace).is_some_and(|rest| rest.starts_with(':')));
        let own = match tag.source {
            TagSource::Taxonomy | TagSource::Trained | TagSource::Manual => !built_in,
            TagSource::Generic | TagSource::Color => false,
        };
        (!self.confirmed_only || tag.confirmed) && (!self.taxonomy_only || own)
    }

    /// The assets with only the tags this filter keeps (an asset left with none stays, so its
    /// words and its row are still exported).
    pub fn apply(&self, assets: Vec<ExportAsset>) -> Vec<ExportAsset> {
        assets
            .into_iter()
            .map(|mut asset| {
                asset.tags.retain(|t| self.keeps(t));
                asset
            })
            .collect()
    }
}

/// The tag's path as one `A|B|C` string, a `|` inside a level written as `¦`.
pub fn hierarchy(tag: &ExportTag) -> String {
    let levels: Vec<String> = tag
        .levels()
        .iter()
        .map(|level| level.replace(LEVEL_SEPARATOR, &LEVEL_SEPARATOR_REPLACEMENT.to_string()))
        .collect();
    levels.join(&LEVEL_SEPARATOR.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tag(id: &str, title: &str, path: &[&str], confidence: f32) -> ExportTag {
        ExportTag {
            id: id.into(),
            title: title.into(),
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            confidence,
            source: TagSource::Taxonomy,
            confirmed: false,
        }
    }

    #[test]
    fn hierarchy_joins_levels_and_replaces_bars_inside_them() {
        assert_eq!(hierarchy(&tag("a:b/c", "Cats", &["Animals", "Cats"], 0.9)), "Animals|Cats");
        assert_eq!(hierarchy(&tag("a:b", "A|B", &["Root", "A|B"], 0.9)), "Root|A\u{a6}B");
        assert_eq!(hierarchy(&tag("a:b", "Alone", &[], 0.9)), "Alone");
    }

    #[test]
    fn filters_keep_confirmed_tags_and_the_customers_own_tags() {
        let with =
            |id: &str, source: TagSource, confirmed: bool| ExportTag { source, confirmed, ..tag(id, id, &[], 0.9) };
        let tags = vec![
            with("demo:animals/cats", TagSource::Taxonomy, true),
            with("demo:animals", TagSource::Taxonomy, false),
            with("wordnet:n02121620", TagSource::Generic, true),
            with("color:red", TagSource::Color, false),
            with("scene:sky", TagSource::Trained, true),
            with("demo:pets", TagSource::Trained, false),
            with("demo:toys", TagSource::Manual, true),
            with("wordnet:n02084071", TagSource::Manual, true),
        ];
        let asset = ExportAsset { name: "a.jpg".into(), content_hash: None, tags, words: vec!["SALE".into()] };
        let ids = |filter: ExportFilter| -> Vec<String> {
            filter.apply(vec![asset.clone()])[0].tags.iter().map(|t| t.id.clone()).collect()
        };
        assert_eq!(ids(ExportFilter::default()).len(), 8);
        assert_eq!(
            ids(ExportFilter { confirmed_only: true, taxonomy_only: false }),
            ["demo:animals/cats", "wordnet:n02121620", "scene:sky", "demo:toys", "wordnet:n02084071"]
        );
        assert_eq!(
            ids(ExportFilter { confirmed_only: false, taxonomy_only: true }),
            ["demo:animals/cats", "demo:animals", "demo:pets", "demo:toys"]
        );
        assert_eq!(ids(ExportFilter { confirmed_only: true, taxonomy_only: true }), ["demo:animals/cats", "demo:toys"]);
        // An asset left without tags keeps its words and its place.
        let none = ExportFilter { confirmed_only: true, taxonomy_only: true }
            .apply(vec![ExportAsset { tags: vec![with("color:red", TagSource::Color, false)], ..asset.clone() }]);
        assert_eq!((none[0].tags.len(), none[0].words.clone()), (0, vec!["SALE".to_owned()]));
        // The page's options object, as JSON.
        let parsed: ExportFilter = serde_json::from_str(r#"{"confirmedOnly": true}"#).unwrap();
        assert_eq!(parsed, ExportFilter { confirmed_only: true, taxonomy_only: false });
        assert!(serde_json::from_str::<ExportFilter>(r#"{"confirmed": true}"#).is_err());
    }
}
