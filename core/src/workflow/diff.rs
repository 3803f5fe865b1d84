//! The tags a re-tag adds and removes, by tag id. Callers diff the *answered* smart tags (after
//! thresholds and moderation), so a manual tag is never in `removed` and a removed one never in
//! `added`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::tags::SmartTag;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TagDiff {
    /// In `after` only, in `after`'s order.
    pub added: Vec<SmartTag>,
    /// In `before` only, in `before`'s order.
    pub removed: Vec<SmartTag>,
    /// In both (the confidence may have moved).
    pub unchanged: usize,
}

impl TagDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

pub fn diff(before: &[SmartTag], after: &[SmartTag]) -> TagDiff {
    let before_ids: BTreeSet<&str> = before.iter().map(|t| t.id.as_str()).collect();
    let after_ids: BTreeSet<&str> = after.iter().map(|t| t.id.as_str()).collect();
    TagDiff {
        added: after.iter().filter(|t| !before_ids.contains(t.id.as_str())).cloned().collect(),
        removed: before.iter().filter(|t| !after_ids.contains(t.id.as_str())).cloned().collect(),
        unchanged: before.iter().filter(|t| after_ids.contains(t.id.as_str())).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::TagSource;

    fn tag(id: &str, confidence: f32) -> SmartTag {
        SmartTag {
            id: id.to_owned(),
            title: id.to_owned(),
            path: vec![id.to_owned()],
            confidence,
            source: TagSource::Taxonomy,
            model_version: "m".to_owned(),
            hex: None,
            threshold: None,
        }
    }

    #[test]
    fn added_removed_unchanged() {
        let before = [tag("a:x", 0.9), tag("a:y", 0.5)];
        let after = [tag("a:x", 0.8), tag("a:z", 0.7)];
        let d = diff(&before, &after);
        assert_eq!(d.added.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["a:z"]);
        assert_eq!(d.removed.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["a:y"]);
        assert_eq!(d.unchanged, 1);
        assert!(!d.is_empty());
        assert!(diff(&before, &before).is_empty());
    }
}
