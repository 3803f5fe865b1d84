//! Training a model of **independent** tags (multi-label: one sigmoid per tag).
//!
//! Same steps as the exclusive trainer ([`super::train`]), adapted where one image may carry
//! several tags:
//! - every selected asset is one row with a 0/1 target per tag; assets carrying none of the tags
//!   (given as background) are negatives of every tag;
//! - near copies (cosine ≥ `group_cosine`) with the same **label set** (which of the tags they
//!   carry), and examples declaring the same picture (`Example::group`: views of one photo), form
//!   one group that no fold splits, whatever its size; the folds are stratified by group on each
//!   group's rarest tag ([`folds_by_group`]), so every tag is spread over the folds;
//! - the fit is [`super::logistic::fit_independent`] with weights balanced per tag;
//! - each tag is calibrated on its own out-of-fold probabilities by the exclusive trainer's rule
//!   ([`super::evaluate::calibrate`]) with a floor of [`INDEPENDENT_FLOOR`], counting a declared
//!   picture once, by its first row (the photo itself, not its crops: a new image is one view);
//!   its `support` is the pictures carrying it, its `groups` the distinct ones among them;
//! - `accuracy` is the share of pictures whose predicted tag set is exactly their label set.

use std::collections::{BTreeMap, BTreeSet};

use super::evaluate::{join_declared_groups, metrics_at_calibration, similarity_groups};
use super::logistic::{
    self, balanced_independent_weights, independent_probabilities, l2_normalized, Features, FitParams, IndependentData,
};
use super::model::{check_embedding, ModelMetrics, TagMetrics, TrainedModel, TrainedTag};
use super::rng::SplitMix64;
use super::select::Selection;
use super::{cross_validate, progress_of, ModelKind, ModelSpec, TrainError, TrainingOptions, EMBEDDING_DIM};

/// The lowest threshold an independent tag gets: below even odds a model whose weights balance
/// each tag's positives and negatives leans towards "no".
pub const INDEPENDENT_FLOOR: f32 = 0.5;

