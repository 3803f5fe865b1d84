//! One decode of a file gives everything the product needs from it: the thumbnail, the model
//! input, the dominant colours and the basic facts. The browser (wasm) and the servers call this
//! same function.
//!
//! The colours are counted on the thumbnail's pixels (before JPEG encoding), not on the
//! full-resolution image: averaging them down to 128 pixels then costs a fraction of a
//! millisecond. An image whose thumbnail would be smaller than the colours' sample size (a
//! `thumbnail_side` below 128) has its colours counted on the decoded image itself.

use image::RgbImage;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::color::palette::SAMPLE_SIDE;
use crate::color::{dominant_colors, ColorOptions, ColorTag};
use crate::decode::{decode, decode_for, Decoded, Decoder, Format, Needs};
use crate::error::PreprocessError;
use crate::limits::Limits;
use crate::metadata::{exif, Camera, Metadata};
use crate::model_input::{ModelInput, RESIZE_SHORTER};
use crate::thumbnail::{encode_thumbnail, thumbnail_pixels, Thumbnail, LONGEST_SIDE};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub limits: Limits,
    /// Longest side of the thumbnail.
    pub thumbnail_side: u32,
    /// How many dominant colours, from what coverage.
    #[serde(default)]
    pub colors: ColorOptions,
    /// Decode large JPEGs at a reduced scale when the outputs allow it (default); `false`
    /// decodes every pixel (benchmarks and comparisons).
    #[serde(default = "yes")]
    pub reduced_jpeg: bool,
    /// Compute the SHA-256 of the file (default). The browser worker turns it off when it has
    /// `crypto.subtle`, which hashes on another thread while the decode runs; the result's
    /// `content_hash` is then empty.
    #[serde(default = "yes")]
    pub content_hash: bool,
}

fn yes() -> bool {
    true
}

impl Timings {
    /// Compact JSON, camelCase keys.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            thumbnail_side: LONGEST_SIDE,
            colors: ColorOptions::default(),
            reduced_jpeg: true,
            content_hash: true,
        }
    }
}

impl Options {
    /// The smallest decoded image that still gives this thumbnail and the model input.
    pub fn needs(&self) -> Needs {
        Needs { longest: self.thumbnail_side, shorter: RESIZE_SHORTER }
    }
}

#[derive(Debug, Clone)]
pub struct Preprocessed {
    pub format: Format,
    /// Upright width and height (after the EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub exif_orientation: Option<u8>,
    pub thumbnail: Thumbnail,
    pub model_input: ModelInput,
    /// Dominant colours, most covered first (see [`crate::color::palette`]).
    pub colors: Vec<ColorTag>,
    /// SHA-256 of the file's bytes, lowercase hex (empty when [`Options::content_hash`] is off).
    pub content_hash: String,
    /// Size, format, orientation and camera EXIF.
    pub metadata: Metadata,
    /// Which decoder made the pixels ([`Decoder::as_str`]: `core`, `core-dct-1/4`, `browser`).
    pub decoder: Decoder,
    /// Milliseconds per stage, when a clock was given ([`preprocess_timed`]).
    pub timings: Option<Timings>,
}

/// Milliseconds spent in each stage of one [`preprocess_timed`] call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    pub decode_ms: f64,
    pub thumbnail_ms: f64,
    pub colors_ms: f64,
    pub model_input_ms: f64,
    pub hash_ms: f64,
}

/// At most what [`preprocess`] of `bytes` with `options` allocates at its peak, in bytes, read
/// from the header alone (see [`crate::decode::footprint`]); what the servers charge against
/// their decode memory budget. A file the decode would refuse (too large, unsupported, a JPEG
/// too short for its size) is refused here with the same error.
pub fn peak_memory(bytes: &[u8], options: &Options) -> Result<u64, PreprocessError> {
    crate::decode::footprint::peak_bytes(bytes, &options.limits)
}

/// The part of [`peak_memory`] that does not grow with the image.
pub const PEAK_MEMORY_FIXED: u64 = crate::decode::footprint::FIXED;

/// Decodes `bytes` once and makes everything the product needs from it.
pub fn preprocess(bytes: &[u8], options: &Options) -> Result<Preprocessed, PreprocessError> {
    run(bytes, options, None)
}

