//! The uncertainty score, the queue order and keyboard navigation.
//!
//! A suggestion's **effective threshold** is `max(own threshold or min_confidence, view
//! threshold)` (colours: their own threshold or 0; the view threshold does not apply to them).
//! An asset's **uncertainty** is the minimum, over its suggested non-colour tags, of
//! `|confidence − effective threshold|`: the closer a suggestion is to its threshold, the more a
//! person's look is worth. An asset with nothing left to decide has none and goes last; ties go by
//! name, then key.

use std::cmp::Ordering;

use super::tag::{ReviewTag, TagState};

/// The threshold a tag is judged against.
pub fn effective_threshold(tag: &ReviewTag, min_confidence: f32, view_threshold: f32) -> f32 {
    if tag.is_color() {
        tag.tag.threshold.unwrap_or(0.0)
    } else {
        tag.tag.threshold.unwrap_or(min_confidence).max(view_threshold)
    }
}

/// The asset's uncertainty (lower: look first); none when nothing is left to decide.
pub fn uncertainty(tags: &[ReviewTag], min_confidence: f32, view_threshold: f32) -> Option<f32> {
    tags.iter()
        .filter(|t| t.state == TagState::Suggested && !t.is_color())
        .map(|t| (t.tag.confidence - effective_threshold(t, min_confidence, view_threshold)).abs())
        .min_by(f32::total_cmp)
}

/// Queue order of two assets given their scores and names.
pub fn queue_order(a: (Option<f32>, &str, &str), b: (Option<f32>, &str, &str)) -> Ordering {
    let by_score = match (a.0, b.0) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_score.then_with(|| a.1.cmp(b.1)).then_with(|| a.2.cmp(b.2))
}

/// The item after `current` (none: the first); none at the end.
pub fn next<'a>(items: &'a [String], current: Option<&str>) -> Option<&'a String> {
    match current.and_then(|c| items.iter().position(|i| i == c)) {
        Some(at) => items.get(at + 1),
        None => items.first(),
    }
}

/// The item before `current` (none: the last); none at the start.
pub fn previous<'a>(items: &'a [String], current: Option<&str>) -> Option<&'a String> {
    match current.and_then(|c| items.iter().position(|i| i == c)) {
        Some(at) => at.checked_sub(1).and_then(|p| items.get(p)),
        None => items.last(),
    }
}
