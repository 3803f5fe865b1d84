//! Cross-validation and threshold calibration.
//!
//! **Groups.** Examples of one tag whose embeddings are near each other (cosine of the
//! L2-normalised embeddings ≥ `group_cosine`, joined transitively) form a *group*: crops, edits or
//! burst shots of one picture. Views of one photo have a median cosine of 0.74 and different photos
//! 0.16 (measured on the fixture photos; 95th percentiles 0.46 and 0.41 the other way round), so
//! the default 0.6 keeps a photo's views together. A group is never split over folds: otherwise
//! the model would be tested on near-copies of its training images, look better than it is, and
//! get thresholds too low for new images. A tag whose examples form a single group cannot be
//! cross-validated by group; its examples are dealt one by one, and its `groups` of 1 says so.
//!
//! **Folds.** Stratified k-fold by group: each tag's groups are shuffled (deterministically, from
//! the seed and the tag's position), the largest first, and each goes to the fold holding the
//! fewest examples of that tag (then the fewest examples, then the lowest index). Each fold is
//! predicted by a model fitted on the other folds (its own feature mean and scale included), which
//! gives one *out-of-fold* probability vector per example.
//!
//! **Calibration rule.** An example is predicted to carry a tag when its probability is ≥ the tag's
//! threshold. For each tag, the candidate cut-offs are the out-of-fold probabilities of the tag's own
//! examples that are ≥ `1/k` for `k` tags (the probability of a tag the model knows nothing about;
//! cutting at a negative example's probability would only add that false positive). The cut-off is
//! the **lowest** candidate whose out-of-fold precision is ≥ `target_precision`, which maximises
//! recall under that constraint, and `target_reached` is true. If no candidate reaches the target,
//! the cut-off is the candidate with the best F1 (the highest one among ties) and `target_reached`
//! is false. Every threshold between the cut-off and the next lower probability gives the same
//! out-of-fold predictions, so the threshold is the midpoint of that gap (the next lower probability
//! taken as no less than `1/k`): the same precision and recall, with a margin for new images. With
//! no candidate at all the threshold is `1/k`. Precision, recall and F1 are reported at the
//! threshold; average precision (the area under the precision-recall steps, as scikit-learn
//! computes it) over all of them.
//!
//! **Honest reports.** The precision at the threshold comes with its 95% Wilson interval (it is
//! counted on few out-of-fold predictions), and `target_reached` also needs at least
//! [`MIN_PICTURES_FOR_TARGET`] distinct pictures (groups) of the tag: a precision of 1.00 from 3
//! to 8 positives is no evidence that the target holds on new images.

use super::model::TagMetrics;
use super::rng::SplitMix64;

