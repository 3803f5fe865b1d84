//! From raw model outputs to boxes: MediaPipe's `TensorsToDetectionsCalculator` (box decoding
//! against the anchors, sigmoid scores, best class per box) and `NonMaxSuppressionCalculator`.

use super::anchors::Anchor;
use super::{BoundingBox, Detection};

/// The options of `TensorsToDetectionsCalculatorOptions` that the detectors use.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeOptions {
    pub num_classes: usize,
    /// Values per box in the regression output (4 box values, then keypoints).
    pub num_coords: usize,
    pub x_scale: f32,
    pub y_scale: f32,
    pub w_scale: f32,
    pub h_scale: f32,
    /// Boxes come as (x, y, w, h) rather than (y, x, h, w).
    pub reverse_output_order: bool,
    pub apply_exponential_on_box_size: bool,
    /// Raw scores are clamped to ±this before the sigmoid (0: not clamped).
    pub score_clipping: f32,
    /// Classes never reported (e.g. 0, the background of SSD models).
    pub ignore_classes: &'static [u16],
    /// Boxes scoring below this are dropped before suppression.
    pub min_score: f32,
}

/// How overlapping boxes are merged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Suppression {
    /// Keep the best box; drop those overlapping it by more than the IoU.
    Standard { iou: f32 },
    /// MediaPipe's WEIGHTED: the best box's score, its coordinates averaged over the boxes that
    /// overlap it by more than the IoU, weighted by their scores.
    Weighted { iou: f32 },
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecodeError {
    #[error("the model gave {got} box values, expected {expected}")]
    Boxes { got: usize, expected: usize },
    #[error("the model gave {got} scores, expected {expected}")]
    Scores { got: usize, expected: usize },
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Decodes every box scoring at least `options.min_score`, in the model input's normalised
/// coordinates. `boxes` is `[anchors × num_coords]`, `scores` `[anchors × num_classes]` (logits).
pub fn decode(
    boxes: &[f32],
    scores: &[f32],
    anchors: &[Anchor],
    options: &DecodeOptions,
) -> Result<Vec<Detection>, DecodeError> {
    let expected = anchors.len() * options.num_coords;
    if boxes.len() != expected {
        return Err(DecodeError::Boxes { got: boxes.len(), expected });
    }
    let expected = anchors.len() * options.num_classes;
    if scores.len() != expected {
        return Err(DecodeError::Scores { got: scores.len(), expected });
    }
    let mut found = Vec::new();
    for (i, anchor) in anchors.iter().enumerate() {
        let mut best: Option<(u16, f32)> = None;
        for class in 0..options.num_classes {
            let class_id = class as u16;
            if options.ignore_classes.contains(&class_id) {
                continue;
            }
            let mut raw = scores[i * options.num_classes + class];
            if options.score_clipping > 0.0 {
                raw = raw.clamp(-options.score_clipping, options.score_clipping);
            }
            let score = sigmoid(raw);
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((class_id, score));
            }
        }
        let Some((class, score)) = best else { continue };
        if score.is_nan() || score < options.min_score {
            continue;
        }
        let raw = &boxes[i * options.num_coords..i * options.num_coords + 4];
        let (x, y, w, h) = if options.reverse_output_order {
            (raw[0], raw[1], raw[2], raw[3])
        } else {
            (raw[1], raw[0], raw[3], raw[2])
        };
        let x_center = x / options.x_scale * anchor.width + anchor.x_center;
        let y_center = y / options.y_scale * anchor.height + anchor.y_center;
        let (width, height) = if options.apply_exponential_on_box_size {
            ((w / options.w_scale).exp() * anchor.width, (h / options.h_scale).exp() * anchor.height)
        } else {
            (w / options.w_scale * anchor.width, h / options.h_scale * anchor.height)
        };
        if !(width.is_finite() && height.is_finite() && x_center.is_finite() && y_center.is_finite())
            || width <= 0.0
            || height <= 0.0
        {
            continue;
        }
        let bbox = BoundingBox { x: x_center - width / 2.0, y: y_center - height / 2.0, width, height };
        found.push(Detection { bbox, score, class });
    }
    Ok(found)
}

