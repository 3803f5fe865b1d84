//! Confidences that mean what they say: a monotone map from a raw score to the probability that
//! the tag is right, fitted by isotonic regression (pool-adjacent-violators) on labelled photos.
//!
//! The taxonomy mapping's raw score is a probability mass over ImageNet classes times link
//! weights, joined by the detectors' and the scenes' independent evidence; it is not the chance
//! that a person would keep the tag. [`Calibration::fit`] turns
//! `(raw score, was it right)` pairs into a non-decreasing step function, smoothed into a
//! piecewise-linear map through the centres of its blocks; [`Calibration::apply`] reads it.
//! Being monotone, the map keeps every ranking and the taxonomy roll-up (a parent at least as
//! confident as its children) intact.

use serde::{Deserialize, Serialize};

/// The calibration of taxonomy-tag confidences the service ships, applied to each tag's whole raw
/// score (`ScoringPlan::score`: the image model's evidence with the detectors' and the scenes'):
/// fitted on the calibration half of both evaluation sets (`tests/eval/`, split by photo) with the
/// people detectors and the scene model on, a tag counting as right when the photo's labels or its
/// scene labels (`tests/eval/scenes/`) make it so — `PEOPLE=1 SCENES=1 SCENE_TRUTH=1 bash
/// scripts/eval-taxonomy.sh demo calibration`, then `… set2 calibration fit` prints it —, checked on
/// their held-out halves (BENCHMARKS.md, "Taxonomy calibration with scenes").
/// 1,253 raw candidates of the calibration halves (set 2: 1,130, set 1: 123), blocks of at least 20.
pub const TAXONOMY_KNOTS: &[(f32, f32)] = &[
    (0.0524, 0.0000),
    (0.0631, 0.0173),
    (0.0764, 0.0455),
    (0.0812, 0.0541),
    (0.1010, 0.0758),
    (0.1426, 0.1096),
    (0.2276, 0.1641),
    (0.3427, 0.2045),
    (0.3808, 0.4545),
    (0.4055, 0.5000),
    (0.4924, 0.6542),
    (0.6531, 0.8596),
    (0.7723, 0.8868),
    (0.8225, 0.9500),
    (0.8624, 0.9583),
    (0.9284, 0.9922),
    (0.9825, 1.0000),
];

/// The precision the shown taxonomy tags aim at: [`TAXONOMY_THRESHOLD`] follows from it.
pub const TAXONOMY_PRECISION_TARGET: f64 = 0.9;

/// The taxonomy tags' own threshold (a calibrated confidence; a per-tag threshold still wins): the
/// lowest of the sweep 0.30, 0.40, 0.45, 0.50, …, 0.80 at which the taxonomy tags returned on the
/// calibration halves of both labelled sets, pooled, reach [`TAXONOMY_PRECISION_TARGET`] —
/// 391/433 (90.3%) at 0.60, 416/471 (88.3%) at 0.55 (the same runs as [`TAXONOMY_KNOTS`], whose
/// "Taxonomy threshold sweep" tables give the counts). Generic tags, which are not calibrated,
/// keep the global `min_confidence`.
pub const TAXONOMY_THRESHOLD: f32 = 0.6;

/// The shipped taxonomy calibration ([`TAXONOMY_KNOTS`]), or the identity when there is none.
pub fn taxonomy_calibration() -> Calibration {
    Calibration::new(TAXONOMY_KNOTS.to_vec()).unwrap_or_else(|_| Calibration::identity())
}

/// The 95% Wilson score interval of `k` successes in `n` trials: `(low, high)`; `(0, 1)` when
/// `n` is 0. A precision of 5/5 is (0.57, 1.00), not 1.00.
pub fn wilson_interval(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n, z) = (k.min(n) as f64, n as f64, 1.959_964_f64);
    let p = k / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// A piecewise-linear, non-decreasing map from a raw score in [0, 1] to a calibrated one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// `(raw, calibrated)` knots, raw strictly increasing, calibrated non-decreasing. Below the
    /// first knot the map goes linearly to (0, 0); above the last it stays flat.
    knots: Vec<(f32, f32)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalibrationError {
    #[error("a calibration needs at least one knot")]
    Empty,
    #[error(
        "calibration knots must be finite, in [0, 1], with raw scores increasing and calibrated ones not decreasing"
    )]
    BadKnots,
}

