//! Labelled examples from few real photos: *views* of a photo — a random crop (40–100 % of the
//! largest crop of its aspect ratio, the aspect drawn between 3:4 and 4:3, at a random position),
//! a horizontal flip half of the time and a mild brightness/contrast change — each a real region
//! of the photo, re-encoded as JPEG by the caller ([`encode_jpeg`]).
//!
//! Views of one photo are strongly correlated: an evaluation must split training and test by
//! *source photo*, never by view.
//!
//! Everything is deterministic: a view depends only on the image, the seed and its index (a
//! SplitMix64 generator, no `rand`), so `views(img, 5, s)` is the first five of `views(img, 20, s)`.
#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{imageops, RgbImage};
use smart_tags_core::{Limits, PreprocessError};

/// Longest side a source photo is scaled down to before views are cut from it.
pub const SOURCE_LONG_SIDE: u32 = 1024;
/// JPEG quality of the written views.
pub const VIEW_JPEG_QUALITY: u8 = 90;

/// Smallest crop, as a fraction of the largest crop of the drawn aspect ratio.
const MIN_SCALE: f64 = 0.4;
/// Aspect ratios (width / height) are drawn log-uniformly in this range.
const ASPECT: (f64, f64) = (3.0 / 4.0, 4.0 / 3.0);
/// Contrast factor range (around mid-grey) and brightness shift range (in 8-bit levels).
const CONTRAST: (f64, f64) = (0.85, 1.15);
const BRIGHTNESS: (f64, f64) = (-20.0, 20.0);

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough to draw crops.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }

    /// Uniform integer in `0..=max`.
    pub fn up_to(&mut self, max: u32) -> u32 {
        (self.next_u64() % (u64::from(max) + 1)) as u32
    }
}

/// A 64-bit FNV-1a hash, to derive a per-photo seed from its name.
pub fn hash_str(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// How one view is cut from its photo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewParams {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub flip: bool,
    pub contrast: f64,
    pub brightness: f64,
}

impl ViewParams {
    /// Draws the parameters of view `index` of a `width`×`height` image.
    pub fn draw(width: u32, height: u32, seed: u64, index: usize) -> ViewParams {
        let mut rng =
            SplitMix64::new(SplitMix64::new(seed ^ (index as u64).wrapping_mul(0xA076_1D64_78BD_642F)).next_u64());
        let aspect = rng.range(ASPECT.0.ln(), ASPECT.1.ln()).exp();
        let (w, h) = (f64::from(width), f64::from(height));
        // The largest crop of this aspect ratio that fits, then scaled down.
        let (max_w, max_h) = if w / h > aspect { (h * aspect, h) } else { (w, w / aspect) };
        let scale = rng.range(MIN_SCALE, 1.0);
        let side = |v: f64, limit: u32| (v * scale).round().clamp(1.0, f64::from(limit)) as u32;
        let (cw, ch) = (side(max_w, width), side(max_h, height));
        let x = rng.up_to(width - cw);
        let y = rng.up_to(height - ch);
        let flip = rng.next_f64() < 0.5;
        let contrast = rng.range(CONTRAST.0, CONTRAST.1);
        let brightness = rng.range(BRIGHTNESS.0, BRIGHTNESS.1);
        ViewParams { x, y, width: cw, height: ch, flip, contrast, brightness }
    }

    /// Cuts this view from `image` (which must be the size the parameters were drawn for).
    pub fn apply(&self, image: &RgbImage) -> RgbImage {
        let mut view = imageops::crop_imm(image, self.x, self.y, self.width, self.height).to_image();
        if self.flip {
            imageops::flip_horizontal_in_place(&mut view);
        }
        let lut: Vec<u8> = (0..=255u8)
            .map(|v| ((f64::from(v) - 128.0) * self.contrast + 128.0 + self.brightness).round().clamp(0.0, 255.0) as u8)
            .collect();
        for value in view.iter_mut() {
            *value = lut[usize::from(*value)];
        }
        view
    }
}