/// [`preprocess`], timing each stage with `clock` (milliseconds from any origin). Core has no
/// clock of its own: the browser passes `performance.now`, native callers `Instant`.
pub fn preprocess_timed(
    bytes: &[u8],
    options: &Options,
    clock: &dyn Fn() -> f64,
) -> Result<Preprocessed, PreprocessError> {
    run(bytes, options, Some(clock))
}

fn run(bytes: &[u8], options: &Options, clock: Option<&dyn Fn() -> f64>) -> Result<Preprocessed, PreprocessError> {
    options.colors.validate()?;
    let mut stopwatch = Stopwatch::new(clock);
    let decoded = if options.reduced_jpeg {
        decode_for(bytes, &options.limits, options.needs())?
    } else {
        decode(bytes, &options.limits)?
    };
    stopwatch.lap(|t, ms| t.decode_ms = ms);
    let camera = decoded.exif.as_deref().map(exif::camera).unwrap_or_default();
    let Decoded { format, exif_orientation, image, width, height, decoder, .. } = decoded;
    finish(
        bytes,
        image,
        Metadata { width, height, format, orientation: exif_orientation, camera },
        decoder,
        options,
        stopwatch,
    )
}

/// The same thumbnail, model input and colours from pixels another decoder made (the browser's,
/// for formats this crate does not read: HEIC, AVIF, ICO…): `rgba` is `width` x `height` RGBA,
/// row-major, already upright; `original` is the file's bytes, for the content hash and the
/// format. The limits apply to the file's bytes and to the pixels' size, checked before any
/// buffer is made. Alpha is dropped as the core decoders drop it.
pub fn preprocess_rgba(
    rgba: &[u8],
    width: u32,
    height: u32,
    original: &[u8],
    options: &Options,
) -> Result<Preprocessed, PreprocessError> {
    options.colors.validate()?;
    options.limits.check_bytes(original.len())?;
    options.limits.check_dimensions(width, height)?;
    let expected = u64::from(width) * u64::from(height) * 4;
    if rgba.len() as u64 != expected {
        return Err(PreprocessError::Corrupt(format!("expected {expected} bytes of rgba pixels, got {}", rgba.len())));
    }
    let rgb: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let image = RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| PreprocessError::Corrupt("the pixels do not match the size".to_owned()))?;
    let metadata =
        Metadata { width, height, format: Format::sniff(original), orientation: None, camera: Camera::default() };
    finish(original, image, metadata, Decoder::Browser, options, Stopwatch::new(None))
}

fn finish(
    bytes: &[u8],
    image: RgbImage,
    metadata: Metadata,
    decoder: Decoder,
    options: &Options,
    mut stopwatch: Stopwatch<'_>,
) -> Result<Preprocessed, PreprocessError> {
    let small = thumbnail_pixels(&image, options.thumbnail_side)?;
    let thumbnail = encode_thumbnail(&small)?;
    stopwatch.lap(|t, ms| t.thumbnail_ms = ms);
    let color_source = if small.width().max(small.height()) >= SAMPLE_SIDE { &small } else { &image };
    let colors = dominant_colors(color_source, &options.colors)?;
    stopwatch.lap(|t, ms| t.colors_ms = ms);
    let model_input = ModelInput::from_image(&image)?;
    stopwatch.lap(|t, ms| t.model_input_ms = ms);
    let content_hash = if options.content_hash { sha256_hex(bytes) } else { String::new() };
    stopwatch.lap(|t, ms| t.hash_ms = ms);
    Ok(Preprocessed {
        format: metadata.format,
        width: metadata.width,
        height: metadata.height,
        exif_orientation: metadata.orientation,
        thumbnail,
        model_input,
        colors,
        content_hash,
        metadata,
        decoder,
        timings: stopwatch.timings(),
    })
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

struct Stopwatch<'a> {
    clock: Option<&'a dyn Fn() -> f64>,
    last: f64,
    timings: Timings,
}

