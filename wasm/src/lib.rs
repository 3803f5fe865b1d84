//! Thin wasm-bindgen shell over `smart_tags_core`, run inside a Web Worker by `www/worker.js`.
//! One decode of a file gives the thumbnail and the model input; only the model input (150,528
//! bytes) is sent to the proxy.
#![deny(clippy::unwrap_used)]

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
}

/// Limits applied to each file; the defaults are those of `smart_tags_core::Limits`.
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, Default)]
pub struct PreprocessLimits {
    inner: Limits,
}

#[wasm_bindgen]
impl PreprocessLimits {
    #[wasm_bindgen(constructor)]
    pub fn new(max_bytes: Option<u32>, max_pixels: Option<f64>, max_side: Option<u32>) -> PreprocessLimits {
        let default = Limits::default();
        PreprocessLimits {
            inner: Limits {
                max_bytes: max_bytes.map_or(default.max_bytes, |b| b as usize),
                max_pixels: max_pixels.map_or(default.max_pixels, |p| p.max(0.0) as u64),
                max_side: max_side.unwrap_or(default.max_side),
            },
        }
    }
}

/// Decodes, orients and preprocesses one file. Errors are lowercase messages fit for a person.
#[wasm_bindgen]
pub fn preprocess(bytes: &[u8], limits: Option<PreprocessLimits>) -> Result<PreprocessResult, JsError> {
    let options = Options { limits: limits.unwrap_or_default().inner, ..Options::default() };
    core_preprocess(bytes, &options)
        .map(|inner| PreprocessResult { inner })
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Bytes of one model input, for callers that check sizes before sending.
#[wasm_bindgen(js_name = modelInputBytes)]
pub fn model_input_bytes() -> usize {
    smart_tags_core::model_input::BYTES
}
