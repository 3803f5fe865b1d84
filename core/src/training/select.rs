//! Which examples a model trains on, shared by the linter and the trainer so both see the same set.
//!
//! Examples are keyed by asset hash: entries of one asset are merged (their tags united; the first
//! entry's embedding counts), and everything is ordered by hash, so the input order never matters.
//! An asset carrying exactly one tag of the model is *usable* for that tag; one carrying two or more
//! is *conflicting* and left out. A tag with more usable examples than `max_examples_per_tag` keeps
//! a sample of that many, drawn from the seed and the tag id.
//!
//! For **independent** tags ([`ModelKind::Independent`]) an asset is used for every tag of the
//! model it carries (nothing conflicts), an asset carrying none of them is a negative for all
//! (`background`), and nothing is sampled away: dropping an asset from one tag's list would turn it
//! into a wrong negative of that tag.

use std::collections::{BTreeMap, BTreeSet};

use super::rng::{stable_hash, SplitMix64};
use super::{Example, ModelKind, ModelSpec, TrainingOptions};
use crate::taxonomy::TagId;

pub(crate) struct Selection<'a> {
    /// The model's tags, without repeats, in the spec's order.
    pub(crate) tags: Vec<TagId>,
    /// Per tag: the examples used (after the cap), by asset hash.
    pub(crate) used: Vec<Vec<&'a Example>>,
    /// Per tag: the usable examples before the cap.
    pub(crate) available: Vec<usize>,
    /// Assets that carry two or more of the model's tags, with those tags' positions.
    pub(crate) conflicting: Vec<(&'a Example, Vec<usize>)>,
    /// Independent tags only: assets carrying none of the model's tags (negatives of every tag).
    pub(crate) background: Vec<&'a Example>,
}

pub(crate) fn distinct_tags(spec: &ModelSpec) -> Vec<TagId> {
    let mut seen = BTreeSet::new();
    spec.tags.iter().filter(|tag| seen.insert(*tag)).cloned().collect()
}

pub(crate) fn select<'a>(spec: &ModelSpec, examples: &'a [Example], options: &TrainingOptions) -> Selection<'a> {
    let tags = distinct_tags(spec);
    let position: BTreeMap<&TagId, usize> = tags.iter().enumerate().map(|(i, tag)| (tag, i)).collect();
    let mut assets: BTreeMap<&str, (&Example, BTreeSet<usize>)> = BTreeMap::new();
    for example in examples {
        let entry = assets.entry(example.asset.as_str()).or_insert_with(|| (example, BTreeSet::new()));
        entry.1.extend(example.tags.iter().filter_map(|tag| position.get(tag).copied()));
    }
    let mut used: Vec<Vec<&Example>> = vec![Vec::new(); tags.len()];
    let mut conflicting = Vec::new();
    if spec.kind == ModelKind::Independent {
        let mut background = Vec::new();
        for (example, carried) in assets.into_values() {
            if carried.is_empty() {
                background.push(example);
            }
            for tag in carried {
                used[tag].push(example);
            }
        }
        let available = used.iter().map(Vec::len).collect();
        return Selection { tags, used, available, conflicting, background };
    }
    for (example, carried) in assets.into_values() {
        if carried.len() > 1 {
            conflicting.push((example, carried.into_iter().collect()));
        } else if let Some(&tag) = carried.first() {
            used[tag].push(example);
        }
    }
    let available = used.iter().map(Vec::len).collect();
    for (tag, list) in tags.iter().zip(used.iter_mut()) {
        if list.len() > options.max_examples_per_tag {
            SplitMix64::derived(options.seed, stable_hash(tag.as_str())).shuffle(list);
            list.truncate(options.max_examples_per_tag);
            list.sort_by(|a, b| a.asset.cmp(&b.asset));
        }
    }
    Selection { tags, used, available, conflicting, background: Vec::new() }
}
