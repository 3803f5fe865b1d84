//! The CSV export (RFC 4180): CRLF line ends; a field with `,`, `"`, CR or LF is quoted and its
//! `"` doubled; UTF-8 without BOM. Header
//! `asset,content_hash,tag_id,title,hierarchy,confidence,source,confirmed`, then **one row per
//! asset and tag**; an asset without tags gets one row with the tag columns empty, so every asset
//! appears. `hierarchy` is [`super::hierarchy`] (`A|B|C`), `confidence` has 4 decimals,
//! `confirmed` is `true` or `false`.

use super::{hierarchy, ExportAsset};

pub const HEADER: [&str; 8] = ["asset", "content_hash", "tag_id", "title", "hierarchy", "confidence", "source", "confirmed"];

/// One field, quoted when RFC 4180 needs it.
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn push_row(out: &mut String, fields: &[&str]) {
    let quoted: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

/// Writes the CSV of these assets.
pub fn to_csv(assets: &[ExportAsset]) -> String {
    let mut out = String::new();
    push_row(&mut out, &HEADER);
    for asset in assets {
        let hash = asset.content_hash.as_deref().unwrap_or("");
        if asset.tags.is_empty() {
            push_row(&mut out, &[&asset.name, hash, "", "", "", "", "", ""]);
        }
        for tag in &asset.tags {
            let confidence = if tag.confidence.is_finite() { format!("{:.4}", tag.confidence) } else { String::new() };
            let confirmed = if tag.confirmed { "true" } else { "false" };
            push_row(&mut out, &[&asset.name, hash, &tag.id, &tag.title, &hierarchy(tag), &confidence, tag.source.as_str(), confirmed]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::tag;
    use super::*;

    #[test]
    fn quotes_like_rfc_4180_one_row_per_asset_and_tag() {
        let mut quoted = tag("demo:q", "Say \"cheese\", please", &["Root", "Say \"cheese\", please"], 0.61234);
        quoted.confirmed = true;
        let assets = vec![
            ExportAsset { name: "my, photo.jpg".into(), content_hash: Some("0".repeat(64)), tags: vec![quoted, tag("demo:a", "A|B", &["A|B"], 1.0)] },
            ExportAsset { name: "line\nbreak.png".into(), content_hash: None, tags: vec![] },
        ];
        let text = to_csv(&assets);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "asset,content_hash,tag_id,title,hierarchy,confidence,source,confirmed");
        let zeros = "0".repeat(64);
        assert_eq!(lines[1], format!("\"my, photo.jpg\",{zeros},demo:q,\"Say \"\"cheese\"\", please\",\"Root|Say \"\"cheese\"\", please\",0.6123,taxonomy,true"));
        assert_eq!(lines[2], format!("\"my, photo.jpg\",{zeros},demo:a,A|B,A\u{a6}B,1.0000,taxonomy,false"));
        assert_eq!(lines[3], "\"line\nbreak.png\",,,,,,,");
        assert_eq!(lines[4], "");
        assert_eq!(lines.len(), 5);
    }
}
