//! Thin wasm-bindgen shell over `smart_tags_core`, run inside a Web Worker by `www/worker.js`.
//! One decode of a file gives the thumbnail, the model input, the colours, the SHA-256 and the
//! metadata; only the model input (150,528 bytes), the hash and the colours go to the proxy.
//! `preprocessRgba` does the same from pixels the browser decoded (formats core does not read).
//! Errors are `Error` objects with core's lowercase message and a `code` (`too_large`,
//! `unsupported`, `corrupt`, `invalid_options`, `failed`).
#![deny(clippy::unwrap_used)]

pub mod export;
pub mod review;

use js_sys::{Array, Function, Object, Reflect, JSON};
use smart_tags_core::color::ColorOptions;
use smart_tags_core::preprocess::{
    preprocess as core_preprocess, preprocess_rgba as core_preprocess_rgba, preprocess_timed, Options,
};
use smart_tags_core::{Limits, PreprocessError, Preprocessed};
use wasm_bindgen::prelude::*;

/// The result of preprocessing one file. Byte getters copy into fresh `Uint8Array`s.
#[wasm_bindgen]
pub struct PreprocessResult {
    inner: Preprocessed,
}

#[wasm_bindgen]
impl PreprocessResult {
    /// Upright width of the image, in pixels.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> u32 {
        self.inner.width
    }

    /// Upright height of the image, in pixels.
    #[wasm_bindgen(getter)]
    pub fn height(&self) -> u32 {
        self.inner.height
    }

    /// `jpeg`, `png`, `webp`, `gif` or `bmp`.
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.inner.format.as_str().to_owned()
    }

    /// The EXIF orientation found in the file (1-8), or undefined.
    #[wasm_bindgen(getter)]
    pub fn orientation(&self) -> Option<u8> {
        self.inner.exif_orientation
    }

    /// The JPEG thumbnail, longest side 512.
    #[wasm_bindgen(getter)]
    pub fn thumbnail(&self) -> Vec<u8> {
        self.inner.thumbnail.jpeg.clone()
    }

    #[wasm_bindgen(getter, js_name = thumbnailWidth)]
    pub fn thumbnail_width(&self) -> u32 {
        self.inner.thumbnail.width
    }

    #[wasm_bindgen(getter, js_name = thumbnailHeight)]
    pub fn thumbnail_height(&self) -> u32 {
        self.inner.thumbnail.height
    }

    /// The model input: 224x224 RGB bytes, what the proxy's `POST /api/v1/tag` takes.
    #[wasm_bindgen(getter, js_name = modelInput)]
    pub fn model_input(&self) -> Vec<u8> {
        self.inner.model_input.as_bytes().to_vec()
    }

    /// The dominant colours, most covered first: an array of plain objects
    /// `{name: string, hex: string, coverage: number}`, e.g.
    /// `{name: "dark red", hex: "#87200c", coverage: 0.208}` (`hex` is the mean colour of the
    /// pixels with that name; `coverage` the fraction of the image, 0 to 1). A fresh array on
    /// each read.
    #[wasm_bindgen(getter, unchecked_return_type = "Array<{name: string, hex: string, coverage: number}>")]
    pub fn colors(&self) -> Result<Array, JsError> {
        let out = Array::new();
        for tag in &self.inner.colors {
            let object = Object::new();
            let set = |key: &str, value: JsValue| {
                Reflect::set(&object, &JsValue::from_str(key), &value)
                    .map(|_| ())
                    .map_err(|_| JsError::new("could not build a colour object"))
            };
            set("name", JsValue::from_str(&tag.name))?;
            set("hex", JsValue::from_str(&tag.hex))?;
            set("coverage", JsValue::from_f64(f64::from(tag.coverage)))?;
            out.push(&object);
        }
        Ok(out)
    }

    /// SHA-256 of the file's bytes, lowercase hex (64 digits); empty with `withoutHash`.
    #[wasm_bindgen(getter, js_name = contentHash)]
    pub fn content_hash(&self) -> String {
        self.inner.content_hash.clone()
    }

    /// `core`, `core-dct-1/2`, `core-dct-1/4` (a large JPEG decoded at a reduced scale) or
    /// `browser` (from `preprocessRgba`).
    #[wasm_bindgen(getter)]
    pub fn decoder(&self) -> String {
        self.inner.decoder.as_str().to_owned()
    }

    /// A plain object, camelCase keys, each present only when known: `width`, `height`, `format`,
    /// `orientation`, `dateTimeOriginal`, `dateTimeOriginalIso`, `make`, `model`, `lensModel`,
    /// `exposureTime` (s), `exposureTimeText`, `fNumber`, `iso`, `focalLength` (mm),
    /// `gpsLatitude`, `gpsLongitude` (decimal degrees). A fresh object on each read.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, string | number>")]
    pub fn metadata(&self) -> Result<JsValue, JsError> {
        JSON::parse(&self.inner.metadata.to_json()).map_err(|_| JsError::new("could not build the metadata object"))
    }

    /// Milliseconds per stage (`decodeMs`, `thumbnailMs`, `colorsMs`, `modelInputMs`, `hashMs`),
    /// or undefined when the page has no `performance.now`.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, number> | undefined")]
    pub fn timings(&self) -> Result<JsValue, JsError> {
        match self.inner.timings {
            Some(t) => JSON::parse(&t.to_json()).map_err(|_| JsError::new("could not build the timings object")),
            None => Ok(JsValue::UNDEFINED),
        }
    }
}

