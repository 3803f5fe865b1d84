//! Smart tags as a DAM sees them, the thresholds that filter them, and moderation.
//!
//! A prediction gives *candidate* tags (generic WordNet concepts, taxonomy tags, colours) with
//! confidences. [`apply`] turns candidates into what an asset shows:
//! 1. removed tags (moderation) never come back, whatever the model says;
//! 2. manual tags (added or promoted by a person) are always kept, apart from smart tags, with
//!    confidence 1.0;
//! 3. a smart tag is shown when its confidence reaches its threshold: the per-tag override if one
//!    is set, else the tag's own calibrated threshold (trained tags; taxonomy tags, whose
//!    threshold follows from a precision target: `calibration::TAXONOMY_THRESHOLD`), else the
//!    global minimum confidence (generic tags). Colour tags carry their coverage as confidence
//!    and were already filtered by the colour options, so the global minimum does not apply to
//!    them (a per-tag override still does);
//! 4. at most `max_tags` non-colour smart tags are shown, the most confident first (on a tie,
//!    the more specific tag — the longer path — first, then by id);
//! 5. the best candidates the thresholds hid are kept apart as *more suggestions*
//!    ([`AssetTags::more`], read-only: asking for them changes no setting).
//!
//! [`fold_generic`] then drops a generic tag that repeats a shown taxonomy tag ("animal" beside
//! "Animals", which is linked to it).
//!
//! Because candidates are stored and [`apply`] is cheap, changing thresholds or moderating never
//! needs the model again.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Where a tag came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagSource {
    /// A WordNet concept above the image model's classes.
    Generic,
    /// A tag of the customer's taxonomy, scored through its concept links.
    Taxonomy,
    /// A dominant colour.
    Color,
    /// Added or promoted by a person.
    Manual,
    /// A custom model trained on the customer's examples.
    Trained,
}

impl TagSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TagSource::Generic => "generic",
            TagSource::Taxonomy => "taxonomy",
            TagSource::Color => "color",
            TagSource::Manual => "manual",
            TagSource::Trained => "trained",
        }
    }
}

/// Namespace of generic tag ids: `wordnet:n02121808`.
pub const GENERIC_NAMESPACE: &str = "wordnet";
/// Namespace of colour tag ids: `color:dark-blue`.
pub const COLOR_NAMESPACE: &str = "color";

/// One tag on one asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmartTag {
    /// `namespace:path` for taxonomy tags, `wordnet:<wnid>` for generic ones, `color:<name>`.
    pub id: String,
    pub title: String,
    /// Titles from the root down to this tag (this tag last).
    pub path: Vec<String>,
    /// In [0, 1]; 1.0 for manual tags; the coverage for colour tags.
    pub confidence: f32,
    pub source: TagSource,
    /// The model (or `manual`) that produced the tag.
    pub model_version: String,
    /// `#rrggbb` of a colour tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// The tag's own threshold: the calibrated one of a trained tag, or of a taxonomy tag
    /// (`calibration::TAXONOMY_THRESHOLD`). A per-tag override in [`Thresholds`] still wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
}

/// Filters applied to smart tags. A missing field takes its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Global minimum confidence in [0, 1].
    pub min_confidence: f32,
    /// Most smart tags (colours aside) shown per asset, 1..=[`MAX_TAGS_LIMIT`].
    pub max_tags: u32,
    /// Per-tag minimum confidence, by tag id (any source).
    pub per_tag: BTreeMap<String, f32>,
}

pub const MAX_TAGS_LIMIT: u32 = 200;

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds { min_confidence: 0.5, max_tags: 20, per_tag: BTreeMap::new() }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    #[error("min_confidence must be between 0 and 1, got {0}")]
    MinConfidence(f32),
    #[error("max_tags must be between 1 and {MAX_TAGS_LIMIT}, got {0}")]
    MaxTags(u32),
    #[error("the threshold of {tag} must be between 0 and 1, got {value}")]
    PerTag { tag: String, value: f32 },
}

fn in_unit(v: f32) -> bool {
    (0.0..=1.0).contains(&v)
}

