//! "Enhanced Smart Tags": classifiers trained on the customer's example images.
//!
//! A *tag model* groups mutually exclusive tags describing one visual aspect (at least two, as in
//! AEM). Each example is an image's 1280-d embedding (EfficientNet-Lite0, global-average-pooled)
//! with the tags it carries. [`train`] lints the set ([`lint`]), selects the examples (one tag of
//! the model per image, entries of one asset hash merged, at most `max_examples_per_tag` per tag),
//! cross-validates a multinomial logistic regression
//! ([`logistic`], [`evaluate`]) to calibrate a threshold per tag for a target precision, and fits
//! the final [`model::TrainedModel`] on every selected example. A model of **independent** tags
//! ([`ModelKind::Independent`], multi-label: scenes overlap) trains one sigmoid per tag instead
//! ([`independent`]). [`artifact`] exports and imports a
//! trained model as a checksummed file.
//!
//! Everything is deterministic for a seed: the same examples (in any order) and options give the
//! same model on one machine, whatever the thread count.

pub mod activation;
pub mod artifact;
pub mod evaluate;
pub mod independent;
mod jobs;
pub(crate) mod linalg;
pub mod lint;
pub mod logistic;
pub mod model;
mod rng;
mod select;
pub mod synthetic;

use serde::{Deserialize, Serialize};

use self::evaluate::{accuracy, group_counts, join_declared_groups, similarity_groups, stratified_folds, tag_metrics};
use self::jobs::Progress;
use self::lint::{blocks_training, lint_selection, Finding, Severity};
use self::logistic::{balanced_weights, l2_normalized, probabilities, Data, Features, FitParams, Fitted};
use self::model::{check_embedding, ModelMetrics, TrainedModel, TrainedTag};
use self::select::select;
use crate::taxonomy::TagId;

/// Length of an image embedding (EfficientNet-Lite0's pooled features).
pub const EMBEDDING_DIM: usize = 1280;

/// One example image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// SHA-256 content hash.
    pub asset: String,
    pub embedding: Vec<f32>,
    /// Every tag the asset carries.
    pub tags: Vec<TagId>,
    /// The picture it shows, when the caller knows: views (crops, flips) of one photo share it,
    /// and cross-validation never splits them. `None`: embedding similarity alone decides (see
    /// [`evaluate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A tag model: a name, its tags, and whether they exclude each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub name: String,
    pub tags: Vec<TagId>,
    #[serde(default)]
    pub kind: ModelKind,
}

/// How a model's tags relate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// One tag per image at most (a softmax; AEM's tag models): dog, cat or bird.
    #[default]
    Exclusive,
    /// Any number of tags per image (one sigmoid per tag): a beach photo is also sea and sky.
    Independent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingOptions {
    /// Fewest tags a model may have.
    pub min_tags: usize,
    /// Fewest usable examples a tag may have.
    pub min_examples_per_tag: usize,
    /// More usable examples are sampled down to this many (deterministically, by `seed`).
    pub max_examples_per_tag: usize,
    /// Precision each tag's threshold aims for (out of fold).
    pub target_precision: f32,
    /// L2 strength on the weights (features have a mean squared norm of 1).
    pub l2: f32,
    /// L-BFGS iterations per fit.
    pub max_iterations: usize,
    /// A fit stops when its gradient norm falls below this fraction of its initial value.
    pub tolerance: f32,
    /// Cross-validation folds (at most the smallest tag's count, at least 2).
    pub folds: usize,
    pub seed: u64,
    /// Examples of different tags with at least this cosine are reported as near duplicates.
    pub near_duplicate_cosine: f32,
    /// Examples of one tag with at least this cosine count as one image (a group) that
    /// cross-validation never splits; 1 keeps only exact duplicates together.
    pub group_cosine: f32,
    /// Largest over smallest tag count above this is reported as imbalance.
    pub imbalance_ratio: f32,
    /// Threads for the cross-validation fits; 1 runs everything on the caller's thread.
    pub threads: usize,
}

impl Default for TrainingOptions {
    fn default() -> Self {
        TrainingOptions {
            min_tags: 2,
            min_examples_per_tag: 10,
            max_examples_per_tag: 50,
            target_precision: 0.9,
            l2: 1e-4,
            max_iterations: 200,
            tolerance: 1e-3,
            folds: 5,
            seed: 0,
            near_duplicate_cosine: 0.98,
            group_cosine: 0.6,
            imbalance_ratio: 3.0,
            threads: 1,
        }
    }
}

