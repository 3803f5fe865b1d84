//! EXIF orientation on the jpeg-autorotate@6.0.0 test set: every orientation 1-8 decodes upright
//! and matches the package's expected image; a missing or invalid (100) orientation decodes as is.

use image::RgbImage;
use smart_tags_core::decode::decode;
use smart_tags_core::Limits;
use smart_tags_tests::{fixture, read};

fn decode_file(name: &str) -> (RgbImage, Option<u8>) {
    let d = decode(&read(&fixture(&format!("autorotate/{name}"))), &Limits::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (d.image, d.exif_orientation)
}

/// Mean absolute difference per channel, 0-255; `None` when the sizes differ.
fn diff(a: &RgbImage, b: &RgbImage) -> Option<f64> {
    if a.dimensions() != b.dimensions() {
        return None;
    }
    let sum: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    Some(sum as f64 / a.as_raw().len() as f64)
}

/// The expected images are lossy re-encodes (quality 82): allow a small mean difference.
const TOLERANCE: f64 = 6.0;

fn manifest() -> Vec<(String, String, String)> {
    String::from_utf8(read(&fixture("autorotate/MANIFEST.txt")))
        .expect("utf-8 manifest")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_owned(), f[1].to_owned(), f[2].to_owned())
        })
        .collect()
}

#[test]
fn orientations_1_to_8_match_their_upright_images() {
    let (upright_reference, _) = decode_file("image_1.jpg");
    let mut checked = 0;
    for (input, orientation, expected) in manifest() {
        let Ok(orientation) = orientation.parse::<u8>() else { continue };
        if !(1..=8).contains(&orientation) {
            continue;
        }
        let (image, found) = decode_file(&input);
        assert_eq!(found, Some(orientation), "{input}: orientation read from EXIF");
        let target = if expected == "-" { upright_reference.clone() } else { decode_file(&expected).0 };
        let d = diff(&image, &target)
            .unwrap_or_else(|| panic!("{input}: size {:?} vs expected {:?}", image.dimensions(), target.dimensions()));
        println!("{input} (orientation {orientation}): mean |diff| {d:.2}");
        assert!(d <= TOLERANCE, "{input}: mean abs diff {d} against {expected}");
        checked += 1;
    }
    assert_eq!(checked, 9, "orientations 1-8 plus the iPhone photo");
}

#[test]
fn the_check_would_catch_a_decoder_that_ignores_orientation() {
    // Decoded without applying the orientation, image_3 (180 degrees) must NOT match its target.
    let raw = image::load_from_memory(&read(&fixture("autorotate/image_3.jpg"))).unwrap().into_rgb8();
    let (target, _) = decode_file("image_3_dest.jpg");
    let d = diff(&raw, &target).unwrap();
    assert!(d > 4.0 * TOLERANCE, "unrotated image_3 differs only by {d}");
}

#[test]
fn missing_and_invalid_orientation_decode_as_stored() {
    let (plain, _) = decode_file("image_1.jpg");
    for name in ["image_no_orientation.jpg", "image_unknown_orientation.jpg"] {
        let (image, orientation) = decode_file(name);
        assert_eq!(orientation, None, "{name}");
        assert_eq!(image.dimensions(), (600, 450), "{name}");
        let d = diff(&image, &plain).unwrap();
        assert!(d <= TOLERANCE, "{name}: {d}");
    }
}
