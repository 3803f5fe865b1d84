//! Runs in headless Chromium: `cargo test -p smart_tags_wasm --target wasm32-unknown-unknown`.

use std::io::Cursor;

use js_sys::{Array, Reflect};
use smart_tags_wasm::{model_input_bytes, preprocess, preprocess_rgba, PreprocessLimits};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A gradient (red by column, green by row, a fixed blue) encoded as `format`.
fn gradient(width: u32, height: u32, blue: u8, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, blue]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    gradient(width, height, 77, image::ImageFormat::Png)
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
    let tight = PreprocessLimits::new(None, Some(1000.0), None, None, None);
    assert!(preprocess(&bytes, Some(tight)).is_err());
    // The module still works after errors.
    assert!(preprocess(&bytes, None).is_ok());
}

/// The image of core's `colours_are_counted_on_the_thumbnail_and_pinned` (core/src/preprocess.rs):
/// five vertical bands, 640x400 so the thumbnail resize runs too. Keep the two copies identical.
fn banded_png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb(match x * 5 / width {
            0 => [200 + (y % 56) as u8, 30, 30],
            1 => [30, 90 + (y * 100 / height) as u8, 40],
            2 => [20, 40, 120 + (x % 100) as u8],
            3 => [(x % 256) as u8, (y % 256) as u8, 128],
            _ => [240, 240, 235],
        })
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).expect("encode png");
    out.into_inner()
}

/// What native code computes for [`banded_png`] (pinned with the same values in core's test).
const BANDED_COLORS: [(&str, &str, f32); 19] = [
    ("red", "#e31e1e", 0.1953125),
    ("white", "#f0f0eb", 0.1953125),
    ("blue", "#162ac1", 0.11230469),
    ("green", "#1e9428", 0.10986328),
    ("navy", "#142993", 0.09082031),
    ("dark green", "#1e6928", 0.05859375),
    ("purple", "#a62d80", 0.055859376),
    ("light green", "#5dc850", 0.049707033),
    ("salmon", "#dd7280", 0.042675782),
    ("magenta", "#e12b80", 0.026855469),
    ("gray", "#958180", 0.01796875),
    ("tan", "#d0b583", 0.017773438),
    ("brown", "#944a22", 0.007421875),
    ("pink", "#f6b0c1", 0.0060546873),
    ("violet", "#b86080", 0.0053710938),
    ("yellow", "#e9ef80", 0.0041015623),
    ("gold", "#ebda80", 0.0026367188),
    ("beige", "#f6ecc1", 0.0009765625),
    ("dark red", "#a03a22", 0.000390625),
];

/// `result.colors` as Rust tuples, read through JS property access like a page would.
fn js_colors(colors: &Array) -> Vec<(String, String, f32)> {
    colors
        .iter()
        .map(|c| {
            let get = |key: &str| Reflect::get(&c, &JsValue::from_str(key)).expect("property");
            let name = get("name").as_string().expect("name is a string");
            let hex = get("hex").as_string().expect("hex is a string");
            let coverage = get("coverage").as_f64().expect("coverage is a number") as f32;
            (name, hex, coverage)
        })
        .collect()
}

#[wasm_bindgen_test]
fn colours_equal_the_native_ones() {
    let all = PreprocessLimits::new(None, None, None, Some(40), Some(0.0));
    let result = preprocess(&banded_png(640, 400), Some(all)).expect("preprocess");
    let got = js_colors(&result.colors().expect("colors"));
    let want: Vec<(String, String, f32)> =
        BANDED_COLORS.iter().map(|&(n, h, c)| (n.to_owned(), h.to_owned(), c)).collect();
    assert_eq!(got, want);
    // Default options: 11 % and up.
    let result = preprocess(&banded_png(640, 400), None).expect("preprocess");
    let names: Vec<String> = js_colors(&result.colors().expect("colors")).into_iter().map(|c| c.0).collect();
    assert_eq!(names, ["red", "white", "blue"]);
}

#[wasm_bindgen_test]
fn the_colour_table_rebuilt_in_the_browser_is_the_embedded_one() {
    // The names come from a table computed natively and embedded; computing it again here, with
    // the browser's floating-point maths, must give the same bytes.
    let start = js_sys::Date::now();
    let built = smart_tags_core::color::lookup::build_table();
    console_log!("colour table built in {} ms in the browser", js_sys::Date::now() - start);
    assert!(
        built[..] == smart_tags_core::color::lookup::table()[..],
        "the browser's maths name some colours differently"
    );
}

