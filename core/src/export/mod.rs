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

use crate::tags::TagSource;

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
}
