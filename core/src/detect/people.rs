//! People in a picture, from the face detector and the person detector: how many, and whether the
//! picture is a portrait, a group or a crowd. Presence only: no identity, no attribute.
//!
//! The two detectors see different things — faces turned to the camera, bodies from any side —
//! so the count is the larger of the two counts. Each score becomes a confidence with the
//! detector's threshold at 0.5 (the product's default tag threshold), linear on both sides.

use serde::{Deserialize, Serialize};

use super::Detection;

/// Thresholds of the people summary. The defaults: faces from MediaPipe's own threshold (0.6);
/// persons from 0.45, chosen on the calibration half of `tests/eval/people` as the lowest
/// threshold whose people precision stays ≥ 95% there (`SWEEP=1 … eval_people calibration`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PeopleOptions {
    /// A face counts from this score.
    pub face_min: f32,
    /// A person box counts from this score.
    pub person_min: f32,
    /// A single face at least this tall (a fraction of the picture's height) makes a portrait.
    pub portrait_face_height: f32,
    /// Up to this many people are a group; more are a crowd.
    pub group_max: usize,
}

impl Default for PeopleOptions {
    fn default() -> Self {
        PeopleOptions { face_min: 0.6, person_min: 0.45, portrait_face_height: 0.15, group_max: 6 }
    }
}

/// What the detectors found, and the confidences of the people concepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct People {
    /// Faces scoring at least [`PeopleOptions::face_min`].
    pub faces: usize,
    /// Person boxes scoring at least [`PeopleOptions::person_min`].
    pub persons: usize,
    /// People seen: the larger of the two counts.
    pub count: usize,
    /// Confidence that anybody is in the picture.
    pub people: f32,
    /// Confidence that one person's face is the subject.
    pub portrait: f32,
    /// Confidence that 2 to [`PeopleOptions::group_max`] people are.
    pub group: f32,
    /// Confidence of more people than a group.
    pub crowd: f32,
    /// The best face score and the best person score, as the detectors gave them (0 when none).
    pub best_face: f32,
    pub best_person: f32,
}

/// A detector score as a confidence: `threshold` maps to 0.5, 0 to 0 and 1 to 1, linearly between.
pub fn confidence(score: f32, threshold: f32) -> f32 {
    let score = score.clamp(0.0, 1.0);
    let threshold = threshold.clamp(1e-3, 1.0 - 1e-3);
    if score >= threshold {
        0.5 + 0.5 * (score - threshold) / (1.0 - threshold)
    } else {
        0.5 * score / threshold
    }
}

/// Sums up the detections: `faces` from the face detector, `persons` the person boxes of the
/// object detector (both in image coordinates, any order).
pub fn summarize(faces: &[Detection], persons: &[Detection], options: &PeopleOptions) -> People {
    let mut face_conf: Vec<f32> = faces.iter().map(|d| confidence(d.score, options.face_min)).collect();
    let mut person_conf: Vec<f32> = persons.iter().map(|d| confidence(d.score, options.person_min)).collect();
    face_conf.sort_by(|a, b| b.total_cmp(a));
    person_conf.sort_by(|a, b| b.total_cmp(a));
    let counted = |c: &[f32]| c.iter().filter(|&&c| c >= 0.5).count();
    let (face_count, person_count) = (counted(&face_conf), counted(&person_conf));
    // The confidence that at least `n` people are there: the n-th best of either detector.
    let at_least = |n: usize| -> f32 {
        let nth = |c: &[f32]| c.get(n.saturating_sub(1)).copied().unwrap_or(0.0);
        nth(&face_conf).max(nth(&person_conf))
    };
    let count = face_count.max(person_count);
    let people = at_least(1);
    let group_max = options.group_max.max(2);
    let crowd = at_least(group_max + 1);
    let group = if count > group_max { 0.0 } else { at_least(2) };
    // One face, large: the largest face's height against the picture's.
    let largest =
        faces.iter().filter(|d| d.score >= options.face_min).map(|d| d.bbox.clamped().height).fold(0.0f32, f32::max);
    let portrait =
        if face_count == 1 && count == 1 && largest >= options.portrait_face_height { face_conf[0] } else { 0.0 };
    let best = |d: &[Detection]| d.iter().map(|d| d.score).fold(0.0f32, f32::max);
    People {
        faces: face_count,
        persons: person_count,
        count,
        people,
        portrait,
        group,
        crowd,
        best_face: best(faces),
        best_person: best(persons),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::BoundingBox;

    fn d(score: f32, height: f32) -> Detection {
        Detection { bbox: BoundingBox { x: 0.1, y: 0.1, width: height, height }, score, class: 0 }
    }

    #[test]
    fn confidences_put_the_threshold_at_one_half() {
        assert_eq!(confidence(0.6, 0.6), 0.5);
        assert_eq!(confidence(1.0, 0.6), 1.0);
        assert_eq!(confidence(0.0, 0.6), 0.0);
        assert!((confidence(0.3, 0.6) - 0.25).abs() < 1e-6);
        assert!((confidence(0.8, 0.6) - 0.75).abs() < 1e-6);
    }

    #[test]
    fn nobody() {
        let p = summarize(&[], &[], &PeopleOptions::default());
        assert_eq!((p.faces, p.persons, p.count), (0, 0, 0));
        assert_eq!((p.people, p.portrait, p.group, p.crowd), (0.0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn one_large_face_is_a_portrait_one_small_face_is_not() {
        let p = summarize(&[d(0.9, 0.3)], &[d(0.7, 0.8)], &PeopleOptions::default());
        assert_eq!(p.count, 1);
        assert!(p.people >= 0.5 && p.portrait >= 0.5 && p.group < 0.5 && p.crowd == 0.0, "{p:?}");
        let p = summarize(&[d(0.9, 0.05)], &[], &PeopleOptions::default());
        assert_eq!(p.portrait, 0.0);
        assert!(p.people >= 0.5);
    }

    #[test]
    fn a_person_seen_from_behind_is_people_without_a_face() {
        let p = summarize(&[], &[d(0.6, 0.7)], &PeopleOptions::default());
        assert_eq!((p.faces, p.persons, p.count), (0, 1, 1));
        assert!(p.people > 0.5 && p.portrait == 0.0);
    }

    #[test]
    fn groups_and_crowds_by_the_larger_count() {
        let faces: Vec<Detection> = (0..4).map(|i| d(0.8 + i as f32 * 0.01, 0.1)).collect();
        let p = summarize(&faces, &[d(0.6, 0.5)], &PeopleOptions::default());
        assert_eq!((p.faces, p.count), (4, 4));
        assert!(p.group >= 0.5 && p.crowd < 0.5 && p.portrait == 0.0, "{p:?}");
        let persons: Vec<Detection> = (0..9).map(|_| d(0.7, 0.2)).collect();
        let p = summarize(&faces, &persons, &PeopleOptions::default());
        assert_eq!(p.count, 9);
        assert!(p.crowd >= 0.5 && p.group == 0.0, "{p:?}");
    }

    #[test]
    fn weak_detections_give_weak_confidences_and_count_nobody() {
        let p = summarize(&[d(0.4, 0.3)], &[d(0.35, 0.5)], &PeopleOptions::default());
        assert_eq!(p.count, 0);
        assert!(p.people > 0.0 && p.people < 0.5 && p.portrait == 0.0, "{p:?}");
    }
}
