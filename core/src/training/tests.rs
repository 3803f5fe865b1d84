//! Tests of the whole training run.

use std::sync::Mutex;

use super::*;

fn all_known(_: &TagId) -> bool {
    true
}

fn quiet(_: f32) -> bool {
    true
}

/// A model of three synthetic tags and a few embeddings to probe it with.
pub(crate) fn small_model() -> (TrainedModel, Vec<Vec<f32>>) {
    let set = synthetic::clustered(3, 12, 1.0, 21);
    let options = TrainingOptions { min_examples_per_tag: 5, ..TrainingOptions::default() };
    let model = train(&set.spec, &[], &all_known, &set.examples, &options, &quiet).unwrap();
    let probes = synthetic::clustered_draw(3, 2, 1.5, 21, 1).examples.into_iter().map(|e| e.embedding).collect();
    (model, probes)
}

#[test]
fn five_noisy_tags_are_learnt() {
    let set = synthetic::clustered(5, 30, 2.0, 1);
    let model = train(&set.spec, &[], &all_known, &set.examples, &TrainingOptions::default(), &quiet).unwrap();
    assert!(model.metrics.accuracy >= 0.9, "{:?}", model.metrics);
    assert_eq!((model.metrics.folds, model.metrics.examples), (5, 150));
    assert_eq!(model.tags.len(), 5);
    assert_eq!(model.weights.len(), 5 * EMBEDDING_DIM);
    assert_eq!(model.training_set.len(), 150);
    assert!(model.training_set.windows(2).all(|w| w[0] < w[1]));
    for tag in &model.tags {
        assert_eq!(tag.metrics.support, 30);
        assert!(tag.threshold >= 0.2 && tag.threshold <= 1.0, "{tag:?}");
        assert!(tag.metrics.average_precision > 0.8, "{tag:?}");
    }
    // Fresh images of each tag are predicted as that tag.
    let fresh = synthetic::clustered_draw(5, 4, 2.0, 1, 1);
    let mut right = 0;
    for example in &fresh.examples {
        let scores = model.predict(&example.embedding).unwrap();
        let best = scores.iter().max_by(|a, b| a.confidence.total_cmp(&b.confidence)).unwrap();
        right += usize::from(best.id == example.tags[0]);
        assert!((scores.iter().map(|s| s.confidence).sum::<f32>() - 1.0).abs() < 1e-5);
    }
    assert!(right >= 18, "{right} of 20");
}

#[test]
fn harder_sets_score_lower() {
    let easy = synthetic::clustered(4, 20, 1.0, 2);
    let hard = synthetic::clustered(4, 20, 6.0, 2);
    let options = TrainingOptions::default();
    let easy = train(&easy.spec, &[], &all_known, &easy.examples, &options, &quiet).unwrap();
    let hard = train(&hard.spec, &[], &all_known, &hard.examples, &options, &quiet).unwrap();
    assert!(hard.metrics.accuracy < easy.metrics.accuracy, "{:?} vs {:?}", hard.metrics, easy.metrics);
}

#[test]
fn training_is_deterministic_whatever_the_order_and_threads() {
    let set = synthetic::clustered(3, 15, 2.0, 3);
    let options = TrainingOptions { threads: 1, ..TrainingOptions::default() };
    let a = train(&set.spec, &[], &all_known, &set.examples, &options, &quiet).unwrap();
    let mut reversed = set.examples.clone();
    reversed.reverse();
    let threaded = TrainingOptions { threads: 2, ..options.clone() };
    let mut b = train(&set.spec, &[], &all_known, &reversed, &threaded, &quiet).unwrap();
    b.metrics.train_ms = a.metrics.train_ms;
    b.options.threads = 1;
    assert_eq!(a, b);
}

