//! The reduced-scale JPEG path (`core/src/decode/jpeg_scaled.rs`) against the full decode on the
//! large photos it exists for: the 14.7 MP wallpaper (baseline, decoded at 1/4) and the iPhone
//! photo with an EXIF orientation (progressive, 1/4). The model input stays within a small mean
//! difference of the full path's, the model sees the same image (embedding cosine, top-1), and
//! the upright size, orientation and thumbnail size are the same.

use image::RgbImage;
use smart_tags_core::decode::decode;
use smart_tags_core::model_input::ModelInput;
use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_core::Limits;
use smart_tags_tests::{argmax, cosine, engine, fixture, read};

/// Mean |difference| per byte, 0-255.
fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| f64::from(x.abs_diff(*y))).sum::<f64>() / a.len() as f64
}

/// Model-input bytes may differ by at most this much on average (0-255 scale): the two paths
/// low-pass the image differently (the IDCT's block average, then bilinear, against bilinear
/// alone) and use different colour up-sampling.
const MODEL_INPUT_TOLERANCE: f64 = 1.5;

fn check(relative: &str, expected_decoder: &str) {
    let bytes = read(&fixture(relative));
    let full = decode(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let full_input = ModelInput::from_image(&full.image).expect("model input");
    let fast = preprocess(&bytes, &Options::default()).unwrap_or_else(|e| panic!("{relative}: {e}"));
    assert_eq!(fast.decoder.as_str(), expected_decoder, "{relative}");
    assert_eq!((fast.width, fast.height), full.image.dimensions(), "{relative}: upright size");
    assert_eq!(fast.exif_orientation, full.exif_orientation, "{relative}");
    let full_thumb = smart_tags_core::thumbnail::thumbnail_pixels(&full.image, 512).expect("thumbnail");
    assert_eq!((fast.thumbnail.width, fast.thumbnail.height), full_thumb.dimensions(), "{relative}");
    // Both thumbnails as the page sees them: JPEG-encoded, decoded again.
    let full_jpeg = smart_tags_core::thumbnail::encode_thumbnail(&full_thumb).expect("encode");
    let pixels = |jpeg: &[u8]| -> RgbImage { image::load_from_memory(jpeg).expect("thumbnail jpeg").into_rgb8() };
    let thumb_diff = mean_abs_diff(pixels(&fast.thumbnail.jpeg).as_raw(), pixels(&full_jpeg.jpeg).as_raw());

    let mad = mean_abs_diff(fast.model_input.as_bytes(), full_input.as_bytes());
    let a = engine().infer_tensor(&fast.model_input.to_tensor(), 1).expect("infer").remove(0);
    let b = engine().infer_tensor(&full_input.to_tensor(), 1).expect("infer").remove(0);
    let cos = cosine(&a.embedding, &b.embedding);
    println!(
        "{relative}: decoder {}, model input mean |diff| {mad:.3} (limit {MODEL_INPUT_TOLERANCE}), thumbnail mean |diff| {thumb_diff:.3}, embedding cosine {cos:.5}",
        fast.decoder.as_str()
    );
    assert!(mad <= MODEL_INPUT_TOLERANCE, "{relative}: model input mean abs diff {mad}");
    assert!(thumb_diff <= 3.0, "{relative}: thumbnail mean abs diff {thumb_diff}");
    assert!(cos >= 0.99, "{relative}: embedding cosine {cos}");
    assert_eq!(argmax(&a.logits), argmax(&b.logits), "{relative}: top-1 differs");
}

#[test]
fn the_wallpaper_decodes_at_one_quarter_close_to_the_full_decode() {
    check("wallpapers/large-5120x2880.jpg", "core-dct-1/4");
}

#[test]
fn the_iphone_photo_decodes_at_one_quarter_upright_close_to_the_full_decode() {
    check("autorotate/image_exif.jpg", "core-dct-1/4");
}

#[test]
fn a_truncated_large_jpeg_is_still_refused() {
    let bytes = read(&fixture("wallpapers/large-5120x2880.jpg"));
    for cut in [bytes.len() / 2, bytes.len() - 2] {
        let err = preprocess(&bytes[..cut], &Options::default()).unwrap_err();
        assert_eq!(err.to_string(), "the image could not be decoded: the file is truncated", "cut at {cut}");
    }
}
