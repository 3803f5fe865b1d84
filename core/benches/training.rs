//! Training a tag model of 50 tags x 50 examples (synthetic, clustered, non-negative 1280-d
//! embeddings; out-of-fold accuracy about 0.95): the whole `train` (lint with its near-duplicate
//! gram, 5-fold cross-validation, calibration, final fit) on 1 and 2 threads, and its parts; and a
//! multi-label model of 20 independent tags on 1,000 images (each tag on 20% of them, some images
//! carrying none, some several).
//!
//! Run with `cargo bench -p smart_tags_core --bench training`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use smart_tags_core::training::logistic::{self, balanced_weights, l2_normalized, Data, Features, FitParams};
use smart_tags_core::training::{lint, synthetic, train, TrainingOptions, EMBEDDING_DIM};

const TAGS: usize = 50;
const PER_TAG: usize = 50;
const NOISE: f32 = 3.0;

fn bench_training(c: &mut Criterion) {
    let set = synthetic::clustered(TAGS, PER_TAG, NOISE, 1);
    let known = |_: &_| true;
    let mut group = c.benchmark_group("train 50 tags x 50 examples");
    group.sample_size(10).measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(3));
    for threads in [1, 2] {
        let options = TrainingOptions { threads, ..TrainingOptions::default() };
        let model =
            train(&set.spec, &[], &known, &set.examples, &options, &|_| true).expect("the synthetic set trains");
        eprintln!("threads={threads}: {:?}", model.metrics);
        group.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| {
                train(&set.spec, &[], &known, black_box(&set.examples), &options, &|_| true)
                    .expect("the synthetic set trains")
            })
        });
    }

    // The final fit alone: 2,500 examples, features already computed.
    let rows: Vec<Vec<f32>> = set.examples.iter().map(|e| l2_normalized(&e.embedding)).collect();
    let refs: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
    let labels: Vec<usize> = (0..rows.len()).map(|i| i / PER_TAG).collect();
    let features = Features::fit(&refs, EMBEDDING_DIM);
    let x = features.transform(&refs);
    let weights = balanced_weights(&labels, TAGS);
    let data = Data { x: &x, dim: EMBEDDING_DIM, labels: &labels, classes: TAGS, sample_weights: &weights };
    let defaults = TrainingOptions::default();
    let params = FitParams {
        l2: defaults.l2,
        max_iterations: defaults.max_iterations,
        tolerance: defaults.tolerance,
        memory: 10,
    };
    let fitted = logistic::fit(data, &params, &mut |_| true).expect("never stopped");
    eprintln!("final fit: {} iterations, converged {}", fitted.iterations, fitted.converged);
    group.bench_function("final fit alone", |b| {
        b.iter(|| logistic::fit(black_box(data), &params, &mut |_| true).expect("never stopped"))
    });

    // The linter alone (its cost is the 2,500 x 2,500 cosine gram for near duplicates).
    group.bench_function("lint alone", |b| {
        b.iter(|| lint::lint(&set.spec, &[], &known, black_box(&set.examples), &defaults))
    });
    group.finish();
}

fn bench_independent(c: &mut Criterion) {
    let set = synthetic::overlapping(20, 1000, 0.2, 4.0, 2);
    let known = |_: &_| true;
    let mut group = c.benchmark_group("train 20 independent tags on 1000 images");
    group.sample_size(10).measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(3));
    for threads in [1, 2] {
        let options = TrainingOptions { threads, ..TrainingOptions::default() };
        let model =
            train(&set.spec, &[], &known, &set.examples, &options, &|_| true).expect("the synthetic set trains");
        let ap = model.tags.iter().map(|t| t.metrics.average_precision).sum::<f32>() / model.tags.len() as f32;
        eprintln!("threads={threads}: {:?}, mean AP {ap:.3}", model.metrics);
        group.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| {
                train(&set.spec, &[], &known, black_box(&set.examples), &options, &|_| true)
                    .expect("the synthetic set trains")
            })
        });
    }
    // What the service adds per image for the built-in scenes: the 20 sigmoids of one embedding.
    let options = TrainingOptions::default();
    let model = train(&set.spec, &[], &known, &set.examples, &options, &|_| true).expect("the synthetic set trains");
    let probe = &set.examples[0].embedding;
    group.bench_function("predict one image", |b| {
        b.iter(|| model.probabilities(black_box(probe)).expect("an embedding"))
    });
    group.finish();
}

criterion_group!(benches, bench_training, bench_independent);
criterion_main!(benches);
