//! Quality of the built-in scene tags on hand-labelled photos.
//!
//! Usage: `cargo run --release -p smart_tags_tests --example eval_scenes` (after
//! `bash scripts/setup.sh --test`, `bash scripts/setup-eval-photos.sh` and
//! `bash scripts/setup-scene-photos.sh`).
//!
//! - **Held-out**: the scene set (`tests/eval/scenes/labels.csv`) is split by photo group like
//!   the other evaluations (the first byte of the SHA-256 of the group's name is even for the
//!   calibration half). A scene model is trained on the calibration half only, exactly as
//!   `smart-tags-service train-scenes` trains the shipped one (thresholds from its own
//!   cross-validation), and scored on the held-out half at those thresholds.
//! - **Set 1** (`tests/eval/scenes/set1-labels.csv`: the 50 photos of the first labelled set,
//!   never in the scene set): the model trained on the whole scene set — the shipped one — is
//!   scored on them, including the scene tags it puts on photos that show no scene (a cat, a cup).
//!   Scene-set photos that are near copies of a set-1 photo (cosine ≥ 0.95) are left out of its
//!   training and listed.
//! - `SAVE_MODEL=file` writes the calibration-half model, which has never seen the held-out half
//!   of set 2 (set 2's photos are in the scene set, split by the same group names), for
//!   `SCENES=1 SCENE_MODEL=file … eval_taxonomy -- set2 held-out`.
//!
//! Each scene: precision and recall of the scene tags as served (confidence ≥ 0.5: the model's
//! probability reaches the scene's threshold, and the scene's cross-validated precision reaches
//! the target — see `smart_tags_core::scenes::UNRELIABLE_MAX`), with 95% Wilson intervals, and the
//! number of photos showing it.

use std::collections::BTreeSet;
use std::path::Path;

use smart_tags_core::detect::classes::SCENE_CLASSES;
use smart_tags_core::scenes::{confidences, scene_tag};
use smart_tags_core::training::model::TrainedModel;
use smart_tags_core::training::Example;
use smart_tags_service::scenes::{
    embed, read_labels, scene_options, train_scenes, LabelledPhoto, SCENE_L2, SCENE_VIEWS, VIEWS,
};
use smart_tags_tests::labels::{in_calibration_half, parse_csv, pct_ci};
use smart_tags_tests::{cache_dir, cosine, shared_engine};

fn labels(file: &str) -> Vec<LabelledPhoto> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/scenes").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_labels(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Per scene: (scene, tp, fp, fn, photos showing it). A scene is given when its served
/// confidence (`smart_tags_core::scenes::confidences`) reaches the default tag threshold, 0.5.
fn score(model: &TrainedModel, examples: &[Example]) -> Vec<(String, usize, usize, usize, usize)> {
    let given: Vec<[f32; SCENE_CLASSES.len()]> =
        examples.iter().map(|e| confidences(model, &e.embedding).expect("an embedding")).collect();
    let mut out = Vec::new();
    for (c, class) in SCENE_CLASSES.iter().enumerate() {
        let Some(id) = scene_tag(class.title) else { continue };
        if !model.tags.iter().any(|t| t.id == id) {
            continue;
        }
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for (example, confidence) in examples.iter().zip(&given) {
            match (confidence[c] >= 0.5, example.tags.contains(&id)) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                (false, false) => {}
            }
        }
        out.push((class.title.to_owned(), tp, fp, fn_, tp + fn_));
    }
    out
}

fn table(title: &str, rows: &[(String, usize, usize, usize, usize)]) {
    println!("\n### {title}\n");
    println!("| scene | photos | precision at threshold | recall |");
    println!("|---|---:|---|---|");
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (scene, t, f, n, photos) in rows {
        println!("| {scene} | {photos} | {} | {} |", pct_ci(*t, t + f), pct_ci(*t, t + n));
        tp += t;
        fp += f;
        fn_ += n;
    }
    println!("| **all (micro)** | {} | {} | {} |", tp + fn_, pct_ci(tp, tp + fp), pct_ci(tp, tp + fn_));
}

