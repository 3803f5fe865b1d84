//! Whether a newly trained version may become the active one without an administrator's say.
//!
//! A tag model trained on a handful of pictures per tag measures itself on those few: one trained
//! on 3 to 8 pictures per tag, active by default, tagged a tent "Animals 87%". So a version
//! becomes active on its own only when every tag rests on at least [`MIN_PICTURES_TO_ACTIVATE`]
//! distinct pictures (near copies and crops count once, `TagMetrics::groups`). Below that the
//! version is still trained and saved with its metrics, and an administrator who accepts it
//! activates it by hand; the training job says why it was held back ([`HeldBack`]).

use std::fmt;

use serde::Serialize;

use super::evaluate::MIN_PICTURES_FOR_TARGET;
use super::model::TrainedModel;
use crate::taxonomy::TagId;

/// Fewest distinct pictures of every tag for a new version to become active on its own: the
/// same evidence a tag needs for its precision target to count as reached.
pub const MIN_PICTURES_TO_ACTIVATE: usize = MIN_PICTURES_FOR_TARGET;

/// A tag with too few distinct pictures, and how many it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThinTag {
    pub id: TagId,
    pub pictures: usize,
}

/// Why a trained version was not activated although the caller asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldBack {
    /// The tags under [`MIN_PICTURES_TO_ACTIVATE`], fewest pictures first.
    pub tags: Vec<ThinTag>,
}

impl fmt::Display for HeldBack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.tags.len();
        let listed: Vec<String> = self.tags.iter().map(|t| format!("{} ({})", t.id, t.pictures)).collect();
        write!(
            f,
            "not activated: {count} {} {} on fewer than {MIN_PICTURES_TO_ACTIVATE} distinct pictures: {}; add photos and train again, or activate this version by hand",
            if count == 1 { "tag" } else { "tags" },
            if count == 1 { "rests" } else { "rest" },
            listed.join(", "),
        )
    }
}

/// `Some` when `model` must wait for an administrator before it becomes active.
pub fn held_back(model: &TrainedModel) -> Option<HeldBack> {
    let mut tags: Vec<ThinTag> = model
        .tags
        .iter()
        .filter(|tag| tag.metrics.groups < MIN_PICTURES_TO_ACTIVATE)
        .map(|tag| ThinTag { id: tag.id.clone(), pictures: tag.metrics.groups })
        .collect();
    tags.sort_by(|a, b| a.pictures.cmp(&b.pictures).then_with(|| a.id.cmp(&b.id)));
    (!tags.is_empty()).then_some(HeldBack { tags })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::{synthetic, train, TrainingOptions};

    /// A trained model whose tags each rest on `pictures` distinct pictures.
    fn trained(pictures: usize) -> TrainedModel {
        let set = synthetic::clustered(3, 12, 1.0, 7);
        let options = TrainingOptions { min_examples_per_tag: 3, ..TrainingOptions::default() };
        let mut model = train(&set.spec, &[], &|_| true, &set.examples, &options, &|_| true).unwrap();
        for tag in &mut model.tags {
            tag.metrics.groups = pictures;
        }
        model
    }

    #[test]
    fn a_model_with_enough_pictures_of_every_tag_is_activated() {
        assert_eq!(held_back(&trained(MIN_PICTURES_TO_ACTIVATE)), None);
    }

    #[test]
    fn a_tag_under_ten_pictures_holds_the_version_back_and_says_which() {
        let mut model = trained(12);
        model.tags[1].metrics.groups = 4;
        model.tags[2].metrics.groups = 9;
        let held = held_back(&model).expect("held back");
        assert_eq!(held.tags.iter().map(|t| t.pictures).collect::<Vec<_>>(), vec![4, 9]);
        let text = held.to_string();
        assert!(text.starts_with("not activated: 2 tags rest on fewer than 10 distinct pictures: "), "{text}");
        assert!(text.contains(&format!("{} (4)", model.tags[1].id)), "{text}");
        model.tags[2].metrics.groups = 10;
        assert!(held_back(&model).unwrap().to_string().starts_with("not activated: 1 tag rests on"));
    }
}
