//! XMP sidecars: `<x:xmpmeta>` with one `rdf:Description` holding
//! - `dc:subject` (`http://purl.org/dc/elements/1.1/`): an `rdf:Bag` of the tag titles;
//! - `lr:hierarchicalSubject` (`http://ns.adobe.com/lightroom/1.0/`): an `rdf:Bag` of the tag
//!   paths as `A|B|C` ([`super::hierarchy`]: a `|` inside a title becomes `¦`).
//!
//! - `Iptc4xmpCore:ExtDescrAccessibility` (`http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/`), when
//!   words were read in the picture: an `rdf:Alt` with `x-default` "Text in the picture: A, B".
//!   The IPTC Photo Metadata Standard (2021.1) has no field for recognised text; its "Extended
//!   Description (Accessibility)" is where a description of what a picture shows, text included,
//!   belongs, and DAMs that read IPTC map it (exiftool: `XMP-iptcCore:ExtDescrAccessibility`).
//!   Keywords (`dc:subject`) stay the tags: a word on a sign is not a subject.
//!
//! What Lightroom, Bridge and exiftool read. Duplicates are dropped (first one kept), text is
//! XML-escaped, and characters XML 1.0 forbids (controls other than tab, LF and CR) are dropped.
//! A sidecar sits next to its photo as `<name without extension>.xmp` ([`sidecar_name`]).

use std::collections::BTreeSet;

use super::{hierarchy, ExportAsset};

pub const DC_NAMESPACE: &str = "http://purl.org/dc/elements/1.1/";
pub const LR_NAMESPACE: &str = "http://ns.adobe.com/lightroom/1.0/";
pub const RDF_NAMESPACE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
pub const IPTC_CORE_NAMESPACE: &str = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/";

/// The `x-default` text of the words read in a picture.
pub fn text_in_picture(words: &[String]) -> Option<String> {
    let words = distinct(words.iter().map(|w| w.trim().to_owned()));
    (!words.is_empty()).then(|| format!("Text in the picture: {}", words.join(", ")))
}

/// Text escaped for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn bag(out: &mut String, element: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("   <{element}>\n    <rdf:Bag>\n"));
    for item in items {
        out.push_str(&format!("     <rdf:li>{}</rdf:li>\n", escape(item)));
    }
    out.push_str(&format!("    </rdf:Bag>\n   </{element}>\n"));
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items.filter(|item| !item.is_empty() && seen.insert(item.clone())).collect()
}

/// The sidecar of one asset.
pub fn to_xmp(asset: &ExportAsset) -> String {
    let subjects = distinct(asset.tags.iter().map(|t| t.title.clone()));
    let hierarchies = distinct(asset.tags.iter().map(hierarchy));
    let mut out = String::new();
    out.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"smart-tags\">\n");
    out.push_str(&format!(" <rdf:RDF xmlns:rdf=\"{RDF_NAMESPACE}\">\n"));
    out.push_str(&format!(
        "  <rdf:Description rdf:about=\"\"\n    xmlns:dc=\"{DC_NAMESPACE}\"\n    xmlns:lr=\"{LR_NAMESPACE}\"\n    xmlns:Iptc4xmpCore=\"{IPTC_CORE_NAMESPACE}\">\n"
    ));
    bag(&mut out, "dc:subject", &subjects);
    bag(&mut out, "lr:hierarchicalSubject", &hierarchies);
    if let Some(text) = text_in_picture(&asset.words) {
        out.push_str("   <Iptc4xmpCore:ExtDescrAccessibility>\n    <rdf:Alt>\n");
        out.push_str(&format!("     <rdf:li xml:lang=\"x-default\">{}</rdf:li>\n", escape(&text)));
        out.push_str("    </rdf:Alt>\n   </Iptc4xmpCore:ExtDescrAccessibility>\n");
    }
    out.push_str("  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n");
    out
}

/// `IMG_0001.JPG` → `IMG_0001.xmp` (Lightroom's convention: the extension replaced); a name
/// without one gets `.xmp` added. Path separators are cut off.
pub fn sidecar_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    };
    let stem = if stem.is_empty() { "asset" } else { stem };
    format!("{stem}.xmp")
}

#[cfg(test)]
mod tests {
    use super::super::tests::tag;
    use super::*;

    #[test]
    fn writes_both_bags_escaped_and_without_duplicates() {
        let asset = ExportAsset {
            name: "x.jpg".into(),
            content_hash: None,
            tags: vec![
                tag("demo:a", "Cats & <Dogs>", &["Animals", "Cats & <Dogs>"], 0.9),
                tag("demo:b", "Crème brûlée", &["Food", "Crème brûlée"], 0.8),
                tag("demo:c", "A|B", &["Root", "A|B"], 0.7),
                tag("wordnet:x", "Cats & <Dogs>", &["Cats & <Dogs>"], 0.6),
                tag("demo:d", "bell\u{7}", &["bell\u{7}"], 0.6),
            ],
            words: vec![],
        };
        let xmp = to_xmp(&asset);
        assert!(xmp.contains("xmlns:dc=\"http://purl.org/dc/elements/1.1/\""));
        assert!(xmp.contains("xmlns:lr=\"http://ns.adobe.com/lightroom/1.0/\""));
        assert_eq!(xmp.matches("<rdf:li>Cats &amp; &lt;Dogs&gt;</rdf:li>").count(), 2, "{xmp}");
        assert!(xmp.contains("<rdf:li>Animals|Cats &amp; &lt;Dogs&gt;</rdf:li>"));
        assert!(xmp.contains("<rdf:li>Crème brûlée</rdf:li>"));
        assert!(xmp.contains("<rdf:li>A|B</rdf:li>"));
        assert!(xmp.contains("<rdf:li>Root|A\u{a6}B</rdf:li>"));
        assert!(xmp.contains("<rdf:li>bell</rdf:li>"));
        assert!(!xmp.contains('\u{7}'));
    }

    #[test]
    fn the_words_read_go_in_the_extended_description_escaped_and_once() {
        let words = vec!["CAFÉ".to_owned(), "<open>".to_owned(), "CAFÉ".to_owned(), " ".to_owned()];
        let xmp = to_xmp(&ExportAsset { name: "x.jpg".into(), content_hash: None, tags: vec![], words });
        assert!(xmp.contains("xmlns:Iptc4xmpCore=\"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/\""));
        assert!(
            xmp.contains("<rdf:li xml:lang=\"x-default\">Text in the picture: CAFÉ, &lt;open&gt;</rdf:li>"),
            "{xmp}"
        );
        assert!(!xmp.contains("rdf:Bag"), "words are not keywords: {xmp}");
        let none = to_xmp(&ExportAsset { name: "x.jpg".into(), content_hash: None, tags: vec![], words: vec![] });
        assert!(!none.contains("ExtDescrAccessibility"));
    }

    #[test]
    fn an_asset_without_tags_has_no_bags() {
        let xmp = to_xmp(&ExportAsset { name: "x.jpg".into(), content_hash: None, tags: vec![], words: vec![] });
        assert!(!xmp.contains("rdf:Bag"));
        assert!(xmp.contains("<rdf:Description"));
    }

    #[test]
    fn sidecar_names_replace_the_extension() {
        assert_eq!(sidecar_name("IMG_0001.JPG"), "IMG_0001.xmp");
        assert_eq!(sidecar_name("a/b/photo.tar.gz"), "photo.tar.xmp");
        assert_eq!(sidecar_name("README"), "README.xmp");
        assert_eq!(sidecar_name(".hidden"), ".hidden.xmp");
        assert_eq!(sidecar_name("dir/"), "asset.xmp");
    }
}
