//! Visual similarity between images: the cosine of their image-model embeddings (1280 values,
//! the pooled features before the classifier), and the rule that calls two images near
//! duplicates — the same picture re-encoded, resized, cropped a little or recoloured.

use crate::training::linalg::dot;

/// Two images whose embeddings' cosine is at least this are near duplicates. Measured by
/// `tests/examples/eval_duplicates.rs` (BENCHMARKS.md, "Duplicates"): on the calibration half of
/// both labelled sets' pictures, the lowest cosine that flags at most 1 % of pairs of distinct
/// photos of one subject was 0.664; on the held-out half, 0.66 finds 98 % of near copies (JPEG
/// quality 30–70, resized, cropped to 80–90 %, brighter, darker, hue, contrast) and flags
/// 1 of 652 same-subject pairs. Copies shrunk to a quarter are found 87 % of the time.
pub const DUPLICATE_COSINE: f64 = 0.66;

/// Whether two embeddings are of near duplicates.
pub fn is_duplicate(cosine: f64) -> bool {
    cosine >= DUPLICATE_COSINE
}

/// The cosine of two embeddings (0 when either is zero or they differ in length).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    if a.len() != b.len() {
        return 0.0;
    }
    let norms = (dot(a, a) * dot(b, b)).sqrt();
    if norms > 0.0 && norms.is_finite() {
        dot(a, b) / norms
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_of_simple_vectors() {
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-9);
        assert!(cosine(&[1.0, 0.0], &[0.0, 3.0]).abs() < 1e-9);
        assert!((cosine(&[1.0, 1.0], &[1.0, 0.0]) - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
    }
}
