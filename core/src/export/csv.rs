//! The CSV export (RFC 4180): CRLF line ends; a field with `,`, `"`, CR or LF is quoted and its
//! `"` doubled; UTF-8 without BOM. Header
//! `asset,content_hash,tag_id,title,hierarchy,confidence,source,confirmed,text_in_image`, then
//! **one row per asset and tag**; an asset without tags gets one row with the tag columns empty,
//! so every asset appears. `hierarchy` is [`super::hierarchy`] (`A|B|C`), `confidence` has 4
//! decimals, `confirmed` is `true` or `false`, `text_in_image` the words read in the picture,
//! space-separated, on each of the asset's rows.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a CR as a formula (CSV
//! injection), and asset names, manual tag titles and the words read in a picture (a sign can
//! say anything) come from users: such a text cell (asset, tag id, title, hierarchy, text) gets a
//! leading `'`, which spreadsheets show as text and hide.

use super::{hierarchy, ExportAsset};

pub const HEADER: [&str; 9] =
    ["asset", "content_hash", "tag_id", "title", "hierarchy", "confidence", "source", "confirmed", "text_in_image"];

/// One field, quoted when RFC 4180 needs it.
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// A user-supplied text cell, with the formula guard.
pub fn text(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}").into()
    } else {
        value.into()
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
        let words = asset.words.join(" ");
        let words = text(&words);
        if asset.tags.is_empty() {
            push_row(&mut out, &[&text(&asset.name), hash, "", "", "", "", "", "", &words]);
        }
        for tag in &asset.tags {
            let confidence = if tag.confidence.is_finite() { format!("{:.4}", tag.confidence) } else { String::new() };
            let confirmed = if tag.confirmed { "true" } else { "false" };
            let levels = hierarchy(tag);
            push_row(
                &mut out,
                &[
                    &text(&asset.name),
                    hash,
                    &text(&tag.id),
                    &text(&tag.title),
                    &text(&levels),
                    &confidence,
                    tag.source.as_str(),
                    confirmed,
                    &words,
                ],
            );
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
            ExportAsset {
                name: "my, photo.jpg".into(),
                content_hash: Some("0".repeat(64)),
                tags: vec![quoted, tag("demo:a", "A|B", &["A|B"], 1.0)],
                words: vec![],
            },
            ExportAsset { name: "line\nbreak.png".into(), content_hash: None, tags: vec![], words: vec![] },
        ];
        let text = to_csv(&assets);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "asset,content_hash,tag_id,title,hierarchy,confidence,source,confirmed,text_in_image");
        let zeros = "0".repeat(64);
        assert_eq!(lines[1], format!("\"my, photo.jpg\",{zeros},demo:q,\"Say \"\"cheese\"\", please\",\"Root|Say \"\"cheese\"\", please\",0.6123,taxonomy,true,"));
        assert_eq!(lines[2], format!("\"my, photo.jpg\",{zeros},demo:a,A|B,A\u{a6}B,1.0000,taxonomy,false,"));
        assert_eq!(lines[3], "\"line\nbreak.png\",,,,,,,,");
        assert_eq!(lines[4], "");
        assert_eq!(lines.len(), 5);
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_as_a_formula_is_kept_as_text() {
        let assets = vec![
            ExportAsset {
                name: "=HYPERLINK(\"http://x\",\"y\").jpg".into(),
                content_hash: None,
                tags: vec![tag("m:1", "@SUM(A1)", &["+Root", "@SUM(A1)"], 0.5)],
                words: vec![],
            },
            ExportAsset {
                name: "-rotated.jpg".into(),
                content_hash: None,
                tags: vec![],
                words: vec!["=cmd|' /C calc'!A0".into()],
            },
            ExportAsset { name: "\tcell.jpg".into(), content_hash: None, tags: vec![], words: vec![] },
            ExportAsset {
                name: "plain.jpg".into(),
                content_hash: None,
                tags: vec![tag("demo:a", "A-B = C", &["A-B = C"], 0.5)],
                words: vec!["OPEN".into(), "24/7".into()],
            },
        ];
        let text = to_csv(&assets);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[1],
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\").jpg\",,m:1,'@SUM(A1),'+Root|@SUM(A1),0.5000,taxonomy,false,"
        );
        assert_eq!(lines[2], "'-rotated.jpg,,,,,,,,'=cmd|' /C calc'!A0");
        assert_eq!(lines[3], "'\tcell.jpg,,,,,,,,");
        assert_eq!(lines[4], "plain.jpg,,demo:a,A-B = C,A-B = C,0.5000,taxonomy,false,OPEN 24/7");
    }
}