impl<'a> Stopwatch<'a> {
    fn new(clock: Option<&'a dyn Fn() -> f64>) -> Stopwatch<'a> {
        Stopwatch { clock, last: clock.map_or(0.0, |c| c()), timings: Timings::default() }
    }

    fn lap(&mut self, set: impl FnOnce(&mut Timings, f64)) {
        if let Some(clock) = self.clock {
            let now = clock();
            set(&mut self.timings, now - self.last);
            self.last = now;
        }
    }

    fn timings(&self) -> Option<Timings> {
        self.clock.map(|_| self.timings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color::ColorOptions;
    use crate::model_input::BYTES;
    use image::{ImageFormat, RgbImage};
    use std::io::Cursor;

    fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img.clone()).write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]))
    }

    #[test]
    fn every_format_decodes_to_the_same_model_input_size() {
        let img = gradient(300, 200);
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Bmp, ImageFormat::Gif, ImageFormat::WebP] {
            let bytes = encode(&img, format);
            let p = preprocess(&bytes, &Options::default()).unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!((p.width, p.height), (300, 200), "{format:?}");
            assert_eq!(p.model_input.as_bytes().len(), BYTES);
            assert_eq!((p.thumbnail.width, p.thumbnail.height), (300, 200));
        }
    }

    /// The image of the wasm test `colours_equal_the_native_ones` (wasm/tests/web.rs): five
    /// vertical bands (reds, greens, blues, a gradient, off-white), 640x400 so the thumbnail
    /// resize runs too. Keep the two copies identical.
    fn banded(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            image::Rgb(match x * 5 / width {
                0 => [200 + (y % 56) as u8, 30, 30],
                1 => [30, 90 + (y * 100 / height) as u8, 40],
                2 => [20, 40, 120 + (x % 100) as u8],
                3 => [(x % 256) as u8, (y % 256) as u8, 128],
                _ => [240, 240, 235],
            })
        })
    }

    /// The colours of [`banded`]: pinned here and, with the same values, in the wasm test, so the
    /// browser and the servers are held to the same answer.
    /// The colours of [`banded`] (all of them: 40 at most, no threshold), pinned here and, with the
    /// same values, in the wasm test, so the browser and the servers are held to the same answer.
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

    #[test]
    fn colours_are_counted_on_the_thumbnail_and_pinned() {
        let img = banded(640, 400);
        let colors = ColorOptions { max_colors: 40, min_coverage: 0.0 };
        let from_thumbnail = dominant_colors(&thumbnail_pixels(&img, LONGEST_SIDE).unwrap(), &colors).unwrap();
        let all = Options { colors, ..Options::default() };
        let p = preprocess(&encode(&banded(640, 400), ImageFormat::Png), &all).unwrap();
        assert_eq!(p.colors, from_thumbnail);
        let got: Vec<(&str, &str, f32)> =
            p.colors.iter().map(|c| (c.name.as_str(), c.hex.as_str(), c.coverage)).collect();
        assert_eq!(got, BANDED_COLORS);
        // With the default options: the names covering 11 % or more.
        let p = preprocess(&encode(&banded(640, 400), ImageFormat::Png), &Options::default()).unwrap();
        let names: Vec<&str> = p.colors.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["red", "white", "blue"]);
    }

    #[test]
    fn colour_options_are_checked_before_decoding() {
        let options =
            Options { colors: ColorOptions { max_colors: 0, ..ColorOptions::default() }, ..Options::default() };
        let err = preprocess(b"not even an image", &options).unwrap_err();
        assert_eq!(err, PreprocessError::Colors(crate::color::ColorError::MaxColors(0)));
        assert_eq!(err.to_string(), "the number of colours must be from 1 to 40, got 0");
    }

    #[test]
    fn rgba_pixels_give_what_the_file_gives() {
        let img = gradient(333, 257);
        let png = encode(&img, ImageFormat::Png);
        let rgba: Vec<u8> = img.pixels().flat_map(|p| [p[0], p[1], p[2], 255]).collect();
        let from_file = preprocess(&png, &Options::default()).unwrap();
        let from_pixels = preprocess_rgba(&rgba, 333, 257, &png, &Options::default()).unwrap();
        assert_eq!(from_pixels.model_input, from_file.model_input);
        assert_eq!(from_pixels.thumbnail, from_file.thumbnail);
        assert_eq!(from_pixels.colors, from_file.colors);
        assert_eq!(from_pixels.content_hash, from_file.content_hash);
        assert_eq!(from_pixels.decoder, Decoder::Browser);
        assert_eq!(from_pixels.metadata.format, Format::Png);
        assert_eq!(from_file.decoder, Decoder::Core);
        assert_eq!(
            preprocess_rgba(&rgba, 60_000, 60_000, &png, &Options::default()).unwrap_err(),
            PreprocessError::SideTooLong { width: 60_000, height: 60_000, limit: 20_000 }
        );
        assert!(matches!(
            preprocess_rgba(&rgba[1..], 333, 257, &png, &Options::default()),
            Err(PreprocessError::Corrupt(_))
        ));
        assert_eq!(preprocess_rgba(&rgba, 333, 257, &[], &Options::default()).unwrap_err(), PreprocessError::Empty);
    }

    #[test]
    fn the_hash_is_sha256_and_the_clock_times_each_stage() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let png = encode(&gradient(64, 64), ImageFormat::Png);
        let ticks = std::cell::Cell::new(0.0);
        let clock = || {
            ticks.set(ticks.get() + 1.0);
            ticks.get()
        };
        let p = preprocess_timed(&png, &Options::default(), &clock).unwrap();
        let t = p.timings.unwrap();
        assert_eq!((t.decode_ms, t.thumbnail_ms, t.colors_ms, t.model_input_ms, t.hash_ms), (1.0, 1.0, 1.0, 1.0, 1.0));
        assert_eq!(p.content_hash, sha256_hex(&png));
        assert!(preprocess(&png, &Options::default()).unwrap().timings.is_none());
        let no_hash = Options { content_hash: false, ..Options::default() };
        assert_eq!(preprocess(&png, &no_hash).unwrap().content_hash, "");
    }

    #[test]
    fn lossless_formats_agree_exactly() {
        let img = gradient(333, 257);
        let png = preprocess(&encode(&img, ImageFormat::Png), &Options::default()).unwrap();
        let bmp = preprocess(&encode(&img, ImageFormat::Bmp), &Options::default()).unwrap();
        assert_eq!(png.model_input, bmp.model_input);
    }

    /// A PNG whose header declares 50000x50000 pixels in a few bytes: refused from the header.
    fn png_bomb(width: u32, height: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let crc = crc32(&out[start..]);
            out.extend_from_slice(&crc.to_be_bytes());
        }
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut out, b"IHDR", &ihdr);
        // zlib stream of a run of zeros: what a real bomb's IDAT looks like.
        chunk(
            &mut out,
            b"IDAT",
            &[
                0x78, 0xDA, 0xED, 0xC1, 0x01, 0x0D, 0x00, 0x00, 0x00, 0xC2, 0xA0, 0xF7, 0x4F, 0x6D, 0x0E, 0x37, 0xA0,
                0x00, 0x00,
            ],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        let bomb = png_bomb(50_000, 50_000);
        assert!(bomb.len() < 100);
        let limits = Limits { max_side: 60_000, ..Limits::default() };
        let err = preprocess(&bomb, &Options { limits, ..Options::default() }).unwrap_err();
        assert_eq!(err, PreprocessError::TooManyPixels { width: 50_000, height: 50_000, limit: limits.max_pixels });
        let err = preprocess(&bomb, &Options::default()).unwrap_err();
        assert!(matches!(err, PreprocessError::SideTooLong { .. }), "{err}");
    }

    #[test]
    fn an_oversized_file_is_refused_before_decoding() {
        let bytes = encode(&gradient(64, 64), ImageFormat::Png);
        let limits = Limits { max_bytes: bytes.len() - 1, ..Limits::default() };
        let err = preprocess(&bytes, &Options { limits, ..Options::default() }).unwrap_err();
        assert!(matches!(err, PreprocessError::TooManyBytes { .. }));
    }

    #[test]
    fn corrupt_truncated_and_unknown_inputs_give_errors_not_panics() {
        let jpeg = encode(&gradient(256, 256), ImageFormat::Jpeg);
        let png = encode(&gradient(256, 256), ImageFormat::Png);
        assert_eq!(preprocess(&[], &Options::default()).unwrap_err(), PreprocessError::Empty);
        assert_eq!(preprocess(b"hello, world", &Options::default()).unwrap_err(), PreprocessError::UnsupportedFormat);
        for cut in [4, 20, 100, jpeg.len() / 2] {
            assert!(preprocess(&jpeg[..cut], &Options::default()).is_err(), "jpeg cut at {cut}");
        }
        for cut in [8, 30, png.len() / 2, png.len() - 13] {
            assert!(preprocess(&png[..cut], &Options::default()).is_err(), "png cut at {cut}");
        }
        // Flipped bytes anywhere must never panic.
        for i in (0..jpeg.len()).step_by(97) {
            let mut broken = jpeg.clone();
            broken[i] ^= 0x5A;
            let _ = preprocess(&broken, &Options::default());
        }
    }
}