impl Calibration {
    /// A map through these knots (checked).
    pub fn new(knots: Vec<(f32, f32)>) -> Result<Calibration, CalibrationError> {
        if knots.is_empty() {
            return Err(CalibrationError::Empty);
        }
        let in_unit = |v: f32| v.is_finite() && (0.0..=1.0).contains(&v);
        let ordered = knots.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1);
        if !ordered || !knots.iter().all(|&(x, y)| in_unit(x) && in_unit(y)) {
            return Err(CalibrationError::BadKnots);
        }
        Ok(Calibration { knots })
    }

    /// The identity (no calibration).
    pub fn identity() -> Calibration {
        Calibration { knots: vec![(1.0, 1.0)] }
    }

    pub fn knots(&self) -> &[(f32, f32)] {
        &self.knots
    }

    /// The calibrated value of `raw`.
    pub fn apply(&self, raw: f32) -> f32 {
        if raw.is_nan() {
            return raw;
        }
        let raw = raw.clamp(0.0, 1.0);
        let mut previous = (0.0f32, 0.0f32);
        for &(x, y) in &self.knots {
            if raw <= x {
                let span = x - previous.0;
                let t = if span > 0.0 { (raw - previous.0) / span } else { 1.0 };
                return previous.1 + t * (y - previous.1);
            }
            previous = (x, y);
        }
        previous.1
    }

    /// Isotonic regression of `correct` on `raw` (pool-adjacent-violators, equal weights), then
    /// one knot per block at its mean raw score and accuracy. Blocks with fewer than
    /// `min_block` samples are merged into a neighbour first, so that no knot rests on a handful
    /// of photos. `None` without samples.
    pub fn fit(samples: &[(f32, bool)], min_block: usize) -> Option<Calibration> {
        let mut sorted: Vec<(f32, f32)> = samples
            .iter()
            .filter(|(x, _)| x.is_finite())
            .map(|&(x, ok)| (x.clamp(0.0, 1.0), f32::from(u8::from(ok))))
            .collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Blocks: (sum of raw, sum of correct, count).
        // Equal raw scores are one block from the start (their order means nothing).
        let mut tied: Vec<(f64, f64, usize)> = Vec::new();
        for (x, y) in sorted {
            match tied.last_mut() {
                Some(last) if last.0 / last.2 as f64 == f64::from(x) => {
                    last.0 += f64::from(x);
                    last.1 += f64::from(y);
                    last.2 += 1;
                }
                _ => tied.push((f64::from(x), f64::from(y), 1)),
            }
        }
        let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
        for block in tied {
            blocks.push(block);
            while blocks.len() > 1 {
                let n = blocks.len();
                let (a, b) = (blocks[n - 2], blocks[n - 1]);
                let violates = a.1 / a.2 as f64 >= b.1 / b.2 as f64;
                let small = a.2 < min_block;
                if !(violates || small) {
                    break;
                }
                blocks.truncate(n - 2);
                blocks.push((a.0 + b.0, a.1 + b.1, a.2 + b.2));
            }
        }
        // A small last block joins the one before it (and stays monotone by pooling).
        while blocks.len() > 1 && blocks.last().is_some_and(|b| b.2 < min_block) {
            let (Some(b), Some(a)) = (blocks.pop(), blocks.pop()) else { break };
            blocks.push((a.0 + b.0, a.1 + b.1, a.2 + b.2));
        }
        let mut knots: Vec<(f32, f32)> = Vec::with_capacity(blocks.len());
        for (sx, sy, n) in blocks {
            let knot = ((sx / n as f64) as f32, (sy / n as f64) as f32);
            match knots.last_mut() {
                Some(last) if knot.0 <= last.0 => *last = (last.0, last.1.max(knot.1)),
                _ => knots.push(knot),
            }
        }
        Calibration::new(knots).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_interpolates_between_knots_and_is_flat_past_the_last() {
        let c = Calibration::new(vec![(0.2, 0.1), (0.6, 0.5), (0.9, 0.95)]).unwrap();
        assert_eq!(c.apply(0.0), 0.0);
        assert!((c.apply(0.1) - 0.05).abs() < 1e-6);
        assert!((c.apply(0.4) - 0.3).abs() < 1e-6);
        assert!((c.apply(1.0) - 0.95).abs() < 1e-6);
        assert!(c.apply(f32::NAN).is_nan());
        assert_eq!(Calibration::identity().apply(0.37), 0.37);
    }

    #[test]
    fn wilson_intervals_match_the_textbook_values() {
        let (lo, hi) = wilson_interval(5, 5);
        assert!((lo - 0.5655).abs() < 1e-3 && (hi - 1.0).abs() < 1e-9, "{lo} {hi}");
        let (lo, hi) = wilson_interval(81, 263);
        assert!((lo - 0.2553).abs() < 1e-3 && (hi - 0.3662).abs() < 1e-3, "{lo} {hi}");
        assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
    }

    #[test]
    fn knots_are_checked() {
        assert_eq!(Calibration::new(vec![]), Err(CalibrationError::Empty));
        assert_eq!(Calibration::new(vec![(0.5, 0.6), (0.4, 0.7)]), Err(CalibrationError::BadKnots));
        assert_eq!(Calibration::new(vec![(0.4, 0.7), (0.5, 0.6)]), Err(CalibrationError::BadKnots));
        assert_eq!(Calibration::new(vec![(0.4, 1.5)]), Err(CalibrationError::BadKnots));
    }

    #[test]
    fn fitting_pools_violators_into_a_non_decreasing_map() {
        // Raw scores that overstate: right 1 time in 4 around 0.8, 3 in 4 around 0.95.
        let mut samples = Vec::new();
        for i in 0..40 {
            samples.push((0.8, i % 4 == 0));
            samples.push((0.95, i % 4 != 0));
            samples.push((0.1, false));
        }
        let c = Calibration::fit(&samples, 10).unwrap();
        assert!((c.apply(0.8) - 0.25).abs() < 1e-6, "{c:?}");
        assert!((c.apply(0.95) - 0.75).abs() < 1e-6, "{c:?}");
        assert!(c.apply(0.1) < 1e-6);
        assert!(c.knots().windows(2).all(|w| w[0].1 <= w[1].1));
        assert!(Calibration::fit(&[], 10).is_none());
    }
}