impl TrainingOptions {
    /// Every out-of-range value, reported at once.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut check = |ok: bool, problem: String| {
            if !ok {
                problems.push(problem);
            }
        };
        check((2..=1000).contains(&self.min_tags), format!("min_tags is {}, expected 2 to 1000", self.min_tags));
        check(
            (2..=10_000).contains(&self.min_examples_per_tag),
            format!("min_examples_per_tag is {}, expected 2 to 10000", self.min_examples_per_tag),
        );
        check(
            (self.min_examples_per_tag..=10_000).contains(&self.max_examples_per_tag),
            format!(
                "max_examples_per_tag is {}, expected min_examples_per_tag ({}) to 10000",
                self.max_examples_per_tag, self.min_examples_per_tag
            ),
        );
        check(
            self.target_precision > 0.0 && self.target_precision <= 1.0,
            format!("target_precision is {}, expected more than 0 and at most 1", self.target_precision),
        );
        check(self.l2 > 0.0 && self.l2 <= 100.0, format!("l2 is {}, expected more than 0 and at most 100", self.l2));
        check(
            (1..=10_000).contains(&self.max_iterations),
            format!("max_iterations is {}, expected 1 to 10000", self.max_iterations),
        );
        check(
            self.tolerance > 0.0 && self.tolerance < 1.0,
            format!("tolerance is {}, expected more than 0 and less than 1", self.tolerance),
        );
        check((2..=20).contains(&self.folds), format!("folds is {}, expected 2 to 20", self.folds));
        check(
            self.near_duplicate_cosine > 0.0 && self.near_duplicate_cosine <= 1.0,
            format!("near_duplicate_cosine is {}, expected more than 0 and at most 1", self.near_duplicate_cosine),
        );
        check(
            self.group_cosine > 0.0 && self.group_cosine <= 1.0,
            format!("group_cosine is {}, expected more than 0 and at most 1", self.group_cosine),
        );
        check(
            self.imbalance_ratio >= 1.0 && self.imbalance_ratio.is_finite(),
            format!("imbalance_ratio is {}, expected a finite number of at least 1", self.imbalance_ratio),
        );
        check((1..=64).contains(&self.threads), format!("threads is {}, expected 1 to 64", self.threads));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    /// The linter's errors (warnings left out).
    #[error("the linter found errors: {}", .0.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; "))]
    Lint(Vec<Finding>),
    #[error("embedding has {got} values, expected {expected}")]
    EmbeddingLength { got: usize, expected: usize },
    #[error("embedding has values that are not finite numbers")]
    NonFiniteEmbedding,
    #[error("example {asset}: {problem}")]
    BadExample { asset: String, problem: String },
    #[error("not enough examples: {0}")]
    NotEnoughExamples(String),
    #[error("training was cancelled")]
    Cancelled,
    #[error("the model is invalid: {0}")]
    InvalidModel(String),
}

/// Progress shares: selection and lint, each fit, calibration.
const SHARE_LINT: f32 = 1.0;
const SHARE_FIT: f32 = 8.0;
const SHARE_CALIBRATION: f32 = 1.0;

enum JobOutput {
    /// Held-out example indices and their probabilities (`rows x tags`).
    Fold(Vec<usize>, Vec<f32>),
    Final(Features, Fitted),
}