/// Trains on a selection made for independent tags (see `select`), already linted; progress as
/// in [`super::train`].
pub(crate) fn train_independent(
    spec: &ModelSpec,
    selection: &Selection<'_>,
    options: &TrainingOptions,
    progress: &(dyn Fn(f32) -> bool + Sync),
    #[cfg(not(target_arch = "wasm32"))] started: std::time::Instant,
) -> Result<TrainedModel, TrainError> {
    let tags = &selection.tags;
    let k = tags.len();
    // Every asset once, by hash, with the tags it carries.
    let mut assets: BTreeMap<&str, (&super::Example, BTreeSet<usize>)> = BTreeMap::new();
    for (tag, used) in selection.used.iter().enumerate() {
        for example in used {
            assets.entry(example.asset.as_str()).or_insert_with(|| (example, BTreeSet::new())).1.insert(tag);
        }
    }
    for example in &selection.background {
        assets.entry(example.asset.as_str()).or_insert_with(|| (example, BTreeSet::new()));
    }
    let mut rows = Vec::with_capacity(assets.len());
    let mut targets = Vec::with_capacity(assets.len() * k);
    let mut label_sets: Vec<BTreeSet<usize>> = Vec::with_capacity(assets.len());
    let mut training_set = Vec::new();
    for (example, carried) in assets.values() {
        check_embedding(&example.embedding, EMBEDDING_DIM)
            .map_err(|e| TrainError::BadExample { asset: example.asset.clone(), problem: e.to_string() })?;
        rows.push(l2_normalized(&example.embedding));
        targets.extend((0..k).map(|t| carried.contains(&t)));
        training_set.extend(carried.iter().map(|&t| (example.asset.clone(), tags[t].clone())));
        label_sets.push(carried.clone());
    }
    training_set.sort();
    let n = rows.len();
    let positives: Vec<usize> = (0..k).map(|t| (0..n).filter(|&i| targets[i * k + t]).count()).collect();
    let smallest = positives.iter().copied().min().unwrap_or(0);
    let fewest_negatives = positives.iter().map(|p| n - p).min().unwrap_or(0);
    if k < 1 || smallest < 2 || fewest_negatives < 2 {
        return Err(TrainError::NotEnoughExamples(format!(
            "cross-validation needs at least 2 examples with and 2 without each tag; the smallest tag has {smallest} with and the fullest {fewest_negatives} without"
        )));
    }
    // The label set stands in for the class of the exclusive trainer.
    let distinct: Vec<&BTreeSet<usize>> = label_sets.iter().collect::<BTreeSet<_>>().into_iter().collect();
    let set_index: BTreeMap<&BTreeSet<usize>, usize> = distinct.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let labels: Vec<usize> = label_sets.iter().map(|s| set_index[s]).collect();
    let row_refs: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
    let mut groups = similarity_groups(&row_refs, &labels, options.group_cosine);
    let declared: Vec<Option<&str>> = assets.values().map(|(e, _)| e.group.as_deref()).collect();
    join_declared_groups(&mut groups, &declared);
    // Folds deal whole groups: a tag needs a group in at least two folds.
    let fewest_groups = (0..k)
        .map(|t| (0..n).filter(|&i| targets[i * k + t]).map(|i| groups[i]).collect::<BTreeSet<_>>().len())
        .min()
        .unwrap_or(0);
    if fewest_groups < 2 {
        return Err(TrainError::NotEnoughExamples(format!(
            "cross-validation needs every tag on at least 2 distinct pictures; one has {fewest_groups}"
        )));
    }
    let folds = options.folds.min(fewest_groups).max(2);
    let assignment = folds_by_group(&targets, k, &groups, folds, options.seed);

    let tracker = progress_of(progress, folds)?;
    let fit = |train: &[usize], params: &FitParams, on_iteration: &mut dyn FnMut(usize) -> bool| {
        let subset: Vec<&[f32]> = train.iter().map(|&i| row_refs[i]).collect();
        let subset_targets: Vec<bool> =
            train.iter().flat_map(|&i| targets[i * k..(i + 1) * k].iter().copied()).collect();
        let features = Features::fit(&subset, EMBEDDING_DIM);
        let x = features.transform(&subset);
        let weights = balanced_independent_weights(&subset_targets, k);
        let data =
            IndependentData { x: &x, dim: EMBEDDING_DIM, targets: &subset_targets, classes: k, weights: &weights };
        let fitted = logistic::fit_independent(data, params, on_iteration).map_err(|_| TrainError::Cancelled)?;
        Ok((features, fitted))
    };
    let (out_of_fold, features, fitted) =
        cross_validate(&row_refs, k, &assignment, folds, options, &tracker, &fit, independent_probabilities)?;
    // A declared picture (views of one photo) is scored once, by its first row in hash order —
    // the photo itself, `<hash>` before `<hash>#1`: that is what a new image is, one view.
    let mut seen_pictures = BTreeSet::new();
    let scored: Vec<usize> = (0..n).filter(|&i| declared[i].is_none_or(|name| seen_pictures.insert(name))).collect();
    let per_tag: Vec<TagMetrics> = (0..k)
        .map(|t| {
            let scores: Vec<f32> = scored.iter().map(|&i| out_of_fold[i * k + t]).collect();
            let is_positive: Vec<bool> = scored.iter().map(|&i| targets[i * k + t]).collect();
            let pictures =
                scored.iter().filter(|&&i| targets[i * k + t]).map(|&i| groups[i]).collect::<BTreeSet<_>>().len();
            metrics_at_calibration(&scores, &is_positive, pictures, options.target_precision, INDEPENDENT_FLOOR)
        })
        .collect();
    let exact = scored
        .iter()
        .filter(|&&i| (0..k).all(|t| (out_of_fold[i * k + t] >= per_tag[t].threshold) == targets[i * k + t]))
        .count();
    if !tracker.set(folds + 2, 1.0) {
        return Err(TrainError::Cancelled);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let train_ms = super::elapsed_ms(started);
    #[cfg(target_arch = "wasm32")]
    let train_ms = 0.0;
    let macro_precision = per_tag.iter().map(|m| m.precision).sum::<f32>() / k as f32;
    let macro_recall = per_tag.iter().map(|m| m.recall).sum::<f32>() / k as f32;
    let model = TrainedModel {
        name: spec.name.clone(),
        kind: ModelKind::Independent,
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
            accuracy: exact as f32 / scored.len() as f32,
            macro_precision,
            macro_recall,
            folds,
            examples: n,
            train_ms,
        },
        options: options.clone(),
        training_set,
    };
    super::checked(model, &tracker)
}

