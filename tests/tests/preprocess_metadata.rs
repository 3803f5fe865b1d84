//! The content hash and the metadata `preprocess` reads in its one pass, checked against
//! independent tools: `sha256sum`'s digest and `exiftool`'s reading of the same files (installed
//! by scripts/setup.sh), including GPS written into a copy of the iPhone photo by exiftool.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_tests::{fixture, read};

fn exiftool(path: &Path) -> Value {
    let out = Command::new("exiftool")
        .args([
            "-n",
            "-json",
            "-DateTimeOriginal",
            "-Make",
            "-Model",
            "-LensModel",
            "-ExposureTime",
            "-FNumber",
            "-ISO",
            "-FocalLength",
            "-GPSLatitude",
            "-GPSLongitude",
            "-Orientation",
        ])
        .arg(path)
        .output()
        .expect("exiftool runs (scripts/setup.sh installs it)");
    assert!(out.status.success(), "exiftool failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut list: Vec<Value> = serde_json::from_slice(&out.stdout).expect("exiftool json");
    list.remove(0)
}

fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum runs");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_owned()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-6 * b.abs().max(1.0),
        (None, None) => true,
        _ => false,
    }
}

/// Every field core reads equals exiftool's reading; absent in one means absent in the other.
fn check_against_exiftool(path: &Path) -> smart_tags_core::metadata::Metadata {
    let bytes = read(path);
    let p = preprocess(&bytes, &Options::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(p.content_hash, sha256sum(path), "{}", path.display());
    let m = p.metadata.clone();
    let want = exiftool(path);
    let text = |key: &str| want.get(key).map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()));
    let number = |key: &str| want.get(key).and_then(Value::as_f64);
    let c = &m.camera;
    println!("{}: {}", path.display(), serde_json::to_string(&m).unwrap_or_default());
    assert_eq!(c.make, text("Make"), "make");
    assert_eq!(c.model, text("Model"), "model");
    assert_eq!(c.lens_model, text("LensModel"), "lens model");
    assert_eq!(c.date_time_original, text("DateTimeOriginal"), "date");
    assert!(
        close(c.exposure_time, number("ExposureTime")),
        "exposure {:?} {:?}",
        c.exposure_time,
        number("ExposureTime")
    );
    assert!(close(c.f_number, number("FNumber")), "f-number");
    assert_eq!(c.iso.map(f64::from), number("ISO"), "iso");
    assert!(close(c.focal_length, number("FocalLength")), "focal length");
    assert!(close(c.gps_latitude, number("GPSLatitude")), "latitude {:?} {:?}", c.gps_latitude, number("GPSLatitude"));
    assert!(close(c.gps_longitude, number("GPSLongitude")), "longitude");
    assert_eq!(m.orientation.map(f64::from), number("Orientation"), "orientation");
    assert_eq!((m.width, m.height), (p.width, p.height));
    m
}

#[test]
fn the_iphone_photo_metadata_equals_exiftool() {
    let m = check_against_exiftool(&fixture("autorotate/image_exif.jpg"));
    assert_eq!(m.camera.make.as_deref(), Some("Apple"));
    assert_eq!(m.camera.date_time_original_iso.as_deref(), Some("2016-04-23T00:34:28"));
    assert_eq!(m.camera.exposure_time_text.as_deref(), Some("1/33"));
    assert_eq!(m.format.as_str(), "jpeg");
    let json = serde_json::to_value(&m).expect("json");
    assert_eq!(json["lensModel"], "iPhone 6 back camera 4.15mm f/2.2");
    assert_eq!(json["dateTimeOriginalIso"], "2016-04-23T00:34:28");
}

#[test]
fn files_without_camera_exif_have_none() {
    let m = check_against_exiftool(&fixture("wallpapers/large-5120x2880.jpg"));
    assert_eq!(m.camera, Default::default());
    assert_eq!((m.width, m.height), (5120, 2880));
    let json = serde_json::to_value(&m).expect("json");
    assert_eq!(json.as_object().map(|o| o.len()), Some(3), "only width, height, format: {json}");
}

#[test]
fn gps_written_by_exiftool_reads_back_in_decimal_degrees() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gps.jpg");
    std::fs::copy(fixture("autorotate/image_exif.jpg"), &path).expect("copy");
    let status = Command::new("exiftool")
        .args([
            "-q",
            "-overwrite_original",
            "-GPSLatitude=33.8688",
            "-GPSLatitudeRef=S",
            "-GPSLongitude=151.2093",
            "-GPSLongitudeRef=E",
            "-OffsetTimeOriginal=+10:00",
        ])
        .arg(&path)
        .status()
        .expect("exiftool runs");
    assert!(status.success());
    let m = check_against_exiftool(&path);
    let lat = m.camera.gps_latitude.expect("latitude");
    let lon = m.camera.gps_longitude.expect("longitude");
    assert!((lat + 33.8688).abs() < 1e-4 && (lon - 151.2093).abs() < 1e-4, "{lat} {lon}");
    assert_eq!(m.camera.date_time_original_iso.as_deref(), Some("2016-04-23T00:34:28+10:00"));
}
