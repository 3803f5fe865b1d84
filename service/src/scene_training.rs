//! `smart-tags-service train-scenes`: trains the built-in scene model from hand-labelled photos
//! and writes it with its labelled photos' embeddings beside it (scripts/setup-scenes.sh runs
//! it; the same photos, labels and image model give the same bytes). Kept out of `main.rs` so
//! that setup-scenes.sh's digest of the training code does not change with every flag.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::engine::Engine;
use crate::scenes;

/// Trains on the photos the `labels` CSVs name (paths relative to `photos`), writes the model to
/// `out` and its examples beside it; answers the per-scene report.
pub fn train_and_write(
    engine: &Engine,
    labels: &[PathBuf],
    photos: &Path,
    out: &Path,
    threads: usize,
) -> anyhow::Result<serde_json::Value> {
    let mut labelled = Vec::new();
    for file in labels {
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        labelled.extend(scenes::read_labels(&text).with_context(|| format!("in {}", file.display()))?);
    }
    let examples = scenes::embed(engine, photos, &labelled, scenes::SCENE_VIEWS)?;
    let (_, left_out) = scenes::trainable_scenes(&examples);
    let model = scenes::train_scenes(&examples, &scenes::scene_options(scenes::SCENE_L2, threads.clamp(1, 64)))?;
    let bytes = scenes::export(&model, engine.version());
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // The labelled photos first, so that a model file never stands beside older examples.
    let examples_out = scenes::examples_file(out);
    let examples_json = serde_json::to_vec(&scenes::built_in_examples(engine.version(), &labelled, &examples))?;
    let partial = examples_out.with_extension("partial");
    std::fs::write(&partial, &examples_json).with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, &examples_out).with_context(|| format!("cannot write {}", examples_out.display()))?;
    let partial = out.with_extension("partial");
    std::fs::write(&partial, &bytes).with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, out).with_context(|| format!("cannot write {}", out.display()))?;
    let report = serde_json::json!({
        "file": out.display().to_string(),
        "photos": examples.len(),
        "scenes": model.tags.iter().map(|t| serde_json::json!({
            "scene": t.id.to_string(), "threshold": t.threshold, "precision": t.metrics.precision,
            "precision_low": t.metrics.precision_low, "recall": t.metrics.recall, "photos": t.metrics.support, "pictures": t.metrics.groups,
        })).collect::<Vec<_>>(),
        "left_out": left_out.iter().map(|(s, n)| serde_json::json!({"scene": s, "photos": n})).collect::<Vec<_>>(),
    });
    Ok(report)
}