fn main() {
    let engine = shared_engine();
    let root = cache_dir().join("fixtures");
    let scene_labels = labels("labels.csv");
    let set1_labels = labels("set1-labels.csv");
    // Every view of every photo; the first view of each photo is the photo itself, and only
    // photos (never their other views) are scored.
    let all_views = embed(&engine, &root, &scene_labels, VIEWS).unwrap_or_else(|e| panic!("{e}"));
    let scene_examples: Vec<Example> = all_views.iter().filter(|e| !e.asset.contains('#')).cloned().collect();
    let set1_examples = embed(&engine, &root, &set1_labels, 1).unwrap_or_else(|e| panic!("{e}"));
    // The training rows of the photos `indices`: their first `views` views.
    let with_views = |indices: &[usize], views: usize| -> Vec<Example> {
        let photos: BTreeSet<&str> = indices.iter().map(|&i| scene_examples[i].asset.as_str()).collect();
        all_views
            .iter()
            .filter(|e| {
                let (photo, view) =
                    e.asset.split_once('#').map_or((e.asset.as_str(), 0), |(p, v)| (p, v.parse().unwrap_or(0)));
                photos.contains(photo) && view < views
            })
            .cloned()
            .collect()
    };

    // Near copies of set-1 photos never train the model that set 1 scores.
    let mut copies = BTreeSet::new();
    for (i, example) in scene_examples.iter().enumerate() {
        for (j, other) in set1_examples.iter().enumerate() {
            if cosine(&example.embedding, &other.embedding) >= 0.95 {
                copies.insert(i);
                println!(
                    "left out of the set-1 model: {} (a copy of set 1's {})",
                    scene_labels[i].photo, set1_labels[j].photo
                );
            }
        }
    }
    let (calibration, held_out): (Vec<usize>, Vec<usize>) =
        (0..scene_examples.len()).partition(|&i| in_calibration_half(&scene_labels[i].group));
    let pick = |indices: &[usize]| indices.iter().map(|&i| scene_examples[i].clone()).collect::<Vec<_>>();
    println!(
        "scene set: {} photos ({} calibration, {} held out); set 1: {} photos",
        scene_examples.len(),
        calibration.len(),
        held_out.len(),
        set1_examples.len()
    );

    if std::env::var("SWEEP").is_ok_and(|v| v == "1") {
        // Views and L2 strength, chosen on the calibration half only: it is split again by photo
        // group (the second byte of the group's hash), a model is trained on one part and
        // scored on the other's photos: the mean over scenes of the average precision, and the
        // micro precision and recall at the trained thresholds.
        let (inner_train, inner_test): (Vec<usize>, Vec<usize>) = calibration.iter().partition(|&&i| {
            u8::from_str_radix(&smart_tags_tests::sha256_hex(scene_labels[i].group.as_bytes())[2..4], 16)
                .is_ok_and(|b| b % 2 == 0)
        });
        for views in [1, 2, 3, VIEWS] {
            for l2 in [1e-4, 1e-2, 1e-1] {
                let model = train_scenes(&with_views(&inner_train, views), &scene_options(l2, 2))
                    .unwrap_or_else(|e| panic!("{e}"));
                let test = pick(&inner_test);
                let mut aps = Vec::new();
                for (t, tag) in model.tags.iter().enumerate() {
                    let scores: Vec<f32> =
                        test.iter().map(|e| model.probabilities(&e.embedding).expect("an embedding")[t]).collect();
                    let positives: Vec<bool> = test.iter().map(|e| e.tags.contains(&tag.id)).collect();
                    if positives.iter().any(|p| *p) {
                        aps.push(smart_tags_core::training::evaluate::average_precision(&scores, &positives));
                    }
                }
                let rows = score(&model, &test);
                let (tp, fp, fn_) = rows.iter().fold((0, 0, 0), |a, r| (a.0 + r.1, a.1 + r.2, a.2 + r.3));
                println!(
                    "SWEEP views {views} l2 {l2:<6} mean AP {:.3} over {} scenes; precision {}; recall {}",
                    aps.iter().sum::<f32>() / aps.len().max(1) as f32,
                    aps.len(),
                    pct_ci(tp, tp + fp),
                    pct_ci(tp, tp + fn_)
                );
            }
        }
    }
    let model = train_scenes(&with_views(&calibration, SCENE_VIEWS), &scene_options(SCENE_L2, 2))
        .unwrap_or_else(|e| panic!("{e}"));
    // SAVE_MODEL=file keeps this model, trained on the calibration half only: it has never seen the
    // held-out photos of set 2 (the same split, by the same group names), for `eval_taxonomy`.
    if let Some(file) = std::env::var_os("SAVE_MODEL") {
        std::fs::write(&file, smart_tags_service::scenes::export(&model, engine.version()))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    println!(
        "\nscenes in the calibration model (threshold, cross-validated precision and recall on the calibration half):"
    );
    for tag in &model.tags {
        println!(
            "  {:<18} threshold {:.3}  precision {:.2} ({:.2}–{:.2})  recall {:.2}  photos {}",
            tag.id.as_str(),
            tag.threshold,
            tag.metrics.precision,
            tag.metrics.precision_low,
            tag.metrics.precision_high,
            tag.metrics.recall,
            tag.metrics.support
        );
    }
    table("Scene set, held-out half (model trained on the calibration half)", &score(&model, &pick(&held_out)));

    let training: Vec<usize> = (0..scene_examples.len()).filter(|i| !copies.contains(i)).collect();
    let shipped = train_scenes(&with_views(&training, SCENE_VIEWS), &scene_options(SCENE_L2, 2))
        .unwrap_or_else(|e| panic!("{e}"));
    table("Set 1 (never trained on; model trained on the whole scene set)", &score(&shipped, &set1_examples));
    let mut wrong_on_none = Vec::new();
    let none: Vec<&Example> = set1_examples.iter().filter(|e| e.tags.is_empty()).collect();
    for (example, labelled) in set1_examples.iter().zip(&set1_labels) {
        if !example.tags.is_empty() {
            continue;
        }
        let confidence = confidences(&shipped, &example.embedding).expect("an embedding");
        let given: Vec<&str> =
            SCENE_CLASSES.iter().zip(confidence).filter(|(_, c)| *c >= 0.5).map(|(class, _)| class.title).collect();
        if !given.is_empty() {
            wrong_on_none.push(format!("{} ({})", labelled.photo, given.join(", ")));
        }
    }
    // The blind spots of set 1 (`tests/eval/labels.csv`: labels ImageNet-1k has no class for).
    let set1_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/labels.csv");
    let rows =
        parse_csv(&std::fs::read_to_string(&set1_file).unwrap_or_else(|e| panic!("{}: {e}", set1_file.display())));
    let blind: BTreeSet<String> =
        rows.iter().skip(1).filter(|r| r.len() > 2 && !r[2].trim().is_empty()).map(|r| r[0].clone()).collect();
    let (mut scenic, mut right) = (0, 0);
    let mut missed = Vec::new();
    for (example, labelled) in set1_examples.iter().zip(&set1_labels) {
        if !blind.contains(&labelled.photo) || example.tags.is_empty() {
            continue;
        }
        scenic += 1;
        let confidence = confidences(&shipped, &example.embedding).expect("an embedding");
        let hit = SCENE_CLASSES
            .iter()
            .zip(confidence)
            .any(|(class, c)| c >= 0.5 && scene_tag(class.title).is_some_and(|id| example.tags.contains(&id)));
        if hit {
            right += 1;
        } else {
            missed.push(labelled.photo.as_str());
        }
    }
    println!(
        "\nset-1 photos with an ImageNet blind spot that show a scene ({} of {} blind-spot photos): a right scene tag on {}; missed: {}",
        scenic,
        blind.len(),
        pct_ci(right, scenic),
        missed.join(", ")
    );
    println!("\nset-1 photos showing no scene that get a scene tag: {}", pct_ci(wrong_on_none.len(), none.len()));
    for line in wrong_on_none {
        println!("  {line}");
    }
}