impl Thresholds {
    pub fn validate(&self) -> Result<(), ThresholdError> {
        if !in_unit(self.min_confidence) {
            return Err(ThresholdError::MinConfidence(self.min_confidence));
        }
        if !(1..=MAX_TAGS_LIMIT).contains(&self.max_tags) {
            return Err(ThresholdError::MaxTags(self.max_tags));
        }
        if let Some((tag, &value)) = self.per_tag.iter().find(|(_, v)| !in_unit(**v)) {
            return Err(ThresholdError::PerTag { tag: tag.clone(), value });
        }
        Ok(())
    }

    /// The confidence a tag needs to be shown: the per-tag override, else the tag's own
    /// (calibrated) threshold, else 0 for colours and the global minimum for the rest.
    pub fn threshold_for(&self, tag: &SmartTag) -> f32 {
        match (self.per_tag.get(&tag.id), tag.threshold) {
            (Some(&t), _) => t,
            (None, Some(own)) => own,
            (None, None) if tag.source == TagSource::Color => 0.0,
            (None, None) => self.min_confidence,
        }
    }
}

/// What a person decided about one tag of one asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// Never show this tag on this asset again.
    Removed,
    /// Always show this tag, as a manual tag.
    Manual { title: String, path: Vec<String> },
}

/// The tags an asset shows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssetTags {
    /// Smart tags above their thresholds, most confident first.
    pub smart: Vec<SmartTag>,
    /// Manual tags, by id.
    pub manual: Vec<SmartTag>,
    /// Ids of tags a person removed.
    pub removed: Vec<String>,
    /// Candidates hidden by a threshold or by `max_tags` (for "what would the slider hide").
    pub hidden: usize,
    /// The best of the hidden non-colour candidates, most confident first (at most
    /// [`MAX_MORE_SUGGESTIONS`]); the API sends as many as a caller asks for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<SmartTag>,
}

/// Most "more suggestions" kept per answer.
pub const MAX_MORE_SUGGESTIONS: usize = 20;

/// Ranking of shown tags: most confident first; on a tie the more specific (longer path), then by id.
fn by_rank(a: &SmartTag, b: &SmartTag) -> std::cmp::Ordering {
    b.confidence.total_cmp(&a.confidence).then_with(|| b.path.len().cmp(&a.path.len())).then_with(|| a.id.cmp(&b.id))
}

/// Drops the generic tags (`wordnet:<wnid>`) that repeat a shown taxonomy tag: `links` gives, for
/// a taxonomy tag id, the WordNet ids it is linked to. Shown and manual taxonomy tags count;
/// a folded generic tag leaves the suggestions too.
pub fn fold_generic(tags: &mut AssetTags, links: impl Fn(&str) -> Vec<String>) {
    let covered: BTreeSet<String> = tags
        .smart
        .iter()
        .chain(&tags.manual)
        .filter(|t| matches!(t.source, TagSource::Taxonomy | TagSource::Trained | TagSource::Manual))
        .flat_map(|t| links(&t.id))
        .map(|wnid| format!("{GENERIC_NAMESPACE}:{wnid}"))
        .collect();
    if covered.is_empty() {
        return;
    }
    tags.smart.retain(|t| t.source != TagSource::Generic || !covered.contains(&t.id));
    tags.more.retain(|t| t.source != TagSource::Generic || !covered.contains(&t.id));
}