/// Merges overlapping detections of the same class, best first; at most `max` are kept.
pub fn suppress(mut detections: Vec<Detection>, suppression: Suppression, max: usize) -> Vec<Detection> {
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    let mut remaining = detections;
    while !remaining.is_empty() && kept.len() < max {
        let best = remaining[0];
        let (overlapping, rest): (Vec<Detection>, Vec<Detection>) = remaining
            .into_iter()
            .partition(|d| d.class == best.class && d.bbox.iou(&best.bbox) > threshold(suppression));
        remaining = rest;
        let merged = match suppression {
            Suppression::Standard { .. } => best,
            Suppression::Weighted { .. } => {
                let total: f32 = overlapping.iter().map(|d| d.score).sum();
                if total > 0.0 {
                    let mean = |f: fn(&BoundingBox) -> f32| {
                        overlapping.iter().map(|d| f(&d.bbox) * d.score).sum::<f32>() / total
                    };
                    let x0 = mean(|b| b.x);
                    let y0 = mean(|b| b.y);
                    let x1 = mean(|b| b.x + b.width);
                    let y1 = mean(|b| b.y + b.height);
                    Detection { bbox: BoundingBox { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, ..best }
                } else {
                    best
                }
            }
        };
        kept.push(merged);
    }
    kept
}

fn threshold(suppression: Suppression) -> f32 {
    match suppression {
        Suppression::Standard { iou } | Suppression::Weighted { iou } => iou,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> DecodeOptions {
        DecodeOptions {
            num_classes: 2,
            num_coords: 4,
            x_scale: 10.0,
            y_scale: 10.0,
            w_scale: 5.0,
            h_scale: 5.0,
            reverse_output_order: false,
            apply_exponential_on_box_size: true,
            score_clipping: 0.0,
            ignore_classes: &[0],
            min_score: 0.5,
        }
    }

    fn anchor() -> Anchor {
        Anchor { x_center: 0.5, y_center: 0.25, width: 0.2, height: 0.4 }
    }

    #[test]
    fn a_zero_regression_is_the_anchor_itself() {
        let found = decode(&[0.0; 4], &[5.0, 2.0], &[anchor()], &options()).unwrap();
        assert_eq!(found.len(), 1);
        let d = found[0];
        assert_eq!(d.class, 1, "class 0 is the background and never reported");
        assert!((d.score - sigmoid(2.0)).abs() < 1e-6);
        let b = d.bbox;
        assert!(
            (b.x - 0.4).abs() < 1e-6
                && (b.y - 0.05).abs() < 1e-6
                && (b.width - 0.2).abs() < 1e-6
                && (b.height - 0.4).abs() < 1e-6,
            "{b:?}"
        );
    }

    #[test]
    fn offsets_and_sizes_follow_the_scales_and_the_output_order() {
        // (y, x, h, w): y moves by 10/10 of the anchor height, w doubles (exp(5 ln2 / 5)).
        let raw = [10.0, 0.0, 0.0, 5.0 * 2f32.ln()];
        let b = decode(&raw, &[0.0, 3.0], &[anchor()], &options()).unwrap()[0].bbox;
        assert!((b.y + b.height / 2.0 - 0.65).abs() < 1e-5, "{b:?}");
        assert!((b.width - 0.4).abs() < 1e-5, "{b:?}");
        let reversed = DecodeOptions { reverse_output_order: true, apply_exponential_on_box_size: false, ..options() };
        // (x, y, w, h), linear sizes: w = 5/5 × 0.2.
        let b = decode(&[10.0, 0.0, 5.0, 5.0], &[0.0, 3.0], &[anchor()], &reversed).unwrap()[0].bbox;
        assert!((b.x + b.width / 2.0 - 0.7).abs() < 1e-5 && (b.width - 0.2).abs() < 1e-5, "{b:?}");
    }

    #[test]
    fn low_scores_and_wrong_shapes() {
        assert!(decode(&[0.0; 4], &[5.0, -1.0], &[anchor()], &options()).unwrap().is_empty());
        assert_eq!(
            decode(&[0.0; 3], &[0.0, 0.0], &[anchor()], &options()),
            Err(DecodeError::Boxes { got: 3, expected: 4 })
        );
        assert_eq!(
            decode(&[0.0; 4], &[0.0], &[anchor()], &options()),
            Err(DecodeError::Scores { got: 1, expected: 2 })
        );
        // A box regression that overflows is dropped, never reported as infinite.
        assert!(decode(&[0.0, 0.0, 1e4, 1e4], &[0.0, 3.0], &[anchor()], &options()).unwrap().is_empty());
    }

    fn det(x: f32, score: f32, class: u16) -> Detection {
        Detection { bbox: BoundingBox { x, y: 0.0, width: 0.2, height: 0.2 }, score, class }
    }

    #[test]
    fn suppression_merges_overlaps_of_one_class_only() {
        let found = vec![det(0.0, 0.6, 1), det(0.02, 0.9, 1), det(0.5, 0.8, 1), det(0.01, 0.7, 2)];
        let standard = suppress(found.clone(), Suppression::Standard { iou: 0.3 }, 10);
        assert_eq!(standard.iter().map(|d| (d.class, d.score)).collect::<Vec<_>>(), [(1, 0.9), (1, 0.8), (2, 0.7)]);
        let weighted = suppress(found.clone(), Suppression::Weighted { iou: 0.3 }, 10);
        assert_eq!(weighted[0].score, 0.9, "the best score is kept");
        let expected_x = (0.02 * 0.9 + 0.0 * 0.6) / 1.5;
        assert!((weighted[0].bbox.x - expected_x).abs() < 1e-6, "{:?}", weighted[0]);
        assert_eq!(suppress(found, Suppression::Standard { iou: 0.3 }, 1).len(), 1);
    }
}