#[test]
fn progress_is_monotone_and_ends_at_one() {
    let set = synthetic::clustered(3, 12, 1.0, 4);
    for threads in [1, 2] {
        let seen = Mutex::new(Vec::new());
        let record = |v: f32| {
            seen.lock().unwrap().push(v);
            true
        };
        let options = TrainingOptions { threads, ..TrainingOptions::default() };
        train(&set.spec, &[], &all_known, &set.examples, &options, &record).unwrap();
        let seen = seen.into_inner().unwrap();
        assert!(seen.len() > 20, "{} calls", seen.len());
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert_eq!(seen.last(), Some(&1.0));
        assert!(seen.iter().all(|v| (0.0..=1.0).contains(v)));
    }
}

#[test]
fn cancelling_stops_training() {
    let set = synthetic::clustered(3, 12, 1.0, 5);
    for threads in [1, 2] {
        let calls = Mutex::new(0);
        let cancel_soon = |_: f32| {
            let mut calls = calls.lock().unwrap();
            *calls += 1;
            *calls < 5
        };
        let options = TrainingOptions { threads, ..TrainingOptions::default() };
        let result = train(&set.spec, &[], &all_known, &set.examples, &options, &cancel_soon);
        assert!(matches!(result, Err(TrainError::Cancelled)), "{result:?}");
        assert_eq!(*calls.lock().unwrap(), 5, "no call after the cancelling one");
        assert_eq!(TrainError::Cancelled.to_string(), "training was cancelled");
    }
}

#[test]
fn lint_errors_bad_embeddings_and_bad_options_are_refused() {
    let set = synthetic::clustered(2, 12, 1.0, 6);
    let options = TrainingOptions::default();
    let unknown = |t: &TagId| t != &set.spec.tags[0];
    let error = train(&set.spec, &[], &unknown, &set.examples, &options, &quiet).unwrap_err();
    assert!(matches!(&error, TrainError::Lint(findings) if findings.len() == 1));
    assert_eq!(error.to_string(), "the linter found errors: tag synthetic:tag-00 is not in the taxonomy");

    let mut short = set.examples.clone();
    short[3].embedding.truncate(12);
    let error = train(&set.spec, &[], &all_known, &short, &options, &quiet).unwrap_err();
    assert_eq!(error.to_string(), format!("example {}: embedding has 12 values, expected 1280", short[3].asset));

    let bad = TrainingOptions { folds: 1, target_precision: 1.5, ..options };
    let error = train(&set.spec, &[], &all_known, &set.examples, &bad, &quiet).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid options: target_precision is 1.5, expected more than 0 and at most 1; folds is 1, expected 2 to 20"
    );
}

#[test]
fn examples_are_capped_and_conflicts_left_out() {
    let set = synthetic::clustered(2, 15, 1.0, 7);
    let mut examples = set.examples.clone();
    examples[0].tags.push(set.spec.tags[1].clone());
    let options = TrainingOptions { max_examples_per_tag: 12, folds: 3, ..TrainingOptions::default() };
    let model = train(&set.spec, &[], &all_known, &examples, &options, &quiet).unwrap();
    assert_eq!(model.metrics.examples, 24);
    assert_eq!(model.metrics.folds, 3);
    assert!(!model.training_set.iter().any(|(asset, _)| asset == &examples[0].asset));
    let options_small = TrainingOptions { folds: 20, min_examples_per_tag: 3, ..TrainingOptions::default() };
    let few = synthetic::clustered(2, 4, 1.0, 8);
    let model = train(&few.spec, &[], &all_known, &few.examples, &options_small, &quiet).unwrap();
    assert_eq!(model.metrics.folds, 4, "folds are capped by the smallest tag");
}

#[test]
fn predict_checks_the_embedding() {
    let (model, probes) = small_model();
    assert_eq!(model.predict(&[0.0; 12]).unwrap_err().to_string(), "embedding has 12 values, expected 1280");
    let mut nan = probes[0].clone();
    nan[5] = f32::NAN;
    assert!(matches!(model.predict(&nan), Err(TrainError::NonFiniteEmbedding)));
    let scores = model.predict(&probes[0]).unwrap();
    assert_eq!(scores.len(), 3);
    for (score, tag) in scores.iter().zip(&model.tags) {
        assert_eq!(score.passes, score.confidence >= tag.threshold);
    }
}

