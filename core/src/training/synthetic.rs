//! Synthetic training sets for tests and benchmarks: clustered, non-negative 1280-d embeddings
//! shaped like pooled CNN features. Every image shares a common "photo" component, each tag adds
//! its own prototype, each image its own noise, and negative values are cut to zero (as a ReLU
//! would), so cosines between images of different tags are high (about 0.7) but tags separate.

use super::rng::SplitMix64;
use super::{Example, ModelSpec, EMBEDDING_DIM};
use crate::taxonomy::TagId;

/// A model spec and its examples.
#[derive(Debug, Clone)]
pub struct SyntheticSet {
    pub spec: ModelSpec,
    pub examples: Vec<Example>,
}

/// The id of synthetic tag `i`: `synthetic:tag-07`.
pub fn tag_id(i: usize) -> TagId {
    TagId::parse(&format!("synthetic:tag-{i:02}")).expect("a valid tag id")
}

/// `tags` tags with `per_tag` examples each (tag by tag); `noise` is the spread of an image around
/// its tag's prototype relative to the prototypes' spread (1.0: as far from its prototype as the
/// prototypes are from each other).
pub fn clustered(tags: usize, per_tag: usize, noise: f32, seed: u64) -> SyntheticSet {
    let mut rng = SplitMix64::derived(seed, 0x7379_6e74);
    let common: Vec<f64> = (0..EMBEDDING_DIM).map(|_| 0.4 * rng.normal().abs()).collect();
    let prototypes: Vec<Vec<f64>> =
        (0..tags).map(|_| common.iter().map(|c| c + 0.25 * rng.normal()).collect()).collect();
    let mut examples = Vec::with_capacity(tags * per_tag);
    for (t, prototype) in prototypes.iter().enumerate() {
        for _ in 0..per_tag {
            let embedding = prototype.iter().map(|p| (p + 0.25 * f64::from(noise) * rng.normal()).max(0.0) as f32).collect();
            let asset = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
            examples.push(Example { asset, embedding, tags: vec![tag_id(t)] });
        }
    }
    SyntheticSet { spec: ModelSpec { name: format!("synthetic-{tags}"), tags: (0..tags).map(tag_id).collect() }, examples }
}