/// The fold of each row (`targets` is `rows x k`): groups are dealt whole, rarest tag first — a
/// group goes to the fold holding the fewest rows of its rarest tag (rows carrying no tag count as
/// one more "tag"), then the fewest rows, then the lowest index. Groups are shuffled by `seed`
/// first, the larger ones dealt first among equals, so the deal is deterministic.
pub(crate) fn folds_by_group(targets: &[bool], k: usize, groups: &[usize], folds: usize, seed: u64) -> Vec<usize> {
    let n = groups.len();
    let mut by_group: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &g) in groups.iter().enumerate() {
        by_group.entry(g).or_default().push(i);
    }
    // Tag k stands for "no tag".
    let mut totals = vec![0usize; k + 1];
    let carried = |i: usize| -> Vec<usize> {
        let tags: Vec<usize> = (0..k).filter(|&t| targets[i * k + t]).collect();
        if tags.is_empty() {
            vec![k]
        } else {
            tags
        }
    };
    for i in 0..n {
        for t in carried(i) {
            totals[t] += 1;
        }
    }
    let mut units: Vec<(usize, Vec<usize>)> = by_group
        .into_values()
        .map(|rows| {
            let rarest = rows.iter().flat_map(|&i| carried(i)).min_by_key(|&t| (totals[t], t)).unwrap_or(k);
            (rarest, rows)
        })
        .collect();
    SplitMix64::derived(seed, 0x6d75_6c74).shuffle(&mut units);
    units.sort_by_key(|(rarest, rows)| (totals[*rarest], std::cmp::Reverse(rows.len())));
    let folds = folds.max(1);
    let mut per_tag = vec![vec![0usize; folds]; k + 1];
    let mut sizes = vec![0usize; folds];
    let mut assignment = vec![0; n];
    for (rarest, rows) in units {
        let fold = (0..folds).min_by_key(|&f| (per_tag[rarest][f], sizes[f], f)).unwrap_or(0);
        for &i in &rows {
            assignment[i] = fold;
            sizes[fold] += 1;
            for t in carried(i) {
                per_tag[t][fold] += 1;
            }
        }
    }
    assignment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_dealt_whole_and_every_tag_spreads() {
        // 12 pictures of 3 views each; tag 0 on pictures 0-5, tag 1 on pictures 4-7, none on 8-11.
        let k = 2;
        let mut targets = Vec::new();
        let mut groups = Vec::new();
        for picture in 0..12 {
            for _ in 0..3 {
                targets.extend([picture < 6, (4..8).contains(&picture)]);
                groups.push(picture * 3);
            }
        }
        let folds = folds_by_group(&targets, k, &groups, 2, 7);
        for picture in 0..12 {
            let f = folds[picture * 3];
            assert!(
                folds[picture * 3..picture * 3 + 3].iter().all(|&x| x == f),
                "picture {picture} is split: {folds:?}"
            );
        }
        for tag in 0..k {
            for fold in 0..2 {
                assert!(
                    (0..36).any(|i| folds[i] == fold && targets[i * k + tag]),
                    "tag {tag} missing from fold {fold}"
                );
            }
        }
        assert_eq!(folds, folds_by_group(&targets, k, &groups, 2, 7));
    }
}
