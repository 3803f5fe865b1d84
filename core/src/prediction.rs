//! What a prediction looks like when it crosses a process boundary, and the maths to make it.

use serde::{Deserialize, Serialize};

/// One class of the image model with its probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScore {
    /// Index of the class in the model's output.
    pub index: usize,
    /// WordNet synset id of the class, e.g. `n07920052`.
    pub wnid: String,
    /// Human name of the class, e.g. `espresso`.
    pub label: String,
    /// Softmax probability in [0, 1].
    pub confidence: f32,
}

/// The answer to one prediction request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Name and version of the model that produced the tags.
    pub model: String,
    pub tags: Vec<ClassScore>,
}

/// Numerically stable softmax.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|&l| (l - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Indices and values of the `k` largest values, largest first (ties keep the lower index first).
pub fn top_k(values: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut indexed: Vec<(usize, f32)> = values.iter().copied().enumerate().collect();
    indexed.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    indexed.truncate(k);
    indexed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let p = softmax(&[1.0, 3.0, 2.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[1] > p[2] && p[2] > p[0]);
        let huge = softmax(&[1000.0, 0.0]);
        assert!(huge[0] > 0.999 && huge.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn top_k_returns_the_largest_first() {
        assert_eq!(top_k(&[0.1, 0.5, 0.2, 0.5], 3), vec![(1, 0.5), (3, 0.5), (2, 0.2)]);
        assert_eq!(top_k(&[0.1], 5), vec![(0, 0.1)]);
    }
}
