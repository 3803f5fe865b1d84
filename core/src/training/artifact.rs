//! Export and import of a trained model version.
//!
//! The file is a header line `smart-tags-model 1\n` followed by one JSON object:
//!
//! ```text
//! { "checksum": "sha256:<hex>", "created_at": "…", "format_version": 1 (2 for independent tags), "image_model": "…",
//!   "model": { …TrainedModel… }, "taxonomy_version": 12, "version": 3 }
//! ```
//!
//! The checksum is the SHA-256 of the *canonical* JSON of every other field: the object as
//! `serde_json::Value` (numbers as f64, keys in one fixed order) written compactly. Import parses the
//! file into a `Value`, takes the checksum out and recomputes it the same way, so a reformatted file
//! still imports and any changed value does not. Every f32 is written as the shortest decimal of its
//! exact f64 value and read back with exact parsing (serde_json's `float_roundtrip`), so an imported
//! model predicts bit-identically. Files over [`MAX_BYTES`] are refused before parsing, and the
//! model's shapes are checked after.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::model::TrainedModel;

/// The header line, without its version.
const MAGIC: &str = "smart-tags-model ";
pub const FORMAT_VERSION: u32 = 2;
/// Exclusive models are still written as version 1, which older installations read; a model of
/// independent tags is version 2, which they refuse rather than read as a softmax.
const EXCLUSIVE_FORMAT_VERSION: u32 = 1;
/// Largest file accepted (a 50-tag model is about 1.5 MB).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactMeta {
    /// The image model whose embeddings the model was trained on.
    pub image_model: String,
    pub taxonomy_version: i64,
    pub version: i64,
    pub created_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("this file is not a smart tags model export")]
    NotAModel,
    #[error("this model export has format version {0}; this installation reads versions 1 to {FORMAT_VERSION}")]
    UnsupportedVersion(u32),
    #[error("the file is damaged: its checksum does not match")]
    Checksum,
    #[error("this model was trained on embeddings of image model {file}; this installation runs {here}")]
    ImageModel { file: String, here: String },
    #[error("the model in this file is invalid: {0}")]
    Invalid(String),
    #[error("the file is larger than {} MiB", MAX_BYTES / (1024 * 1024))]
    TooLarge,
}

/// Everything but the checksum.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    format_version: u32,
    image_model: String,
    taxonomy_version: i64,
    version: i64,
    created_at: String,
    model: TrainedModel,
}

