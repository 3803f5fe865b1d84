//! Thin wasm-bindgen shell over `smart_tags_core`, run inside a Web Worker by `www/worker.js`.
//! One decode of a file gives the thumbnail and the model input; only the model input (150,528
//! bytes) is sent to the proxy.
#![deny(clippy::unwrap_used)]

pub mod export;
pub mod review;

use js_sys::{Array, Object, Reflect};
use smart_tags_core::color::ColorOptions;
use smart_tags_core::preprocess::{preprocess as core_preprocess, Options};
use smart_tags_core::{Limits, Preprocessed};
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
}

/// Limits applied to each file, and the colour options; the defaults are those of
/// `smart_tags_core::Limits` and `smart_tags_core::color::ColorOptions` (10 colours, 11 %).
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, Default)]
pub struct PreprocessLimits {
    inner: Limits,
    colors: ColorOptions,
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
        }
    }
}

/// Decodes, orients and preprocesses one file. Errors are lowercase messages fit for a person.
#[wasm_bindgen]
pub fn preprocess(bytes: &[u8], limits: Option<PreprocessLimits>) -> Result<PreprocessResult, JsError> {
    let limits = limits.unwrap_or_default();
    let options = Options { limits: limits.inner, colors: limits.colors, ..Options::default() };
    core_preprocess(bytes, &options)
        .map(|inner| PreprocessResult { inner })
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Bytes of one model input, for callers that check sizes before sending.
#[wasm_bindgen(js_name = modelInputBytes)]
pub fn model_input_bytes() -> usize {
    smart_tags_core::model_input::BYTES
}