/// Applies moderation and thresholds to candidate tags (see the module documentation).
pub fn apply(candidates: &[SmartTag], thresholds: &Thresholds, decisions: &BTreeMap<String, Decision>) -> AssetTags {
    let removed: BTreeSet<&str> =
        decisions.iter().filter(|(_, d)| matches!(d, Decision::Removed)).map(|(id, _)| id.as_str()).collect();
    let manual: Vec<SmartTag> = decisions
        .iter()
        .filter_map(|(id, d)| match d {
            Decision::Manual { title, path } => Some(SmartTag {
                id: id.clone(),
                title: title.clone(),
                path: path.clone(),
                confidence: 1.0,
                source: TagSource::Manual,
                model_version: "manual".to_owned(),
                hex: None,
                threshold: None,
            }),
            Decision::Removed => None,
        })
        .collect();
    let manual_ids: BTreeSet<&str> = manual.iter().map(|t| t.id.as_str()).collect();

    let mut shown: Vec<SmartTag> = Vec::new();
    let mut colors: Vec<SmartTag> = Vec::new();
    let mut more: Vec<SmartTag> = Vec::new();
    let mut hidden = 0;
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for tag in candidates {
        if removed.contains(tag.id.as_str()) || manual_ids.contains(tag.id.as_str()) || !seen.insert(tag.id.as_str()) {
            continue;
        }
        if tag.confidence.is_nan() || tag.confidence < thresholds.threshold_for(tag) {
            hidden += 1;
            if tag.source != TagSource::Color && !tag.confidence.is_nan() {
                more.push(tag.clone());
            }
            continue;
        }
        if tag.source == TagSource::Color {
            colors.push(tag.clone());
        } else {
            shown.push(tag.clone());
        }
    }
    shown.sort_by(by_rank);
    let limit = thresholds.max_tags as usize;
    if shown.len() > limit {
        hidden += shown.len() - limit;
        more.extend(shown.drain(limit..));
    }
    more.sort_by(by_rank);
    more.truncate(MAX_MORE_SUGGESTIONS);
    colors.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then_with(|| a.id.cmp(&b.id)));
    shown.extend(colors);
    AssetTags { smart: shown, manual, removed: removed.into_iter().map(str::to_owned).collect(), hidden, more }
}

/// What a change of thresholds does to one asset's shown smart tags (colours aside), as an answer
/// shows them (`apply`, then `fold_generic` with `links`): the ids shown under `after` and not
/// under `before` (gained), and the reverse (lost), each sorted.
pub fn threshold_change(
    candidates: &[SmartTag],
    before: &Thresholds,
    after: &Thresholds,
    decisions: &BTreeMap<String, Decision>,
    links: impl Fn(&str) -> Vec<String>,
) -> (Vec<String>, Vec<String>) {
    let (was, will) =
        (shown_ids(candidates, before, decisions, &links), shown_ids(candidates, after, decisions, &links));
    (will.difference(&was).cloned().collect(), was.difference(&will).cloned().collect())
}