/// `count` views of `image`, deterministic in `seed` (view `i` depends only on the image, the
/// seed and `i`).
pub fn views(image: &RgbImage, count: usize, seed: u64) -> Vec<RgbImage> {
    (0..count).map(|i| ViewParams::draw(image.width(), image.height(), seed, i).apply(image)).collect()
}

/// Encodes `image` as a baseline JPEG of the given quality (1–100).
pub fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, image::ImageError> {
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, quality).encode_image(image)?;
    Ok(jpeg)
}

#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Decode { path: PathBuf, source: PreprocessError },
}

/// Decodes a photo upright (EXIF orientation applied, as core does for every upload) and scales
/// it down so its longest side is at most `long_side` (bilinear; never upscaled).
pub fn load_photo(path: &Path, long_side: u32) -> Result<RgbImage, PhotoError> {
    let bytes = std::fs::read(path).map_err(|source| PhotoError::Read { path: path.to_owned(), source })?;
    let decode_error = |source| PhotoError::Decode { path: path.to_owned(), source };
    let decoded = smart_tags_core::decode::decode(&bytes, &Limits::default()).map_err(decode_error)?;
    smart_tags_core::thumbnail::thumbnail_pixels(&decoded.image, long_side).map_err(decode_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]))
    }

    #[test]
    fn views_are_deterministic_and_prefix_stable() {
        let img = gradient(320, 200);
        let a = views(&img, 6, 7);
        assert_eq!(a, views(&img, 6, 7));
        assert_eq!(a[..3], views(&img, 3, 7)[..]);
        assert_ne!(a, views(&img, 6, 8));
    }

    #[test]
    fn crops_stay_inside_and_keep_their_bounds() {
        for (w, h) in [(320, 200), (200, 320), (100, 100), (2560, 400), (1, 1), (3, 500)] {
            for i in 0..200 {
                let p = ViewParams::draw(w, h, 42, i);
                assert!(p.width >= 1 && p.height >= 1 && p.x + p.width <= w && p.y + p.height <= h, "{w}x{h} {p:?}");
                assert!(
                    (CONTRAST.0..CONTRAST.1).contains(&p.contrast)
                        && (BRIGHTNESS.0..BRIGHTNESS.1).contains(&p.brightness)
                );
                if w >= 100 && h >= 100 {
                    let aspect = f64::from(p.width) / f64::from(p.height);
                    assert!((0.74..=1.35).contains(&aspect), "{w}x{h} {p:?}");
                    let largest = f64::from(w.min(h));
                    assert!(f64::from(p.width.max(p.height)) >= MIN_SCALE * 0.74 * largest - 1.0, "{w}x{h} {p:?}");
                }
            }
        }
    }

    #[test]
    fn flips_and_jitter_are_mixed() {
        let params: Vec<ViewParams> = (0..100).map(|i| ViewParams::draw(640, 480, 1, i)).collect();
        let flips = params.iter().filter(|p| p.flip).count();
        assert!((30..=70).contains(&flips), "{flips} flips of 100");
    }

    #[test]
    fn identity_parameters_give_the_image_back() {
        let img = gradient(64, 48);
        let p = ViewParams { x: 0, y: 0, width: 64, height: 48, flip: false, contrast: 1.0, brightness: 0.0 };
        assert_eq!(p.apply(&img), img);
        let flipped = ViewParams { flip: true, ..p }.apply(&img);
        assert_eq!(flipped.get_pixel(0, 5), img.get_pixel(63, 5));
    }

    #[test]
    fn jpeg_round_trips() -> Result<(), Box<dyn std::error::Error>> {
        let img = gradient(300, 200);
        let jpeg = encode_jpeg(&img, VIEW_JPEG_QUALITY)?;
        let decoded = smart_tags_core::decode::decode(&jpeg, &Limits::default())?;
        assert_eq!((decoded.image.width(), decoded.image.height()), (300, 200));
        Ok(())
    }
}
