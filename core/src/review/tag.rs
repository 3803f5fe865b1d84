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

/// One tag of one asset.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewTag {
    pub id: String,
    pub title: String,
    pub path: Vec<String>,
    /// The model's confidence (kept after accepting); 1 for manual tags.
    pub confidence: f32,
    pub source: TagSource,
    pub model_version: String,
    pub hex: Option<String>,
    /// The tag's own (calibrated) threshold, when it has one.
    pub own_threshold: Option<f32>,
    pub state: TagState,
    /// The session saw the tag as a suggestion of this asset.
    pub predicted: bool,
}

impl ReviewTag {
    fn from_smart(tag: &SmartTag, state: TagState, predicted: bool) -> ReviewTag {
        ReviewTag {
            id: tag.id.clone(),
            title: tag.title.clone(),
            path: tag.path.clone(),
            confidence: tag.confidence,
            source: tag.source,
            model_version: tag.model_version.clone(),
            hex: tag.hex.clone(),
            own_threshold: tag.threshold,
            state,
            predicted,
        }
    }

    /// A tag a person adds by hand.
    pub fn manual(id: &str, title: &str, path: Vec<String>) -> ReviewTag {
        ReviewTag {
            id: id.to_owned(),
            title: title.to_owned(),
            path: if path.is_empty() { vec![title.to_owned()] } else { path },
            confidence: 1.0,
            source: TagSource::Manual,
            model_version: "manual".to_owned(),
            hex: None,
            own_threshold: None,
            state: TagState::Manual,
            predicted: false,
        }
    }

    /// A removed id the session never saw: its id as title, a source from its namespace.
    fn unknown_removed(id: &str) -> ReviewTag {
        let source = match id.split_once(':').map(|(ns, _)| ns) {
            Some(GENERIC_NAMESPACE) => TagSource::Generic,
            Some(COLOR_NAMESPACE) => TagSource::Color,
            _ => TagSource::Taxonomy,
        };
        ReviewTag {
            id: id.to_owned(),
            title: id.to_owned(),
            path: vec![id.to_owned()],
            confidence: 0.0,
            source,
            model_version: String::new(),
            hex: None,
            own_threshold: None,
            state: TagState::Rejected,
            predicted: false,
        }
    }

    pub fn is_color(&self) -> bool {
        self.source == TagSource::Color
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
            a.title.to_lowercase().cmp(&b.title.to_lowercase()).then_with(|| a.id.cmp(&b.id))
        } else {
            b.confidence.total_cmp(&a.confidence).then_with(|| a.id.cmp(&b.id))
        }
    })
}

/// The asset's tags after a service answer, given what the session knew before: `smart` are
/// suggested, `removed` rejected, a `manual` tag is accepted when it was seen as a suggestion
/// (keeping the model's confidence and source), else manual. The answer wins over local state.
pub fn from_answer(answer: &AssetTags, previous: &[ReviewTag]) -> Vec<ReviewTag> {
    let before: BTreeMap<&str, &ReviewTag> = previous.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut tags: BTreeMap<String, ReviewTag> = BTreeMap::new();
    for smart in &answer.smart {
        tags.entry(smart.id.clone()).or_insert_with(|| ReviewTag::from_smart(smart, TagState::Suggested, true));
    }
    for manual in &answer.manual {
        let tag = match before.get(manual.id.as_str()) {
            Some(seen) if seen.predicted => ReviewTag {
                title: manual.title.clone(),
                path: if manual.path.is_empty() { seen.path.clone() } else { manual.path.clone() },
                state: TagState::Accepted,
                ..(*seen).clone()
            },
            _ => ReviewTag::from_smart(manual, TagState::Manual, false),
        };
        tags.entry(manual.id.clone()).or_insert(tag);
    }
    for id in &answer.removed {
        let tag = match before.get(id.as_str()) {
            Some(seen) => ReviewTag { state: TagState::Rejected, ..(*seen).clone() },
            None => ReviewTag::unknown_removed(id),
        };
        tags.entry(id.clone()).or_insert(tag);
    }
    let mut list: Vec<ReviewTag> = tags.into_values().collect();
    list.sort_by(display_order);
    list
}
