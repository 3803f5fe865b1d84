//! A tag of an asset under review, and how a service answer becomes the asset's tags.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::tags::{AssetTags, SmartTag, TagSource, COLOR_NAMESPACE, GENERIC_NAMESPACE};

/// What a person decided about a tag of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagState {
    /// The model suggests it; nobody decided.
    Suggested,
    /// A suggestion a person confirmed (a promoted manual tag on the server).
    Accepted,
    /// Removed by a person: never shown again.
    Rejected,
    /// Added by a person (not a suggestion of this asset's model).
    Manual,
}

impl TagState {
    /// Accepted or manual: a person wants the tag.
    pub fn is_kept(self) -> bool {
        matches!(self, TagState::Accepted | TagState::Manual)
    }
}

/// One tag of one asset: the tag as the service gave it (for an accepted tag, the suggestion it
/// was: the model's confidence, source and threshold), and the person's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewTag {
    pub tag: SmartTag,
    pub state: TagState,
    /// The session saw the tag as a suggestion of this asset.
    pub predicted: bool,
}

impl ReviewTag {
    /// A tag a person adds by hand.
    pub fn manual(id: &str, title: &str, path: Vec<String>) -> ReviewTag {
        let tag = SmartTag {
            id: id.to_owned(),
            title: title.to_owned(),
            path: if path.is_empty() { vec![title.to_owned()] } else { path },
            confidence: 1.0,
            source: TagSource::Manual,
            model_version: "manual".to_owned(),
            hex: None,
            threshold: None,
        };
        ReviewTag { tag, state: TagState::Manual, predicted: false }
    }

    /// A removed id the session never saw: its id as title, a source from its namespace.
    fn unknown_removed(id: &str) -> ReviewTag {
        let source = match id.split_once(':').map(|(ns, _)| ns) {
            Some(GENERIC_NAMESPACE) => TagSource::Generic,
            Some(COLOR_NAMESPACE) => TagSource::Color,
            _ => TagSource::Taxonomy,
        };
        let mut tag = ReviewTag::manual(id, id, Vec::new());
        tag.tag.confidence = 0.0;
        tag.tag.source = source;
        tag.tag.model_version = String::new();
        tag.state = TagState::Rejected;
        tag
    }

    pub fn id(&self) -> &str {
        &self.tag.id
    }

    pub fn is_color(&self) -> bool {
        self.tag.source == TagSource::Color
    }

    pub fn with_state(&self, state: TagState) -> ReviewTag {
        ReviewTag { state, ..self.clone() }
    }
}

/// Display order: predicted non-colour tags by confidence (highest first, then id), predicted
/// colours by coverage, then the rest by title (case-insensitive, then id). Deciding never
/// changes a tag's place.
pub fn display_order(a: &ReviewTag, b: &ReviewTag) -> Ordering {
    let group = |t: &ReviewTag| match (t.predicted, t.is_color()) {
        (true, false) => 0,
        (true, true) => 1,
        (false, _) => 2,
    };
    group(a).cmp(&group(b)).then_with(|| {
        if group(a) == 2 {
            a.tag.title.to_lowercase().cmp(&b.tag.title.to_lowercase()).then_with(|| a.tag.id.cmp(&b.tag.id))
        } else {
            b.tag.confidence.total_cmp(&a.tag.confidence).then_with(|| a.tag.id.cmp(&b.tag.id))
        }
    })
}

/// The asset's tags after a service answer, given what the session knew before: `smart` are
/// suggested, `removed` rejected, a `manual` tag is accepted when it was seen as a suggestion
/// (keeping the model's confidence and source), else manual. The answer wins over local state.
pub fn from_answer(answer: &AssetTags, previous: &[ReviewTag]) -> Vec<ReviewTag> {
    let before: BTreeMap<&str, &ReviewTag> = previous.iter().map(|t| (t.id(), t)).collect();
    let mut tags: BTreeMap<String, ReviewTag> = BTreeMap::new();
    for smart in &answer.smart {
        tags.entry(smart.id.clone()).or_insert_with(|| ReviewTag {
            tag: smart.clone(),
            state: TagState::Suggested,
            predicted: true,
        });
    }
    for manual in &answer.manual {
        let tag = match before.get(manual.id.as_str()) {
            Some(seen) if seen.predicted => {
                let mut accepted = seen.with_state(TagState::Accepted);
                accepted.tag.title = manual.title.clone();
                if !manual.path.is_empty() {
                    accepted.tag.path = manual.path.clone();
                }
                accepted
            }
            _ => ReviewTag { tag: manual.clone(), state: TagState::Manual, predicted: false },
        };
        tags.entry(manual.id.clone()).or_insert(tag);
    }
    for id in &answer.removed {
        let tag = match before.get(id.as_str()) {
            Some(seen) => seen.with_state(TagState::Rejected),
            None => ReviewTag::unknown_removed(id),
        };
        tags.entry(id.clone()).or_insert(tag);
    }
    let mut list: Vec<ReviewTag> = tags.into_values().collect();
    list.sort_by(display_order);
    list
}