#[wasm_bindgen_test]
fn colour_options_out_of_range_are_errors() {
    let bytes = png(64, 64);
    for (max_colors, min_coverage) in
        [(Some(0), None), (Some(41), None), (Some(300), None), (None, Some(1.5)), (None, Some(f64::NAN))]
    {
        let limits = PreprocessLimits::new(None, None, None, max_colors, min_coverage);
        assert!(preprocess(&bytes, Some(limits)).is_err(), "{max_colors:?} {min_coverage:?}");
    }
    let one = PreprocessLimits::new(None, None, None, Some(1), Some(1.0));
    let result = preprocess(&bytes, Some(one)).expect("preprocess");
    assert_eq!(result.colors().expect("colors").length(), 1);
}

/// A JPEG of `width` x `height` with an EXIF APP1 segment: IFD0 with Orientation 6 and Make "Acme".
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let jpeg = gradient(width, height, 60, image::ImageFormat::Jpeg);
    // TIFF: header, IFD0 at 8 with 2 entries (12 bytes each), next-IFD 0, then "Acme\0".
    let mut tiff = b"II\x2a\x00\x08\x00\x00\x00\x02\x00".to_vec();
    tiff.extend_from_slice(&[0x0F, 0x01, 2, 0, 5, 0, 0, 0, 38, 0, 0, 0]); // Make, ASCII, 5, at 38
    tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]); // Orientation, SHORT, 6
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(b"Acme\0");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(app1.len() + 2).expect("short segment").to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).expect("property")
}

#[wasm_bindgen_test]
fn hash_metadata_and_decoder_are_what_core_computes() {
    for (width, height, decoder) in [(2048, 1536, "core-dct-1/4"), (640, 480, "core")] {
        let bytes = jpeg_with_exif(width, height);
        let native = smart_tags_core::preprocess(&bytes, &Default::default()).expect("native");
        let wasm = preprocess(&bytes, None).expect("wasm");
        assert_eq!(wasm.decoder(), decoder);
        assert_eq!(wasm.decoder(), native.decoder.as_str());
        assert_eq!(wasm.content_hash(), native.content_hash);
        assert_eq!(wasm.content_hash().len(), 64);
        assert_eq!(wasm.model_input(), native.model_input.as_bytes());
        assert_eq!(wasm.thumbnail(), native.thumbnail.jpeg);
        let metadata = wasm.metadata().expect("metadata");
        assert_eq!(js_sys::JSON::stringify(&metadata).expect("json").as_string(), Some(native.metadata.to_json()));
        // Orientation 6 turns the image: upright size is height x width.
        assert_eq!(get(&metadata, "width").as_f64(), Some(f64::from(height)));
        assert_eq!(get(&metadata, "height").as_f64(), Some(f64::from(width)));
        assert_eq!(get(&metadata, "orientation").as_f64(), Some(6.0));
        assert_eq!(get(&metadata, "make").as_string().as_deref(), Some("Acme"));
        assert_eq!(get(&metadata, "format").as_string().as_deref(), Some("jpeg"));
        assert!(get(&metadata, "gpsLatitude").is_undefined());
        let no_hash = preprocess(&bytes, Some(PreprocessLimits::new(None, None, None, None, None).without_hash()))
            .expect("no hash");
        assert_eq!(no_hash.content_hash(), "");
        assert_eq!(smart_tags_wasm::sha256_hex(&bytes), native.content_hash);
        assert_eq!(no_hash.model_input(), native.model_input.as_bytes());
        let timings = wasm.timings().expect("timings");
        assert!(get(&timings, "decodeMs").as_f64().is_some_and(|ms| ms >= 0.0), "performance.now timings");
    }
}

fn code_of(error: &JsValue) -> Option<String> {
    assert!(error.is_instance_of::<js_sys::Error>(), "an Error object");
    get(error, "code").as_string()
}

