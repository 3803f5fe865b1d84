//! Smart Tags core: everything that must give the same answer in the browser and on the servers.
//!
//! # Layout
//! - [`limits`]: byte and pixel limits, checked from the header before any full decode.
//! - [`decode`]: JPEG, PNG, WebP, GIF (first frame) and BMP to an upright RGB image (EXIF orientation).
//! - [`model_input`]: the 224x224 model input (shorter side 256, bilinear, centre crop) and its tensor form.
//! - [`thumbnail`]: the JPEG thumbnail (longest side 512).
//! - [`preprocess`]: one decode giving both the thumbnail and the model input.
//! - [`prediction`]: softmax, top-k and the tag types that cross process boundaries.
//! - [`taxonomy`]: the customer's tags: ids, titles, hierarchy, import/export (JSON, CSV, SKOS).
//! - [`concepts`]: the WordNet noun hierarchy above the 1000 ImageNet classes and the roll-up of class probabilities.
//! - [`detect`]: the face and person detectors' anchors, box decoding, suppression and the people summary.
//! - [`scenes`]: the built-in scene tags (a model of independent tags on the image embedding).
//! - [`search`]: what an asset is found by (its shown tags and their ancestors), word folding, the page cursor.
//! - [`color`]: dominant colours with human names.
//! - [`text`]: the WordPiece tokenizer of the MiniLM text model.
//! - [`mapping`]: linking taxonomy tags to concepts and scoring them.
//! - [`calibration`]: monotone maps from raw scores to calibrated confidences (isotonic regression).
//! - [`tags`]: smart tags, thresholds and moderation.
//! - [`review`]: the tag review of many assets (states, selection actions, undo/redo, queue, keys).
//! - [`export`]: final tags as JSON, CSV and XMP sidecars.
//! - [`training`]: tag models trained on example images' embeddings (lint, fit, cross-validate, export).
//! - [`workflow`]: the auto-tagging workflow: steps and their options, folder settings, per-asset results, re-tag policy.
//!
//! This crate does no I/O and has no web or server dependency; it compiles for wasm32 and native.

pub mod calibration;
pub mod color;
pub mod concepts;
pub mod decode;
pub mod detect;
pub mod error;
pub mod export;
pub mod limits;
pub mod mapping;
pub mod metadata;
pub mod model_input;
pub mod prediction;
pub mod preprocess;
pub mod review;
pub mod scenes;
pub mod search;
pub mod similarity;
pub mod tags;
pub mod taxonomy;
pub mod text;
pub mod thumbnail;
pub mod training;
pub mod workflow;

mod resize;

pub use error::PreprocessError;
pub use limits::Limits;
pub use model_input::ModelInput;
pub use prediction::{ClassScore, Prediction};
pub use preprocess::{preprocess, Preprocessed};