#[test]
fn options_serde_fills_defaults_and_refuses_unknown_fields() {
    let options: TrainingOptions = serde_json::from_str(r#"{"l2": 0.5}"#).unwrap();
    assert_eq!(options, TrainingOptions { l2: 0.5, ..TrainingOptions::default() });
    assert!(serde_json::from_str::<TrainingOptions>(r#"{"l3": 0.5}"#).is_err());
    assert_eq!(TrainingOptions::default().validate(), Ok(()));
}

#[test]
fn independent_tags_overlap_and_are_learnt() {
    let set = synthetic::overlapping(6, 240, 0.3, 1.0, 3);
    assert!(set.examples.iter().any(|e| e.tags.len() >= 2) && set.examples.iter().any(|e| e.tags.is_empty()));
    let options = TrainingOptions { threads: 2, ..TrainingOptions::default() };
    let model = train(&set.spec, &[], &all_known, &set.examples, &options, &quiet).unwrap();
    assert_eq!(model.kind, ModelKind::Independent);
    // Nothing is sampled away or left out: every example is a row, images without a tag too.
    assert_eq!(model.metrics.examples, 240);
    assert_eq!(model.training_set.len(), set.examples.iter().map(|e| e.tags.len()).sum::<usize>());
    for tag in &model.tags {
        assert!(tag.threshold >= independent::INDEPENDENT_FLOOR && tag.threshold <= 1.0, "{tag:?}");
        assert!(tag.metrics.average_precision > 0.9, "{tag:?}");
        assert!(tag.metrics.recall > 0.7, "{tag:?}");
    }
    // Fresh images: each tag is predicted independently, and the probabilities need not sum to 1.
    let fresh = synthetic::overlapping(6, 60, 0.3, 1.0, 3);
    let (mut right, mut total) = (0, 0);
    let mut several = 0;
    for example in fresh.examples.iter() {
        let scores = model.predict(&example.embedding).unwrap();
        several += usize::from(scores.iter().filter(|s| s.passes).count() >= 2);
        for score in &scores {
            total += 1;
            right += usize::from(score.passes == example.tags.contains(&score.id));
        }
    }
    assert!(right * 100 >= total * 90, "{right} of {total} decisions right");
    assert!(several > 0, "no image got two tags");
    // The thread count changes nothing.
    let one =
        train(&set.spec, &[], &all_known, &set.examples, &TrainingOptions { threads: 1, ..options.clone() }, &quiet)
            .unwrap();
    assert_eq!(one.weights, model.weights);
    assert_eq!(one.tags, model.tags);
}

#[test]
fn independent_models_export_and_import_bit_identically() {
    let set = synthetic::overlapping(3, 80, 0.4, 1.0, 4);
    let options = TrainingOptions { min_examples_per_tag: 5, ..TrainingOptions::default() };
    let model = train(&set.spec, &[], &all_known, &set.examples, &options, &quiet).unwrap();
    let meta = artifact::ArtifactMeta {
        image_model: "m".into(),
        taxonomy_version: 1,
        version: 1,
        created_at: "2026-01-01T00:00:00Z".into(),
    };
    let (back, _) = artifact::import(&artifact::export(&model, &meta), "m").unwrap();
    assert_eq!(back, model);
    assert_eq!(back.kind, ModelKind::Independent);
    let probe = &set.examples[0].embedding;
    assert_eq!(back.probabilities(probe).unwrap(), model.probabilities(probe).unwrap());
}

#[test]
fn an_independent_tag_without_negatives_cannot_be_cross_validated() {
    let mut set = synthetic::overlapping(2, 40, 0.5, 1.0, 5);
    for example in &mut set.examples {
        example.tags = set.spec.tags.clone();
    }
    let options = TrainingOptions { min_examples_per_tag: 5, ..TrainingOptions::default() };
    let error = train(&set.spec, &[], &all_known, &set.examples, &options, &quiet).unwrap_err();
    assert!(matches!(error, TrainError::NotEnoughExamples(_)), "{error}");
}