/// The group of each example (see the module documentation): examples of the same label whose
/// rows (L2-normalised) have a dot product ≥ `cosine`, joined transitively. Group ids are the
/// smallest example index of the group.
pub fn similarity_groups(rows: &[&[f32]], labels: &[usize], cosine: f32) -> Vec<usize> {
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut parent: Vec<usize> = (0..rows.len()).collect();
    for i in 0..rows.len() {
        for j in (i + 1)..rows.len() {
            if labels[i] == labels[j] && super::linalg::dot(rows[i], rows[j]) >= f64::from(cosine) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    (0..rows.len()).map(|i| root(&mut parent, i)).collect()
}

/// Joins the groups of examples that declare the same picture (`declared[i]`, e.g. views of one
/// photo), keeping group ids as the smallest example index of each group.
pub fn join_declared_groups(groups: &mut [usize], declared: &[Option<&str>]) {
    let mut first_of: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut parent: Vec<usize> = groups.to_vec();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, name) in declared.iter().enumerate() {
        let Some(name) = name else { continue };
        match first_of.get(name) {
            Some(&j) => {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
            None => {
                first_of.insert(name, i);
            }
        }
    }
    for (i, group) in groups.iter_mut().enumerate() {
        *group = root(&mut parent, i);
    }
}

/// How many groups each label has.
pub fn group_counts(labels: &[usize], groups: &[usize], classes: usize) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::new();
    let mut counts = vec![0; classes];
    for (&label, &group) in labels.iter().zip(groups) {
        if seen.insert(group) {
            counts[label] += 1;
        }
    }
    counts
}

/// The fold of each example (`labels[i] < classes`, result in `0..folds`), keeping each group in
/// one fold (see the module documentation). A label with a single group is dealt by example.
pub fn stratified_folds(labels: &[usize], groups: &[usize], classes: usize, folds: usize, seed: u64) -> Vec<usize> {
    let folds = folds.max(1);
    let mut assignment = vec![0; labels.len()];
    let mut fold_sizes = vec![0usize; folds];
    for (class, &count) in group_counts(labels, groups, classes).iter().enumerate() {
        let members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        let mut units: Vec<Vec<usize>> = if count < 2 {
            members.into_iter().map(|i| vec![i]).collect()
        } else {
            let mut by_group: std::collections::BTreeMap<usize, Vec<usize>> = std::collections::BTreeMap::new();
            for i in members {
                by_group.entry(groups[i]).or_default().push(i);
            }
            by_group.into_values().collect()
        };
        SplitMix64::derived(seed, 0x666f_6c64 + class as u64).shuffle(&mut units);
        units.sort_by_key(|unit| std::cmp::Reverse(unit.len()));
        let mut class_sizes = vec![0usize; folds];
        for unit in units {
            let fold = (0..folds).min_by_key(|&f| (class_sizes[f], fold_sizes[f], f)).unwrap_or(0);
            class_sizes[fold] += unit.len();
            fold_sizes[fold] += unit.len();
            for i in unit {
                assignment[i] = fold;
            }
        }
    }
    assignment
}

/// Fewest distinct pictures (groups) of a tag for its precision target to count as reached.
pub const MIN_PICTURES_FOR_TARGET: usize = 10;

/// A threshold and the out-of-fold metrics it gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    pub threshold: f32,
    pub precision: f32,
    pub recall: f32,
    pub f1: f32,
    pub target_reached: bool,
    /// Out-of-fold predictions at the threshold: right and all.
    pub right: usize,
    pub predicted: usize,
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

/// One step of the precision-recall curve: everything scoring ≥ `score` is predicted positive.
#[derive(Debug, Clone, Copy)]
struct Step {
    score: f32,
    precision: f64,
    recall: f64,
    /// Right and all predictions at this step.
    right: usize,
    predicted: usize,
    /// Whether a positive example scores exactly `score`.
    positive: bool,
    /// The next lower distinct score, if any.
    next_lower: Option<f32>,
}

/// The precision-recall steps, one per distinct score, highest first.
fn steps(scores: &[f32], positives: &[bool]) -> Vec<Step> {
    let total_positives = positives.iter().filter(|p| **p).count();
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut out: Vec<Step> = Vec::new();
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut positive = false;
    for (position, &i) in order.iter().enumerate() {
        if positives[i] {
            tp += 1;
            positive = true;
        } else {
            fp += 1;
        }
        let next = order.get(position + 1).map(|&j| scores[j]);
        if next != Some(scores[i]) {
            let precision = tp as f64 / (tp + fp) as f64;
            let recall = if total_positives > 0 { tp as f64 / total_positives as f64 } else { 0.0 };
            out.push(Step {
                score: scores[i],
                precision,
                recall,
                right: tp,
                predicted: tp + fp,
                positive,
                next_lower: next,
            });
            positive = false;
        }
    }
    out
}

/// Applies the calibration rule (module docs) to one tag's scores.
pub fn calibrate(scores: &[f32], positives: &[bool], target_precision: f32, floor: f32) -> Calibration {
    let candidates: Vec<Step> =
        steps(scores, positives).into_iter().filter(|s| s.positive && s.score >= floor).collect();
    let reaching = candidates.iter().rev().find(|s| s.precision >= f64::from(target_precision));
    let (chosen, target_reached) = match reaching {
        Some(step) => (Some(*step), true),
        None => {
            let mut best: Option<Step> = None;
            for step in &candidates {
                if best.is_none_or(|b| f1(step.precision, step.recall) > f1(b.precision, b.recall)) {
                    best = Some(*step);
                }
            }
            (best, false)
        }
    };
    match chosen {
        Some(step) => {
            let below = step.next_lower.unwrap_or(floor).max(floor);
            Calibration {
                threshold: (step.score + below) / 2.0,
                precision: step.precision as f32,
                recall: step.recall as f32,
                f1: f1(step.precision, step.recall) as f32,
                target_reached,
                right: step.right,
                predicted: step.predicted,
            }
        }
        None => Calibration {
            threshold: floor,
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
            target_reached: false,
            right: 0,
            predicted: 0,
        },
    }
}

/// Average precision: `Σ (R_n − R_{n−1}) · P_n` over the thresholds, highest first.
pub fn average_precision(scores: &[f32], positives: &[bool]) -> f32 {
    let mut previous_recall = 0.0;
    let mut sum = 0.0;
    for step in steps(scores, positives) {
        sum += (step.recall - previous_recall) * step.precision;
        previous_recall = step.recall;
    }
    sum as f32
}

/// Per-tag metrics from the out-of-fold probabilities (`n x classes`); `groups[c]` is how many
/// distinct images (groups) label `c` has.
pub fn tag_metrics(
    probabilities: &[f32],
    labels: &[usize],
    groups: &[usize],
    classes: usize,
    target_precision: f32,
) -> Vec<TagMetrics> {
    let floor = 1.0 / classes as f32;
    (0..classes)
        .map(|class| {
            let scores: Vec<f32> = probabilities.chunks_exact(classes).map(|row| row[class]).collect();
            let positives: Vec<bool> = labels.iter().map(|&y| y == class).collect();
            metrics_at_calibration(
                &scores,
                &positives,
                groups.get(class).copied().unwrap_or(0),
                target_precision,
                floor,
            )
        })
        .collect()
}

/// One tag's metrics at its calibrated threshold (see [`calibrate`]): `pictures` is how many
/// distinct pictures carry it (the target counts as reached only with enough of them).
pub fn metrics_at_calibration(
    scores: &[f32],
    positives: &[bool],
    pictures: usize,
    target_precision: f32,
    floor: f32,
) -> TagMetrics {
    let calibration = calibrate(scores, positives, target_precision, floor);
    let (low, high) = crate::calibration::wilson_interval(calibration.right, calibration.predicted);
    TagMetrics {
        precision: calibration.precision,
        recall: calibration.recall,
        f1: calibration.f1,
        support: positives.iter().filter(|p| **p).count(),
        groups: pictures,
        threshold: calibration.threshold,
        target_reached: calibration.target_reached && pictures >= MIN_PICTURES_FOR_TARGET,
        average_precision: average_precision(scores, positives),
        precision_low: low as f32,
        precision_high: high as f32,
    }
}

/// Top-1 accuracy of probability rows (ties go to the lower class).
pub fn accuracy(probabilities: &[f32], labels: &[usize], classes: usize) -> f32 {
    if labels.is_empty() {
        return 0.0;
    }
    let right = probabilities.chunks_exact(classes).zip(labels).filter(|(row, &y)| argmax(row) == y).count();
    right as f32 / labels.len() as f32
}

fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in row.iter().enumerate() {
        if *v > row[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn calibration_picks_the_lowest_threshold_reaching_the_target() {
        // Highest first: + + + - + + - - + -.
        let scores = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.55, 0.5, 0.4, 0.3];
        let positives = [true, true, true, false, true, true, false, false, true, false];
        // Precision at 0.85: 3/3, 0.7: 4/5, 0.6: 5/6 = 0.833, 0.4: 6/9. The threshold sits halfway
        // to the next lower score.
        let c = calibrate(&scores, &positives, 0.8, 0.2);
        assert!(close(c.threshold, 0.575), "{c:?}");
        assert!(close(c.precision, 5.0 / 6.0) && close(c.recall, 5.0 / 6.0), "{c:?}");
        assert!(c.target_reached);
        let c = calibrate(&scores, &positives, 0.9, 0.2);
        assert!(close(c.threshold, 0.825), "{c:?}");
        assert_eq!((c.precision, c.recall), (1.0, 0.5));
        // A floor of 0.88 leaves 0.95 and 0.9; the midpoint goes no lower than the floor.
        assert!(close(calibrate(&scores, &positives, 0.9, 0.88).threshold, 0.89));
        // Target 0.6 is reached down to 0.4 (6/9), the lowest positive: recall 1.
        let c = calibrate(&scores, &positives, 0.6, 0.2);
        assert!(close(c.threshold, 0.35) && c.recall == 1.0, "{c:?}");
        // No threshold reaches 0.99 on the last seven scores, so the best F1 wins. Positive
        // candidates above the floor: 0.7 (1/2, recall 1/3), 0.6 (2/3, recall 2/3): F1 0.4 and 2/3.
        let c = calibrate(&scores[3..], &positives[3..], 0.99, 0.45);
        assert!(!c.target_reached);
        assert!(close(c.threshold, 0.575), "{c:?}");
        assert!(close(c.f1, 2.0 / 3.0), "{c:?}");
    }

    #[test]
    fn calibration_never_goes_below_the_floor_and_handles_ties() {
        let scores = [0.9, 0.9, 0.3, 0.3, 0.1];
        let positives = [true, false, true, true, false];
        // At 0.3 precision is 3/4; with target 0.7 that is the cut-off, halfway to 0.1.
        assert!(close(calibrate(&scores, &positives, 0.7, 0.05).threshold, 0.2));
        // Halfway to 0.1 would be below the floor of 0.25: halfway to the floor instead.
        assert!(close(calibrate(&scores, &positives, 0.7, 0.25).threshold, 0.275));
        // Nothing at or above the floor: threshold = floor, nothing reached.
        let c = calibrate(&[0.2, 0.1], &[true, false], 0.9, 0.5);
        assert_eq!((c.threshold, c.recall, c.target_reached), (0.5, 0.0, false));
        // A negative scoring highest is never a cut-off.
        let c = calibrate(&[0.9, 0.8, 0.1], &[false, true, false], 0.4, 0.05);
        assert!(close(c.threshold, 0.45) && c.precision == 0.5, "{c:?}");
    }

    #[test]
    fn average_precision_matches_a_hand_computation() {
        let scores = [0.9, 0.8, 0.7, 0.6];
        let positives = [true, false, true, false];
        // Recall steps 0.5 at precision 1, 1.0 at precision 2/3.
        assert!((average_precision(&scores, &positives) - (0.5 + 0.5 * 2.0 / 3.0)).abs() < 1e-6);
        assert_eq!(average_precision(&scores, &[true, true, false, false]), 1.0);
    }

    #[test]
    fn stratified_folds_keep_every_class_in_every_fold() {
        let labels: Vec<usize> = (0..53)
            .map(|i| {
                if i < 10 {
                    0
                } else if i < 25 {
                    1
                } else {
                    2
                }
            })
            .collect();
        let singletons: Vec<usize> = (0..labels.len()).collect();
        let folds = stratified_folds(&labels, &singletons, 3, 5, 9);
        for fold in 0..5 {
            for class in 0..3 {
                assert!(
                    (0..labels.len()).any(|i| folds[i] == fold && labels[i] == class),
                    "class {class} missing from fold {fold}"
                );
            }
        }
        let sizes: Vec<usize> = (0..5).map(|f| folds.iter().filter(|x| **x == f).count()).collect();
        assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1, "{sizes:?}");
        assert_eq!(folds, stratified_folds(&labels, &singletons, 3, 5, 9));
        assert_ne!(folds, stratified_folds(&labels, &singletons, 3, 5, 10));
    }

    #[test]
    fn near_duplicates_of_one_tag_form_groups_that_no_fold_splits() {
        // Label 0: three views of picture A (rows 0-2), two of picture B (3-4); label 1: rows 5-8,
        // each its own picture; row 9 is label 1 but equal to picture A (other labels never group).
        let a = [1.0, 0.0, 0.0];
        let a2 = [0.8, 0.6, 0.0];
        let b = [0.0, 0.0, 1.0];
        let rows: Vec<&[f32]> =
            vec![&a, &a2, &a, &b, &b, &[0.0, 1.0, 0.0], &[0.6, 0.0, 0.8], &[0.0, 0.6, 0.8], &[0.0, -0.6, 0.8], &a];
        let labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
        let groups = similarity_groups(&rows, &labels, 0.7);
        assert_eq!(groups, [0, 0, 0, 3, 3, 5, 6, 7, 8, 9]);
        assert_eq!(group_counts(&labels, &groups, 2), [2, 5]);
        let folds = stratified_folds(&labels, &groups, 2, 2, 1);
        assert!(
            folds[0] == folds[1] && folds[1] == folds[2] && folds[3] == folds[4] && folds[0] != folds[3],
            "{folds:?}"
        );
        // A label with one group is dealt by example, so it is still in both folds.
        let one_group = [0, 0, 0, 0, 0, 5, 6, 7, 8, 9];
        let folds = stratified_folds(&labels, &one_group, 2, 2, 1);
        assert!((0..2).all(|f| (0..5).any(|i| folds[i] == f)), "{folds:?}");
    }

    #[test]
    fn accuracy_counts_top_1() {
        let probs = [0.7, 0.3, 0.4, 0.6, 0.5, 0.5];
        assert!((accuracy(&probs, &[0, 0, 0], 2) - 2.0 / 3.0).abs() < 1e-6);
    }
}