/// Limits applied to each file, and the colour options; the defaults are those of
/// `smart_tags_core::Limits` and `smart_tags_core::color::ColorOptions` (10 colours, 11 %).
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, Default)]
pub struct PreprocessLimits {
    inner: Limits,
    colors: ColorOptions,
    full_decode: bool,
    no_hash: bool,
}

#[wasm_bindgen]
impl PreprocessLimits {
    /// `new PreprocessLimits(maxBytes?, maxPixels?, maxSide?, maxColors?, minCoverage?)`; any
    /// argument may be `undefined`. `maxColors` must be 1-40 and `minCoverage` 0-1, or
    /// `preprocess` throws.
    #[wasm_bindgen(constructor)]
    pub fn new(
        max_bytes: Option<u32>,
        max_pixels: Option<f64>,
        max_side: Option<u32>,
        max_colors: Option<u32>,
        min_coverage: Option<f64>,
    ) -> PreprocessLimits {
        let default = Limits::default();
        let colors = ColorOptions::default();
        PreprocessLimits {
            inner: Limits {
                max_bytes: max_bytes.map_or(default.max_bytes, |b| b as usize),
                max_pixels: max_pixels.map_or(default.max_pixels, |p| p.max(0.0) as u64),
                max_side: max_side.unwrap_or(default.max_side),
            },
            colors: ColorOptions {
                // Out of range stays out of range (and is refused), rather than wrapping.
                max_colors: max_colors.map_or(colors.max_colors, |n| u8::try_from(n).unwrap_or(u8::MAX)),
                min_coverage: min_coverage.map_or(colors.min_coverage, |c| c as f32),
            },
            full_decode: false,
            no_hash: false,
        }
    }

    /// The same limits, but large JPEGs decoded at full scale (for benchmarks and comparisons).
    #[wasm_bindgen(js_name = withFullDecode)]
    pub fn with_full_decode(&self) -> PreprocessLimits {
        PreprocessLimits { full_decode: true, ..*self }
    }

    /// The same limits, without the SHA-256 (`contentHash` is then empty): for a caller that
    /// hashes with `crypto.subtle` on another thread meanwhile, as www/worker.js does.
    #[wasm_bindgen(js_name = withoutHash)]
    pub fn without_hash(&self) -> PreprocessLimits {
        PreprocessLimits { no_hash: true, ..*self }
    }
}

impl PreprocessLimits {
    fn options(self) -> Options {
        Options {
            limits: self.inner,
            colors: self.colors,
            reduced_jpeg: !self.full_decode,
            content_hash: !self.no_hash,
            ..Options::default()
        }
    }
}

/// An `Error` with core's message and its `code`.
fn js_error(error: &PreprocessError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    // Setting a property on a fresh Error cannot fail; if it did, the message alone remains.
    let _ = Reflect::set(&js, &JsValue::from_str("code"), &JsValue::from_str(error.code()));
    js.into()
}

/// `performance` and its `now`, where the global scope has them (pages and workers do).
fn performance_now() -> Option<(JsValue, Function)> {
    let performance = Reflect::get(&js_sys::global(), &JsValue::from_str("performance")).ok()?;
    let now = Reflect::get(&performance, &JsValue::from_str("now")).ok()?;
    Some((performance, now.dyn_into().ok()?))
}

/// Decodes, orients and preprocesses one file, timing each stage. Errors are `Error` objects
/// with a lowercase message fit for a person and a `code`.
#[wasm_bindgen]
pub fn preprocess(bytes: &[u8], limits: Option<PreprocessLimits>) -> Result<PreprocessResult, JsValue> {
    let options = limits.unwrap_or_default().options();
    let result = match performance_now() {
        Some((performance, now)) => {
            let clock = move || now.call0(&performance).ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
            preprocess_timed(bytes, &options, &clock)
        }
        None => core_preprocess(bytes, &options),
    };
    result.map(|inner| PreprocessResult { inner }).map_err(|e| js_error(&e))
}

/// The same thumbnail, model input, colours and hash from pixels the browser decoded (HEIC,
/// AVIF, ICO… that core does not read): `rgba` is `width` x `height` RGBA from `getImageData`,
/// already upright; `original` is the file's bytes (hashed, and sniffed for the format). The
/// limits apply to both. The result's `decoder` is `browser`.
#[wasm_bindgen(js_name = preprocessRgba)]
pub fn preprocess_rgba(
    rgba: &[u8],
    width: u32,
    height: u32,
    original: &[u8],
    limits: Option<PreprocessLimits>,
) -> Result<PreprocessResult, JsValue> {
    let options = limits.unwrap_or_default().options();
    core_preprocess_rgba(rgba, width, height, original, &options)
        .map(|inner| PreprocessResult { inner })
        .map_err(|e| js_error(&e))
}

/// SHA-256 of `bytes`, lowercase hex: what `contentHash` is.
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    smart_tags_core::preprocess::sha256_hex(bytes)
}

/// Bytes of one model input, for callers that check sizes before sending.
#[wasm_bindgen(js_name = modelInputBytes)]
pub fn model_input_bytes() -> usize {
    smart_tags_core::model_input::BYTES
}
