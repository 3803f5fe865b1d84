//! XMP sidecars from `smart_tags_core::export::xmp`, read back by exiftool (what Lightroom,
//! Bridge and DAM ingest scripts use): `exiftool -j -XMP-dc:Subject -XMP-lr:HierarchicalSubject`.
//! Titles with `&`, `<`, non-ASCII text and a `|` inside a title (written as `¦` in the
//! hierarchy, see docs/review-session.md).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use smart_tags_core::export::xmp::{sidecar_name, to_xmp};
use smart_tags_core::export::{ExportAsset, ExportTag};
use smart_tags_core::tags::TagSource;
use smart_tags_tests::{exiftool, exiftool_list};

fn tag(id: &str, path: &[&str]) -> ExportTag {
    ExportTag {
        id: id.to_owned(),
        title: path.last().copied().unwrap_or_default().to_owned(),
        path: path.iter().map(|s| (*s).to_owned()).collect(),
        confidence: 0.8,
        source: TagSource::Taxonomy,
        confirmed: false,
    }
}

/// exiftool's reading of a sidecar: (Subject, HierarchicalSubject), each as a list.
fn read_back(path: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let record = exiftool(&["-XMP-dc:Subject", "-XMP-lr:HierarchicalSubject"], path);
    (exiftool_list(&record, "Subject"), exiftool_list(&record, "HierarchicalSubject"))
}

#[test]
fn exiftool_reads_subjects_and_hierarchies_with_hard_titles() {
    let asset = ExportAsset {
        name: "IMG_0042.JPG".to_owned(),
        content_hash: Some("ab".repeat(32)),
        tags: vec![
            tag("demo:animals/cats", &["Animals", "Cats & Kittens"]),
            tag("demo:food/creme", &["Food & Drink", "Crème brûlée <hot>"]),
            tag("demo:tools/pipe", &["Tools", "Pipe | Tube"]),
            tag("demo:places/tokyo", &["場所", "東京"]),
            tag("wordnet:n02121808", &["animal", "cat", "domestic cat"]),
            // Same title as another tag: one subject, two hierarchies.
            tag("demo:pets/cats", &["Pets", "Cats & Kittens"]),
        ],
        words: vec!["GM125".to_owned(), "Café <Ouvert>".to_owned()],
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(sidecar_name(&asset.name));
    assert_eq!(path.file_name().unwrap(), "IMG_0042.xmp");
    std::fs::write(&path, to_xmp(&asset)).unwrap();

    let (subjects, hierarchies) = read_back(&path);
    assert_eq!(subjects, ["Cats & Kittens", "Crème brûlée <hot>", "Pipe | Tube", "東京", "domestic cat"]);
    assert_eq!(
        hierarchies,
        [
            "Animals|Cats & Kittens",
            "Food & Drink|Crème brûlée <hot>",
            "Tools|Pipe \u{a6} Tube",
            "場所|東京",
            "animal|cat|domestic cat",
            "Pets|Cats & Kittens",
        ]
    );
    // The words read in the picture, in IPTC's extended description (accessibility).
    let record = exiftool(&["-XMP-iptcCore:ExtDescrAccessibility"], &path);
    assert_eq!(record["ExtDescrAccessibility"], "Text in the picture: GM125, Café <Ouvert>", "{record}");
}

#[test]
fn exiftool_reads_a_sidecar_without_tags_as_empty() {
    let asset = ExportAsset { name: "empty.png".to_owned(), content_hash: None, tags: Vec::new(), words: vec![] };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(sidecar_name(&asset.name));
    std::fs::write(&path, to_xmp(&asset)).unwrap();
    assert_eq!(read_back(&path), (Vec::new(), Vec::new()));
}

/// exiftool's reading of a JPEG copy: Subject, HierarchicalSubject and the EXIF orientation.
fn read_embedded(path: &std::path::Path) -> Value {
    exiftool(&["-n", "-XMP-dc:Subject", "-XMP-lr:HierarchicalSubject", "-EXIF:Orientation", "-Warning"], path)
}

#[test]
fn exiftool_reads_xmp_embedded_into_a_copy_of_a_real_photo() {
    use smart_tags_core::export::xmp_jpeg::{embed, read_xmp};
    use smart_tags_tests::{fixture, read};

    // A camera JPEG with EXIF (orientation 3): the EXIF must survive, the pixels must not change.
    let original = read(&fixture("autorotate/image_3.jpg"));
    let asset = ExportAsset {
        name: "image_3.jpg".to_owned(),
        content_hash: None,
        tags: vec![
            tag("demo:animals/cats", &["Animals", "Cats & Kittens"]),
            tag("demo:places/tokyo", &["場所", "東京"]),
        ],
        words: vec![],
    };
    let copy = embed(&original, &to_xmp(&asset)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image_3.jpg");
    std::fs::write(&path, &copy).unwrap();
    let record = read_embedded(&path);
    assert_eq!(record["Subject"], serde_json::json!(["Cats & Kittens", "東京"]), "{record}");
    assert_eq!(record["HierarchicalSubject"], serde_json::json!(["Animals|Cats & Kittens", "場所|東京"]), "{record}");
    assert_eq!(record["Orientation"], serde_json::json!(3), "the EXIF is kept: {record}");
    assert!(record.get("Warning").is_none(), "exiftool finds nothing wrong: {record}");
    let pixels = |bytes: &[u8]| image::load_from_memory(bytes).unwrap().to_rgb8();
    assert!(pixels(&original) == pixels(&copy), "the image data is copied, not re-encoded");

    // Tagging again replaces the packet: exiftool sees the new tags only.
    let again =
        embed(&copy, &to_xmp(&ExportAsset { tags: vec![tag("demo:pets/dogs", &["Pets", "Dogs"])], ..asset })).unwrap();
    assert_eq!(read_xmp(&again).unwrap().len(), 1);
    std::fs::write(&path, &again).unwrap();
    assert_eq!(read_embedded(&path)["Subject"], serde_json::json!("Dogs"));
}