/// Runs the linter (refuses on errors), selects the examples that carry exactly one tag of the
/// spec, caps each tag at `max_examples_per_tag` (a deterministic sample by seed), runs stratified
/// k-fold cross-validation to get out-of-fold probabilities, computes metrics and calibrated
/// thresholds ([`evaluate`]), and fits the final model on all selected examples. The fold fits and
/// the final fit are independent and run on `options.threads` threads.
///
/// `progress(fraction)` is called after every L-BFGS iteration of every fit, with fractions that
/// never decrease and end at exactly 1.0; returning false (at any call, the last included)
/// cancels with [`TrainError::Cancelled`].
pub fn train(
    spec: &ModelSpec,
    other_specs: &[ModelSpec],
    known_tags: &dyn Fn(&TagId) -> bool,
    examples: &[Example],
    options: &TrainingOptions,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<TrainedModel, TrainError> {
    #[cfg(not(target_arch = "wasm32"))]
    let started = std::time::Instant::now();
    options.validate().map_err(TrainError::InvalidOptions)?;
    let selection = select(spec, examples, options);
    let findings = lint_selection(spec, other_specs, known_tags, &selection, options);
    if blocks_training(&findings) {
        return Err(TrainError::Lint(findings.into_iter().filter(|f| f.severity == Severity::Error).collect()));
    }
    if spec.kind == ModelKind::Independent {
        #[cfg(not(target_arch = "wasm32"))]
        return independent::train_independent(spec, &selection, options, progress, started);
        #[cfg(target_arch = "wasm32")]
        return independent::train_independent(spec, &selection, options, progress);
    }

    let tags = &selection.tags;
    let k = tags.len();
    let mut rows: Vec<Vec<f32>> = Vec::new();
    let mut labels = Vec::new();
    let mut training_set = Vec::new();
    for (label, used) in selection.used.iter().enumerate() {
        for example in used {
            check_embedding(&example.embedding, EMBEDDING_DIM)
                .map_err(|e| TrainError::BadExample { asset: example.asset.clone(), problem: e.to_string() })?;
            rows.push(l2_normalized(&example.embedding));
            labels.push(label);
            training_set.push((example.asset.clone(), tags[label].clone()));
        }
    }
    training_set.sort();
    let smallest = selection.used.iter().map(Vec::len).min().unwrap_or(0);
    if k < 2 || smallest < 2 {
        return Err(TrainError::NotEnoughExamples(format!(
            "cross-validation needs at least 2 tags with 2 examples each; the smallest tag has {smallest}"
        )));
    }
    let folds = options.folds.min(smallest).max(2);
    let n = labels.len();
    let row_refs: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
    let mut groups = similarity_groups(&row_refs, &labels, options.group_cosine);
    let declared: Vec<Option<&str>> = selection.used.iter().flatten().map(|e| e.group.as_deref()).collect();
    join_declared_groups(&mut groups, &declared);
    let group_count = group_counts(&labels, &groups, k);
    let assignment = stratified_folds(&labels, &groups, k, folds, options.seed);

    let tracker = progress_of(progress, folds)?;
    let fit = |train: &[usize], params: &FitParams, on_iteration: &mut dyn FnMut(usize) -> bool| {
        fit_subset(&row_refs, &labels, train, k, params, on_iteration)
    };
    let (out_of_fold, features, fitted) =
        cross_validate(&row_refs, k, &assignment, folds, options, &tracker, &fit, probabilities)?;

    let per_tag = tag_metrics(&out_of_fold, &labels, &group_count, k, options.target_precision);
    let macro_precision = per_tag.iter().map(|m| m.precision).sum::<f32>() / k as f32;
    let macro_recall = per_tag.iter().map(|m| m.recall).sum::<f32>() / k as f32;
    if !tracker.set(folds + 2, 1.0) {
        return Err(TrainError::Cancelled);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let train_ms = elapsed_ms(started);
    #[cfg(target_arch = "wasm32")]
    let train_ms = 0.0;
    let model = TrainedModel {
        name: spec.name.clone(),
        kind: ModelKind::Exclusive,
        dim: EMBEDDING_DIM,
        tags: tags
            .iter()
            .zip(per_tag)
            .map(|(id, metrics)| TrainedTag { id: id.clone(), threshold: metrics.threshold, metrics })
            .collect(),
        mean: features.mean,
        weights: fitted.weights.iter().map(|w| w * features.scale).collect(),
        bias: fitted.bias,
        metrics: ModelMetrics {
            accuracy: accuracy(&out_of_fold, &labels, k),
            macro_precision,
            macro_recall,
            folds,
            examples: n,
            train_ms,
        },
        options: options.clone(),
        training_set,
    };
    checked(model, &tracker)
}

/// The trained model once it validates and the progress reached its end (a cancel at the last
/// report still cancels).
fn checked(model: TrainedModel, tracker: &Progress<'_>) -> Result<TrainedModel, TrainError> {
    model.validate().map_err(TrainError::InvalidModel)?;
    if !tracker.finish() {
        return Err(TrainError::Cancelled);
    }
    Ok(model)
}

/// Wall time since `started`, in milliseconds (there is no clock in wasm).
#[cfg(not(target_arch = "wasm32"))]
fn elapsed_ms(started: std::time::Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// The progress of a training run with `folds` folds: lint, each fit, calibration. Reports the
/// lint part done (a cancel there stops at once).
fn progress_of<'a>(progress: &'a (dyn Fn(f32) -> bool + Sync), folds: usize) -> Result<Progress<'a>, TrainError> {
    let mut shares = vec![SHARE_LINT];
    shares.extend(std::iter::repeat_n(SHARE_FIT, folds + 1));
    shares.push(SHARE_CALIBRATION);
    let tracker = Progress::new(progress, shares);
    if !tracker.set(0, 1.0) {
        return Err(TrainError::Cancelled);
    }
    Ok(tracker)
}

/// What fits a model on some rows: `(rows, params, on_iteration)`.
type FitRows<'a> =
    dyn Fn(&[usize], &FitParams, &mut dyn FnMut(usize) -> bool) -> Result<(Features, Fitted), TrainError> + Sync + 'a;

/// Predicts rows: `(transformed rows, embedding dimension, weights, bias) -> probabilities`.
type PredictRows = fn(&[f32], usize, &[f32], &[f32]) -> Vec<f32>;

/// Cross-validation and the final fit, as independent jobs on `options.threads` threads: job
/// `j < folds` fits on every row outside fold `j` and predicts the fold's rows with `predict`; job
/// `folds` fits on every row. Answers the out-of-fold probabilities (`rows x k`) and the final
/// model's features and fit. Progress part `1 + j` follows job `j`.
#[expect(
    clippy::too_many_arguments,
    reason = "the training run's parts, each used once; a struct would only rename them"
)]
fn cross_validate(
    rows: &[&[f32]],
    k: usize,
    assignment: &[usize],
    folds: usize,
    options: &TrainingOptions,
    tracker: &Progress<'_>,
    fit: &FitRows<'_>,
    predict: PredictRows,
) -> Result<(Vec<f32>, Features, Fitted), TrainError> {
    let n = rows.len();
    let params =
        FitParams { l2: options.l2, max_iterations: options.max_iterations, tolerance: options.tolerance, memory: 10 };
    let job = |j: usize| -> Result<JobOutput, TrainError> {
        let (train, test): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| j == folds || assignment[i] != j);
        let part = 1 + j;
        let mut on_iteration = |iteration: usize| tracker.set(part, iteration as f32 / params.max_iterations as f32);
        let (features, fitted) = fit(&train, &params, &mut on_iteration)?;
        if !tracker.set(part, 1.0) {
            return Err(TrainError::Cancelled);
        }
        if j == folds {
            return Ok(JobOutput::Final(features, fitted));
        }
        let held_out: Vec<&[f32]> = test.iter().map(|&i| rows[i]).collect();
        let probs = predict(&features.transform(&held_out), EMBEDDING_DIM, &fitted.weights, &fitted.bias);
        Ok(JobOutput::Fold(test, probs))
    };
    let outputs = jobs::run(options.threads, folds + 1, &job);
    if tracker.cancelled() {
        return Err(TrainError::Cancelled);
    }
    let mut out_of_fold = vec![0.0f32; n * k];
    let mut last = None;
    for output in outputs {
        match output? {
            JobOutput::Fold(test, probs) => {
                for (&i, row) in test.iter().zip(probs.chunks_exact(k)) {
                    out_of_fold[i * k..(i + 1) * k].copy_from_slice(row);
                }
            }
            JobOutput::Final(features, fitted) => last = Some((features, fitted)),
        }
    }
    let Some((features, fitted)) = last else {
        return Err(TrainError::InvalidModel("the final fit did not run".to_owned()));
    };
    Ok((out_of_fold, features, fitted))
}

/// Fits a model on the rows `indices` (features learnt from those rows only).
fn fit_subset(
    rows: &[&[f32]],
    labels: &[usize],
    indices: &[usize],
    classes: usize,
    params: &FitParams,
    on_iteration: &mut dyn FnMut(usize) -> bool,
) -> Result<(Features, Fitted), TrainError> {
    let subset: Vec<&[f32]> = indices.iter().map(|&i| rows[i]).collect();
    let subset_labels: Vec<usize> = indices.iter().map(|&i| labels[i]).collect();
    let features = Features::fit(&subset, EMBEDDING_DIM);
    let x = features.transform(&subset);
    let weights = balanced_weights(&subset_labels, classes);
    let data = Data { x: &x, dim: EMBEDDING_DIM, labels: &subset_labels, classes, sample_weights: &weights };
    let fitted = logistic::fit(data, params, on_iteration).map_err(|_| TrainError::Cancelled)?;
    Ok((features, fitted))
}

#[cfg(test)]
mod tests;
