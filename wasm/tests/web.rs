//! Runs in headless Chromium: `cargo test -p smart_tags_wasm --target wasm32-unknown-unknown`.

use std::io::Cursor;

use smart_tags_wasm::{model_input_bytes, preprocess, PreprocessLimits};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 77]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).expect("encode png");
    out.into_inner()
}

#[wasm_bindgen_test]
fn preprocesses_a_png_in_the_browser() {
    let result = preprocess(&png(1024, 640), None).expect("preprocess");
    assert_eq!((result.width(), result.height()), (1024, 640));
    assert_eq!(result.format(), "png");
    assert_eq!(result.model_input().len(), model_input_bytes());
    assert_eq!((result.thumbnail_width(), result.thumbnail_height()), (512, 320));
    assert_eq!(&result.thumbnail()[..2], &[0xFF, 0xD8]);
}

#[wasm_bindgen_test]
fn the_binding_returns_what_core_computes() {
    // The binding must hand over exactly what core computed, byte for byte.
    let bytes = png(300, 200);
    let native = smart_tags_core::preprocess(&bytes, &Default::default()).expect("native");
    let wasm = preprocess(&bytes, None).expect("wasm");
    assert_eq!(wasm.model_input(), native.model_input.as_bytes());
}

#[wasm_bindgen_test]
fn corrupt_input_and_limits_are_errors_not_traps() {
    assert!(preprocess(b"definitely not an image", None).is_err());
    let bytes = png(64, 64);
    assert!(preprocess(&bytes[..bytes.len() / 2], None).is_err());
    let tight = PreprocessLimits::new(None, Some(1000.0), None);
    assert!(preprocess(&bytes, Some(tight)).is_err());
    // The module still works after errors.
    assert!(preprocess(&bytes, None).is_ok());
}
