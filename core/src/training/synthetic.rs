//! Synthetic training sets for tests and benchmarks: clustered, non-negative 1280-d embeddings
//! shaped like pooled CNN features. Every image shares a common "photo" component, each tag adds
//! its own prototype, each image its own variation (mostly along a few directions shared by all
//! images, a little per feature), and negative values are cut to zero as a ReLU would, so cosines
//! between images of different tags are high (about 0.85) and tags differ in small details.

use super::rng::SplitMix64;
use super::{Example, ModelKind, ModelSpec, EMBEDDING_DIM};
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

/// Directions of variation shared by all images (lighting, background, framing…).
const NUISANCE: usize = 16;

/// `tags` tags with `per_tag` examples each (tag by tag). `noise` scales how far an image strays
/// from its tag's prototype: along shared nuisance directions and per feature.
pub fn clustered(tags: usize, per_tag: usize, noise: f32, seed: u64) -> SyntheticSet {
    clustered_draw(tags, per_tag, noise, seed, 0)
}

/// Like [`clustered`], with the same tags (same `seed`) but other images for another `draw`.
pub fn clustered_draw(tags: usize, per_tag: usize, noise: f32, seed: u64, draw: u64) -> SyntheticSet {
    let mut rng = SplitMix64::derived(seed, 0x7379_6e74);
    let noise = f64::from(noise);
    let common: Vec<f64> = (0..EMBEDDING_DIM).map(|_| 0.6 * rng.normal().abs()).collect();
    let nuisance: Vec<Vec<f64>> = (0..NUISANCE)
        .map(|_| (0..EMBEDDING_DIM).map(|_| rng.normal() * 0.2 / (NUISANCE as f64).sqrt()).collect())
        .collect();
    let prototypes: Vec<Vec<f64>> =
        (0..tags).map(|_| common.iter().map(|c| c + 0.1 * rng.normal()).collect()).collect();
    let mut rng = SplitMix64::derived(rng.next_u64(), draw);
    let mut examples = Vec::with_capacity(tags * per_tag);
    for (t, prototype) in prototypes.iter().enumerate() {
        for _ in 0..per_tag {
            let mut embedding = prototype.clone();
            for direction in &nuisance {
                axpy_f64(noise * rng.normal(), direction, &mut embedding);
            }
            let embedding = embedding.iter().map(|v| (v + noise * 0.1 * rng.normal()).max(0.0) as f32).collect();
            let asset = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
            examples.push(Example { asset, embedding, tags: vec![tag_id(t)], group: None });
        }
    }
    SyntheticSet {
        spec: ModelSpec {
            name: format!("synthetic-{tags}"),
            tags: (0..tags).map(tag_id).collect(),
            kind: ModelKind::Exclusive,
        },
        examples,
    }
}

/// `images` images of `tags` independent tags: each image carries each tag with probability
/// `share` (some carry none, some several), and its embedding adds up the prototypes of the tags it
/// carries, with shared nuisance directions and per-feature noise scaled by `noise`.
pub fn overlapping(tags: usize, images: usize, share: f64, noise: f32, seed: u64) -> SyntheticSet {
    let mut rng = SplitMix64::derived(seed, 0x6f76_6c70);
    let noise = f64::from(noise);
    let common: Vec<f64> = (0..EMBEDDING_DIM).map(|_| 0.6 * rng.normal().abs()).collect();
    let nuisance: Vec<Vec<f64>> = (0..NUISANCE)
        .map(|_| (0..EMBEDDING_DIM).map(|_| rng.normal() * 0.2 / (NUISANCE as f64).sqrt()).collect())
        .collect();
    let prototypes: Vec<Vec<f64>> =
        (0..tags).map(|_| (0..EMBEDDING_DIM).map(|_| 0.1 * rng.normal()).collect()).collect();
    let mut examples = Vec::with_capacity(images);
    for _ in 0..images {
        let carried: Vec<usize> = (0..tags).filter(|_| rng.unit() < share).collect();
        let mut embedding = common.clone();
        for &t in &carried {
            axpy_f64(1.0, &prototypes[t], &mut embedding);
        }
        for direction in &nuisance {
            axpy_f64(noise * rng.normal(), direction, &mut embedding);
        }
        let embedding = embedding.iter().map(|v| (v + noise * 0.1 * rng.normal()).max(0.0) as f32).collect();
        let asset = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
        examples.push(Example { asset, embedding, tags: carried.into_iter().map(tag_id).collect(), group: None });
    }
    SyntheticSet {
        spec: ModelSpec {
            name: format!("overlapping-{tags}"),
            tags: (0..tags).map(tag_id).collect(),
            kind: ModelKind::Independent,
        },
        examples,
    }
}

fn axpy_f64(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}