#[wasm_bindgen_test]
fn errors_carry_a_code() {
    let bytes = png(64, 64);
    let err = preprocess(b"definitely not an image", None).err().expect("error");
    assert_eq!(code_of(&err).as_deref(), Some("unsupported"));
    let err = preprocess(&bytes[..bytes.len() / 2], None).err().expect("error");
    assert_eq!(code_of(&err).as_deref(), Some("corrupt"));
    let err =
        preprocess(&bytes, Some(PreprocessLimits::new(None, Some(1000.0), None, None, None))).err().expect("error");
    assert_eq!(code_of(&err).as_deref(), Some("too_large"));
    let message = get(&err, "message").as_string().expect("message");
    assert_eq!(message, "the image is 64x64 pixels, more than the limit of 1000 pixels");
    let err = preprocess(&bytes, Some(PreprocessLimits::new(None, None, None, Some(0), None))).err().expect("error");
    assert_eq!(code_of(&err).as_deref(), Some("invalid_options"));
}

#[wasm_bindgen_test]
fn rgba_from_another_decoder_gives_what_core_gives_for_the_file() {
    let (width, height) = (300, 200);
    let original = png(width, height);
    let rgba: Vec<u8> = image::load_from_memory(&original).expect("png").into_rgba8().into_raw();
    let from_file = preprocess(&original, None).expect("file");
    let from_pixels = preprocess_rgba(&rgba, width, height, &original, None).expect("rgba");
    let native = smart_tags_core::preprocess::preprocess_rgba(&rgba, width, height, &original, &Default::default())
        .expect("native");
    assert_eq!(from_pixels.decoder(), "browser");
    assert_eq!(from_pixels.model_input(), from_file.model_input());
    assert_eq!(from_pixels.model_input(), native.model_input.as_bytes());
    assert_eq!(from_pixels.thumbnail(), from_file.thumbnail());
    assert_eq!(from_pixels.content_hash(), from_file.content_hash());
    assert_eq!(js_colors(&from_pixels.colors().expect("colors")), js_colors(&from_file.colors().expect("colors")));
    assert_eq!(get(&from_pixels.metadata().expect("metadata"), "format").as_string().as_deref(), Some("png"));

    // The pixels must be width x height x 4, and within the limits, or it is an error.
    let err = preprocess_rgba(&rgba[..rgba.len() - 4], width, height, &original, None).err().expect("short");
    assert_eq!(code_of(&err).as_deref(), Some("corrupt"));
    let err = preprocess_rgba(&rgba, 0, height, &original, None).err().expect("zero");
    assert_eq!(code_of(&err).as_deref(), Some("corrupt"));
    let tight = PreprocessLimits::new(None, Some(1000.0), None, None, None);
    let err = preprocess_rgba(&rgba, width, height, &original, Some(tight)).err().expect("limit");
    assert_eq!(code_of(&err).as_deref(), Some("too_large"));
    // A huge declared size with few pixels is refused from the size, not by allocating.
    let err = preprocess_rgba(&rgba, 60_000, 60_000, &original, None).err().expect("huge");
    assert_eq!(code_of(&err).as_deref(), Some("too_large"));
    assert!(preprocess_rgba(&rgba, width, height, &[], None).is_err(), "no original bytes");
}

/// The JPEG of core's `jpeg_scaled` tests (core/src/decode/jpeg_scaled.rs). Keep the two identical.
fn gradient_jpeg(width: u32, height: u32) -> Vec<u8> {
    gradient(width, height, 90, image::ImageFormat::Jpeg)
}

#[wasm_bindgen_test]
fn the_reduced_decode_gives_the_native_bytes() {
    // The same SHA-256 values as core's `the_reduced_decode_is_pinned`, computed natively.
    use smart_tags_core::decode::{decode_for, Needs};
    use smart_tags_core::preprocess::sha256_hex;
    let d = decode_for(&gradient_jpeg(2560, 1600), &Default::default(), Needs { longest: 512, shorter: 256 })
        .expect("decode");
    assert_eq!(d.decoder.as_str(), "core-dct-1/4");
    let input = smart_tags_core::ModelInput::from_image(&d.image).expect("model input");
    assert_eq!(sha256_hex(d.image.as_raw()), "479539efaeae55ae12cc62dc8dbfdb2fd29c946a18e07ab19c9d7d9fc70d3c5a");
    assert_eq!(sha256_hex(input.as_bytes()), "054f0f7934f28265763d50de498e50074a97ab1381806489f61b4abb334a9e38");
}
