//! The JSON export: `{"format":"smart-tags-export","version":1,"assets":[{"name","content_hash",
//! "tags":[{"id","title","path","confidence","source","confirmed"}],"words"}]}`, fields in this
//! order, two-space indentation, `content_hash` left out when unknown, `words` (the words read in
//! the picture) when there are any — an addition that readers of version 1 may ignore. Names are
//! snake_case like the service's answers.

use serde::Serialize;

use super::ExportAsset;
use crate::tags::TagSource;

/// `format` of the document.
pub const FORMAT: &str = "smart-tags-export";
/// `version` of the document's shape; bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    version: u32,
    assets: Vec<Asset<'a>>,
}

#[derive(Serialize)]
struct Asset<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_hash: Option<&'a str>,
    tags: Vec<Tag<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    words: &'a [String],
}

#[derive(Serialize)]
struct Tag<'a> {
    id: &'a str,
    title: &'a str,
    path: Vec<&'a str>,
    confidence: f32,
    source: TagSource,
    confirmed: bool,
}

/// Writes the export document of these assets.
pub fn to_json(assets: &[ExportAsset]) -> String {
    let document = Document {
        format: FORMAT,
        version: VERSION,
        assets: assets
            .iter()
            .map(|a| Asset {
                name: &a.name,
                content_hash: a.content_hash.as_deref(),
                tags: a
                    .tags
                    .iter()
                    .map(|t| Tag {
                        id: &t.id,
                        title: &t.title,
                        path: t.levels(),
                        // JSON has no NaN: a broken confidence is written as 0.
                        confidence: if t.confidence.is_finite() { t.confidence } else { 0.0 },
                        source: t.source,
                        confirmed: t.confirmed,
                    })
                    .collect(),
                words: &a.words,
            })
            .collect(),
    };
    // Serializing these plain structs (strings, finite numbers, booleans) cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::tests::tag;
    use super::*;

    #[test]
    fn writes_the_documented_shape() {
        let assets = vec![
            ExportAsset {
                name: "a.jpg".into(),
                content_hash: Some("ab".repeat(32)),
                tags: vec![tag("demo:animals/cats", "Cats & <Dogs>", &["Animals", "Cats & <Dogs>"], 0.5)],
                words: vec![],
            },
            ExportAsset {
                name: "b.png".into(),
                content_hash: None,
                tags: vec![],
                words: vec!["GM125".into(), "Café".into()],
            },
        ];
        let text = to_json(&assets);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["format"], "smart-tags-export");
        assert_eq!(value["version"], 1);
        assert_eq!(value["assets"][0]["content_hash"], "ab".repeat(32));
        assert_eq!(value["assets"][0]["tags"][0]["title"], "Cats & <Dogs>");
        assert_eq!(value["assets"][0]["tags"][0]["path"], serde_json::json!(["Animals", "Cats & <Dogs>"]));
        assert_eq!(value["assets"][0]["tags"][0]["source"], "taxonomy");
        assert_eq!(value["assets"][0]["tags"][0]["confidence"], 0.5);
        assert!(value["assets"][1].get("content_hash").is_none());
        assert!(value["assets"][0].get("words").is_none(), "no words read: no field");
        assert_eq!(value["assets"][1]["words"], serde_json::json!(["GM125", "Café"]));
        // Field order is part of the shape.
        let first = text.find("\"format\"").unwrap();
        assert!(
            first < text.find("\"version\"").unwrap()
                && text.find("\"version\"").unwrap() < text.find("\"assets\"").unwrap()
        );
        assert!(text.find("\"id\"").unwrap() < text.find("\"title\"").unwrap());
    }
}
