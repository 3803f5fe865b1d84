//! A trained tag model and its predictions.

use serde::{Deserialize, Serialize};

use super::logistic::l2_normalized;
use super::{ModelKind, TrainError, TrainingOptions, EMBEDDING_DIM};
use crate::taxonomy::TagId;

/// Out-of-fold metrics of one tag at its calibrated threshold (see [`super::evaluate`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagMetrics {
    pub precision: f32,
    pub recall: f32,
    pub f1: f32,
    /// Examples of this tag used in training.
    pub support: usize,
    /// How many distinct images they are: groups of near-duplicates (crops, edits, bursts) count
    /// once, and cross-validation never splits a group (see `evaluate`).
    #[serde(default)]
    pub groups: usize,
    pub threshold: f32,
    /// Whether the threshold reaches the target precision with at least
    /// [`super::evaluate::MIN_PICTURES_FOR_TARGET`] distinct pictures (else it is the best-F1
    /// threshold, or the evidence is too thin to call the target reached).
    pub target_reached: bool,
    pub average_precision: f32,
    /// 95% Wilson interval of `precision` (it rests on few predictions: 5 of 5 is 0.57–1.00).
    #[serde(default)]
    pub precision_low: f32,
    #[serde(default = "one")]
    pub precision_high: f32,
}

fn one() -> f32 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedTag {
    pub id: TagId,
    pub threshold: f32,
    pub metrics: TagMetrics,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMetrics {
    /// Out-of-fold top-1 accuracy.
    pub accuracy: f32,
    /// Mean over tags of the out-of-fold precision at each tag's threshold.
    pub macro_precision: f32,
    /// Mean over tags of the out-of-fold recall at each tag's threshold.
    pub macro_recall: f32,
    pub folds: usize,
    pub examples: usize,
    /// Wall time of the whole training (0 where no clock is available, as in wasm).
    pub train_ms: f64,
}

/// A tag model: a softmax over its tags of `weights · (normalise(embedding) − mean) + bias` for
/// mutually exclusive tags, one sigmoid per tag for independent ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    pub name: String,
    /// Older files have no kind: their tags are exclusive.
    #[serde(default)]
    pub kind: ModelKind,
    pub dim: usize,
    pub tags: Vec<TrainedTag>,
    /// Subtracted after L2-normalising an embedding.
    pub mean: Vec<f32>,
    /// `tags.len() x dim`, row-major.
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    pub metrics: ModelMetrics,
    pub options: TrainingOptions,
    /// (asset hash, tag) of every example used, sorted.
    pub training_set: Vec<(String, TagId)>,
}

/// One tag's score for an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagScore {
    pub id: TagId,
    pub confidence: f32,
    /// `confidence >= threshold`.
    pub passes: bool,
}

/// Checks an embedding's length and values.
pub(crate) fn check_embedding(embedding: &[f32], dim: usize) -> Result<(), TrainError> {
    if embedding.len() != dim {
        return Err(TrainError::EmbeddingLength { got: embedding.len(), expected: dim });
    }
    if embedding.iter().any(|v| !v.is_finite()) {
        return Err(TrainError::NonFiniteEmbedding);
    }
    Ok(())
}

impl TrainedModel {
    /// Checks that the shapes agree and every number is finite, thresholds within 0..=1.
    pub fn validate(&self) -> Result<(), String> {
        let k = self.tags.len();
        if self.dim != EMBEDDING_DIM {
            return Err(format!("the model's dimension is {}, expected {EMBEDDING_DIM}", self.dim));
        }
        if k < 2 {
            return Err(format!("the model has {k} tags, at least 2 are needed"));
        }
        if self.weights.len() != k * self.dim {
            return Err(format!(
                "the model has {} weights, expected {} ({k} tags x {})",
                self.weights.len(),
                k * self.dim,
                self.dim
            ));
        }
        if self.bias.len() != k {
            return Err(format!("the model has {} biases, expected {k}", self.bias.len()));
        }
        if self.mean.len() != self.dim {
            return Err(format!("the model's mean has {} values, expected {}", self.mean.len(), self.dim));
        }
        if self.weights.iter().chain(&self.bias).chain(&self.mean).any(|v| !v.is_finite()) {
            return Err("the model has numbers that are not finite".to_owned());
        }
        for tag in &self.tags {
            if !(0.0..=1.0).contains(&tag.threshold) {
                return Err(format!("the threshold of {} is {}, expected a value from 0 to 1", tag.id, tag.threshold));
            }
        }
        let mut ids: Vec<&TagId> = self.tags.iter().map(|t| &t.id).collect();
        ids.sort();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err("the model lists a tag twice".to_owned());
        }
        Ok(())
    }

    /// The probability of each of the model's tags, in the order of `tags`: a softmax over them
    /// for exclusive tags, one sigmoid each for independent ones.
    pub fn probabilities(&self, embedding: &[f32]) -> Result<Vec<f32>, TrainError> {
        let k = self.tags.len();
        if self.weights.len() != k * self.dim || self.bias.len() != k || self.mean.len() != self.dim || k == 0 {
            return Err(TrainError::InvalidModel("its weights do not match its tags and dimension".to_owned()));
        }
        check_embedding(embedding, self.dim)?;
        let features: Vec<f32> = l2_normalized(embedding).iter().zip(&self.mean).map(|(u, m)| u - m).collect();
        let logits = self.weights.chunks_exact(self.dim).zip(&self.bias).map(|(row, b)| {
            row.iter().zip(&features).map(|(w, x)| f64::from(*w) * f64::from(*x)).sum::<f64>() + f64::from(*b)
        });
        if self.kind == ModelKind::Independent {
            return Ok(logits.map(|z| (1.0 / (1.0 + (-z).exp())) as f32).collect());
        }
        let mut logits: Vec<f64> = logits.collect();
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut sum = 0.0;
        for l in logits.iter_mut() {
            *l = (*l - max).exp();
            sum += *l;
        }
        Ok(logits.iter().map(|l| (l / sum) as f32).collect())
    }

    /// Every tag with its probability and whether it reaches its threshold, in the order of `tags`.
    pub fn predict(&self, embedding: &[f32]) -> Result<Vec<TagScore>, TrainError> {
        let probabilities = self.probabilities(embedding)?;
        Ok(self
            .tags
            .iter()
            .zip(probabilities)
            .map(|(tag, confidence)| TagScore { id: tag.id.clone(), confidence, passes: confidence >= tag.threshold })
            .collect())
    }
}