/// The ids of the smart tags (colours aside) an answer shows from these candidates: `apply`, then
/// `fold_generic` with `links`.
pub fn shown_ids(
    candidates: &[SmartTag],
    thresholds: &Thresholds,
    decisions: &BTreeMap<String, Decision>,
    links: impl Fn(&str) -> Vec<String>,
) -> BTreeSet<String> {
    let mut tags = apply(candidates, thresholds, decisions);
    fold_generic(&mut tags, links);
    tags.smart.into_iter().filter(|t| t.source != TagSource::Color).map(|t| t.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_links(_: &str) -> Vec<String> {
        Vec::new()
    }

    #[test]
    fn a_threshold_change_gains_and_loses_tags_but_never_a_decided_one() {
        let candidates = vec![
            tag("demo:cats", 0.62, TagSource::Taxonomy),
            tag("demo:pets", 0.45, TagSource::Taxonomy),
            tag("demo:dogs", 0.3, TagSource::Taxonomy),
            tag("color:red", 0.2, TagSource::Color),
        ];
        let before = Thresholds::default();
        let after = Thresholds {
            min_confidence: 0.4,
            per_tag: BTreeMap::from([("demo:cats".to_owned(), 0.7), ("color:red".to_owned(), 0.9)]),
            ..Thresholds::default()
        };
        let none = BTreeMap::new();
        assert_eq!(
            threshold_change(&candidates, &before, &after, &none, no_links),
            (vec!["demo:pets".to_owned()], vec!["demo:cats".to_owned()])
        );
        // A removed tag stays removed, whatever the threshold.
        let removed = BTreeMap::from([("demo:pets".to_owned(), Decision::Removed)]);
        assert_eq!(
            threshold_change(&candidates, &before, &after, &removed, no_links),
            (vec![], vec!["demo:cats".to_owned()])
        );
        // Fewer tags allowed per asset: the least confident shown go.
        let fewer = Thresholds { min_confidence: 0.25, max_tags: 2, ..Thresholds::default() };
        assert_eq!(
            threshold_change(&candidates, &before, &fewer, &none, no_links),
            (vec!["demo:pets".to_owned()], vec![])
        );
    }

    fn tag(id: &str, confidence: f32, source: TagSource) -> SmartTag {
        SmartTag {
            id: id.into(),
            title: id.into(),
            path: vec![id.into()],
            confidence,
            source,
            model_version: "m@1".into(),
            hex: None,
            threshold: None,
        }
    }

    #[test]
    fn thresholds_and_max_tags_filter_smart_tags() {
        let candidates = vec![
            tag("wordnet:cat", 0.9, TagSource::Generic),
            tag("demo:animals", 0.95, TagSource::Taxonomy),
            tag("wordnet:dog", 0.3, TagSource::Generic),
            tag("demo:pets", 0.6, TagSource::Taxonomy),
            tag("color:gray", 0.2, TagSource::Color),
        ];
        let mut thresholds = Thresholds { max_tags: 2, ..Thresholds::default() };
        let out = apply(&candidates, &thresholds, &BTreeMap::new());
        let ids: Vec<&str> = out.smart.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["demo:animals", "wordnet:cat", "color:gray"]);
        assert_eq!(out.hidden, 2);

        thresholds.per_tag.insert("demo:animals".into(), 0.99);
        thresholds.per_tag.insert("wordnet:dog".into(), 0.25);
        thresholds.max_tags = 10;
        let out = apply(&candidates, &thresholds, &BTreeMap::new());
        let ids: Vec<&str> = out.smart.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["wordnet:cat", "demo:pets", "wordnet:dog", "color:gray"]);
    }

    #[test]
    fn a_trained_tag_uses_its_calibrated_threshold_unless_overridden() {
        let trained = |confidence, threshold| SmartTag {
            threshold: Some(threshold),
            ..tag("demo:summer", confidence, TagSource::Trained)
        };
        let mut thresholds = Thresholds::default();
        // Below the global 0.5 but above its own 0.3: shown; above 0.5 but below its own 0.8: hidden.
        assert_eq!(apply(&[trained(0.4, 0.3)], &thresholds, &BTreeMap::new()).smart.len(), 1);
        assert_eq!(apply(&[trained(0.7, 0.8)], &thresholds, &BTreeMap::new()).hidden, 1);
        thresholds.per_tag.insert("demo:summer".into(), 0.6);
        assert_eq!(apply(&[trained(0.7, 0.8)], &thresholds, &BTreeMap::new()).smart.len(), 1);
    }

    #[test]
    fn moderation_survives_new_candidates() {
        let decisions = BTreeMap::from([
            ("wordnet:cat".to_owned(), Decision::Removed),
            (
                "demo:pets".to_owned(),
                Decision::Manual { title: "Pets".into(), path: vec!["Animals".into(), "Pets".into()] },
            ),
        ]);
        // The new prediction brings the removed tag back with a high score and lacks the manual one.
        let candidates =
            vec![tag("wordnet:cat", 0.99, TagSource::Generic), tag("wordnet:animal", 0.99, TagSource::Generic)];
        let out = apply(&candidates, &Thresholds::default(), &decisions);
        assert_eq!(out.smart.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["wordnet:animal"]);
        assert_eq!(out.manual.len(), 1);
        assert_eq!(out.manual[0].confidence, 1.0);
        assert_eq!(out.manual[0].source, TagSource::Manual);
        assert_eq!(out.removed, ["wordnet:cat"]);
    }

    #[test]
    fn a_promoted_tag_is_not_shown_twice_and_nan_is_hidden() {
        let decisions =
            BTreeMap::from([("demo:pets".to_owned(), Decision::Manual { title: "Pets".into(), path: vec![] })]);
        let candidates =
            vec![tag("demo:pets", 0.7, TagSource::Taxonomy), tag("wordnet:x", f32::NAN, TagSource::Generic)];
        let out = apply(&candidates, &Thresholds::default(), &decisions);
        assert!(out.smart.is_empty());
        assert_eq!(out.hidden, 1);
        assert_eq!(out.manual.len(), 1);
    }

    #[test]
    fn thresholds_are_validated() {
        assert!(Thresholds::default().validate().is_ok());
        assert!(Thresholds { min_confidence: 1.5, ..Thresholds::default() }.validate().is_err());
        assert!(Thresholds { max_tags: 0, ..Thresholds::default() }.validate().is_err());
        let mut t = Thresholds::default();
        t.per_tag.insert("a:".into(), -0.1);
        assert!(t.validate().is_err());
    }
}