fn checksum(body: &Value) -> String {
    // Writing a Value to memory cannot fail (its keys are strings).
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The format version a model is written with.
fn format_of(model: &TrainedModel) -> u32 {
    match model.kind {
        super::ModelKind::Exclusive => EXCLUSIVE_FORMAT_VERSION,
        super::ModelKind::Independent => FORMAT_VERSION,
    }
}

/// The file's bytes.
pub fn export(model: &TrainedModel, meta: &ArtifactMeta) -> Vec<u8> {
    let body = Body {
        format_version: format_of(model),
        image_model: meta.image_model.clone(),
        taxonomy_version: meta.taxonomy_version,
        version: meta.version,
        created_at: meta.created_at.clone(),
        model: model.clone(),
    };
    // A model of finite numbers always converts; a non-finite one (which `train` never makes)
    // would become null and fail the import's checks.
    let mut value = serde_json::to_value(&body).unwrap_or(Value::Null);
    let sum = checksum(&value);
    if let Value::Object(map) = &mut value {
        map.insert("checksum".to_owned(), Value::String(sum));
    }
    let mut out = format!("{MAGIC}{}\n", format_of(model)).into_bytes();
    out.extend(serde_json::to_vec(&value).unwrap_or_default());
    out
}

/// Reads a file written by [`export`], checking its version, checksum, image model and shapes.
pub fn import(bytes: &[u8], expected_image_model: &str) -> Result<(TrainedModel, ArtifactMeta), ArtifactError> {
    if bytes.len() > MAX_BYTES {
        return Err(ArtifactError::TooLarge);
    }
    let newline = bytes.iter().take(64).position(|b| *b == b'\n').ok_or(ArtifactError::NotAModel)?;
    let header = std::str::from_utf8(&bytes[..newline]).map_err(|_| ArtifactError::NotAModel)?;
    let version = header.strip_prefix(MAGIC).and_then(|v| v.parse::<u32>().ok()).ok_or(ArtifactError::NotAModel)?;
    if !(EXCLUSIVE_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(ArtifactError::UnsupportedVersion(version));
    }
    // From here on the file says it is ours: anything unreadable is damage.
    let mut value: Value = serde_json::from_slice(&bytes[newline + 1..]).map_err(|_| ArtifactError::Checksum)?;
    let Some(Value::String(stated)) = value.as_object_mut().and_then(|map| map.remove("checksum")) else {
        return Err(ArtifactError::Checksum);
    };
    if checksum(&value) != stated {
        return Err(ArtifactError::Checksum);
    }
    let body: Body = serde_json::from_value(value).map_err(|e| ArtifactError::Invalid(e.to_string()))?;
    if body.format_version != version || body.format_version != format_of(&body.model) {
        return Err(ArtifactError::UnsupportedVersion(body.format_version));
    }
    if body.image_model != expected_image_model {
        return Err(ArtifactError::ImageModel { file: body.image_model, here: expected_image_model.to_owned() });
    }
    body.model.validate().map_err(ArtifactError::Invalid)?;
    let meta = ArtifactMeta {
        image_model: body.image_model,
        taxonomy_version: body.taxonomy_version,
        version: body.version,
        created_at: body.created_at,
    };
    Ok((body.model, meta))
}

#[cfg(test)]
mod tests {
    use super::super::tests::small_model;
    use super::*;

    fn meta() -> ArtifactMeta {
        ArtifactMeta {
            image_model: "efficientnet-lite0".into(),
            taxonomy_version: 12,
            version: 3,
            created_at: "2025-01-02T03:04:05Z".into(),
        }
    }

    #[test]
    fn round_trip_predicts_bit_identically() {
        let (model, probes) = small_model();
        let bytes = export(&model, &meta());
        assert!(bytes.starts_with(b"smart-tags-model 1\n{"));
        let (imported, imported_meta) = import(&bytes, "efficientnet-lite0").unwrap();
        assert_eq!(imported_meta, meta());
        assert_eq!(imported, model);
        for probe in &probes {
            let a: Vec<u32> = model.probabilities(probe).unwrap().iter().map(|p| p.to_bits()).collect();
            let b: Vec<u32> = imported.probabilities(probe).unwrap().iter().map(|p| p.to_bits()).collect();
            assert_eq!(a, b);
        }
        // Pretty-printing changes no value, so the checksum still holds.
        let value: Value = serde_json::from_slice(&bytes[19..]).unwrap();
        let mut pretty = b"smart-tags-model 1\n".to_vec();
        pretty.extend(serde_json::to_vec_pretty(&value).unwrap());
        assert_eq!(import(&pretty, "efficientnet-lite0").unwrap().0, model);
    }

    #[test]
    fn damage_and_foreign_files_are_refused() {
        let (model, _) = small_model();
        let bytes = export(&model, &meta());
        // Flip bytes across the body: each one must be caught, unless it changed no value (the last
        // digit of a shortest decimal can move within its float's rounding interval).
        let mut caught = 0;
        for position in (19..bytes.len()).step_by(bytes.len() / 97) {
            let mut damaged = bytes.clone();
            damaged[position] ^= 0x04;
            match import(&damaged, "efficientnet-lite0") {
                Err(ArtifactError::Checksum) => caught += 1,
                Ok((same, _)) if same == model => {}
                other => panic!("byte {position} ({:?}): {other:?}", bytes[position] as char),
            }
        }
        assert!(caught >= 90, "{caught} of about 97 flips caught");
        assert!(matches!(import(&bytes, "mobilenet-v3"), Err(ArtifactError::ImageModel { .. })));
        let message = import(&bytes, "mobilenet-v3").unwrap_err().to_string();
        assert_eq!(message, "this model was trained on embeddings of image model efficientnet-lite0; this installation runs mobilenet-v3");
        assert!(matches!(import(b"\x89PNG\r\n\x1a\n....", "efficientnet-lite0"), Err(ArtifactError::NotAModel)));
        assert!(matches!(import(b"", "efficientnet-lite0"), Err(ArtifactError::NotAModel)));
        let mut future = b"smart-tags-model 3\n".to_vec();
        future.extend(&bytes[19..]);
        assert!(matches!(import(&future, "efficientnet-lite0"), Err(ArtifactError::UnsupportedVersion(3))));
        // A softmax model in a file that says version 2 (independent tags) is refused too.
        let relabelled = [b"smart-tags-model 2\n".as_slice(), &bytes["smart-tags-model 1\n".len()..]].concat();
        assert!(matches!(import(&relabelled, "efficientnet-lite0"), Err(ArtifactError::UnsupportedVersion(_))));
        assert!(matches!(import(&vec![b' '; MAX_BYTES + 1], "efficientnet-lite0"), Err(ArtifactError::TooLarge)));
    }

    #[test]
    fn wrong_shapes_are_invalid() {
        let (model, _) = small_model();
        let mut short = model.clone();
        short.weights.pop();
        let mut threshold = model.clone();
        threshold.tags[0].threshold = 1.5;
        let mut dim = model.clone();
        dim.dim = 12;
        for broken in [short, threshold, dim] {
            let result = import(&export(&broken, &meta()), "efficientnet-lite0");
            assert!(matches!(result, Err(ArtifactError::Invalid(_))), "{result:?}");
        }
        let mut infinite = model.clone();
        infinite.bias[0] = f32::INFINITY;
        // Infinity has no JSON form: it is written as null, which is not a number.
        assert!(matches!(import(&export(&infinite, &meta()), "efficientnet-lite0"), Err(ArtifactError::Invalid(_))));
    }
}
