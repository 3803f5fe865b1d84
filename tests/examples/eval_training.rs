//! Enhanced Smart Tags: accuracy of trained tags on held-out real photos, against the untrained
//! taxonomy mapping on the same images.
//!
//! Usage: `cargo run --release -p smart_tags_tests --example eval_training` (after
//! `bash scripts/setup.sh --test`; `bash scripts/eval-training.sh` sets the runtime paths).
//! Env `VERBOSE=0` leaves out the per-photo table; `SEED=n` draws other views (default 1).
//!
//! The set: the tag model "subject" of `tests/src/training_set.rs` — the demo taxonomy's
//! top-level tags as mutually exclusive tags, one per photo of `tests/eval/labels.csv` (photos
//! whose labels span two top-level tags and subjects with fewer than 3 photos left out).
//! Examples are *views* of the photos (`tests/src/views.rs`: random crops, flips, mild
//! brightness/contrast changes, re-encoded as JPEG at most 512 px).
//!
//! Leave-one-photo-out: each photo is held out once. The classifier is trained
//! (`smart_tags_core::training::train`, default options) on views of the *other* photos only,
//! exactly N examples per tag (N = 10 and N = 30), spread over the tag's training photos as
//! evenly as possible; it is tested on the held-out photo's first 4 views and on the original
//! file. Embeddings come from the real engine on core's preprocessing of each file (the service's
//! path), computed once per image. A trained tag is *predicted* when its score `passes` its
//! calibrated threshold; *top-1* is the highest-scoring tag, whatever the thresholds.
//!
//! Baseline (no training) on the same images: the service's taxonomy mapping (SQLite store,
//! `taxonomies/demo.ttl`, `linker::relink`, `Tagger::candidates`, `tags::apply` with min
//! confidence 0.5). A top-level tag counts as predicted when it or any tag beneath it is
//! returned (parents roll up); the baseline's top-1 is the top-level tag above its most
//! confident taxonomy candidate.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use smart_tags_core::color::ColorTag;
use smart_tags_core::prediction::softmax;
use smart_tags_core::preprocess::Options;
use smart_tags_core::tags::{apply, TagSource, Thresholds};
use smart_tags_core::taxonomy::TagId;
use smart_tags_core::training::model::TrainedModel;
use smart_tags_core::training::{train, Example, ModelKind, ModelSpec, TrainingOptions};
use smart_tags_core::ModelInput;
use smart_tags_service::engine::Engine;
use smart_tags_service::mapping_cache::Mapping;
use smart_tags_service::tagger::Tagger;
use smart_tags_tests::training_set::{load_source, photo_view_jpegs, read_subject_set, top_level, MODEL_NAME};
use smart_tags_tests::{demo_mapping, fixture, load_average, read, sha256_hex, shared_engine, shared_tagger};

/// Examples per tag in the two trainings.
const NS: [usize; 2] = [10, 30];
/// Views of a held-out photo it is tested on (plus its original file).
const TEST_VIEWS: usize = 4;
/// Seed of the views (env `SEED` overrides it).
const SEED: u64 = 1;

/// What a method says about one test image, as indices into the model's tags.
#[derive(Debug, Clone, Default)]
struct Guess {
    predicted: BTreeSet<usize>,
    top1: Option<usize>,
}

struct TestImage {
    original: bool,
    embedding: Vec<f32>,
    baseline: Guess,
}

struct Photo {
    photo: String,
    tag: usize,
    /// Training views (embedding, asset hash), view `i` at index `i`.
    views: Vec<(Vec<f32>, String)>,
    tests: Vec<TestImage>,
}

/// Per-tag counters of one method on one subset of the test images.
#[derive(Debug, Clone)]
struct Tally {
    tp: Vec<usize>,
    fp: Vec<usize>,
    fn_: Vec<usize>,
    top1: Vec<usize>,
    images: Vec<usize>,
    /// Tags predicted over all images, and images with none.
    predicted: usize,
    empty: usize,
}

impl Tally {
    fn new(tags: usize) -> Tally {
        Tally {
            tp: vec![0; tags],
            fp: vec![0; tags],
            fn_: vec![0; tags],
            top1: vec![0; tags],
            images: vec![0; tags],
            predicted: 0,
            empty: 0,
        }
    }

    fn add(&mut self, truth: usize, guess: &Guess) {
        self.images[truth] += 1;
        self.predicted += guess.predicted.len();
        self.empty += usize::from(guess.predicted.is_empty());
        self.top1[truth] += usize::from(guess.top1 == Some(truth));
        if guess.predicted.contains(&truth) {
            self.tp[truth] += 1;
        } else {
            self.fn_[truth] += 1;
        }
        for &p in guess.predicted.iter().filter(|&&p| p != truth) {
            self.fp[p] += 1;
        }
    }

    /// Precision (None when nothing was predicted) and recall of tag `t`.
    fn precision_recall(&self, t: usize) -> (Option<f64>, f64) {
        let predicted = self.tp[t] + self.fp[t];
        let precision = (predicted > 0).then(|| self.tp[t] as f64 / predicted as f64);
        (precision, ratio(self.tp[t], self.images[t]))
    }

    /// Macro precision (a tag never predicted counts as 0) and macro recall.
    fn macro_pr(&self) -> (f64, f64) {
        let k = self.tp.len() as f64;
        let (p, r) = (0..self.tp.len())
            .map(|t| self.precision_recall(t))
            .fold((0.0, 0.0), |(p, r), (tp, tr)| (p + tp.unwrap_or(0.0), r + tr));
        (p / k, r / k)
    }

    fn top1_accuracy(&self) -> (usize, usize) {
        (self.top1.iter().sum(), self.images.iter().sum())
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

fn pr_cell(tally: &Tally, t: usize) -> String {
    let (p, r) = tally.precision_recall(t);
    let p = p.map_or_else(|| "–".to_owned(), |p| format!("{:.0}%", 100.0 * p));
    format!("{p} / {:.0}% ({}/{})", 100.0 * r, tally.tp[t], tally.images[t])
}

/// `n` examples spread over `photos` photos as evenly as possible (the first ones get one more).
fn spread(n: usize, photos: usize) -> Vec<usize> {
    (0..photos).map(|j| n / photos + usize::from(j < n % photos)).collect()
}

/// What the engine gives one file, by the service's path (core's preprocessing, then the model).
struct Embedded {
    embedding: Vec<f32>,
    probs: Vec<f32>,
    colors: Vec<ColorTag>,
}

fn embed(engine: &Engine, files: &[Vec<u8>]) -> Result<Vec<Embedded>, Box<dyn std::error::Error>> {
    let mut inputs: Vec<ModelInput> = Vec::with_capacity(files.len());
    let mut colors = Vec::with_capacity(files.len());
    for file in files {
        let pre = smart_tags_core::preprocess(file, &Options::default())?;
        inputs.push(pre.model_input);
        colors.push(pre.colors);
    }
    let mut out = Vec::with_capacity(files.len());
    for (chunk, colors) in inputs.chunks(8).zip(colors.chunks(8)) {
        for (output, colors) in engine.infer(chunk)?.into_iter().zip(colors) {
            out.push(Embedded { probs: softmax(&output.logits), embedding: output.embedding, colors: colors.clone() });
        }
    }
    Ok(out)
}

/// The untrained mapping's guess for one image, over the model's `tags`.
fn baseline_guess(
    tagger: &Tagger,
    mapping: &Mapping,
    model: &str,
    probs: &[f32],
    colors: &[ColorTag],
    tags: &[TagId],
) -> Guess {
    let candidates =
        tagger.candidates(probs, Default::default(), model, &mapping.taxonomy, mapping.plan(tagger), colors);
    let index_of = |id: &str| {
        TagId::parse(id).ok().as_ref().and_then(top_level).and_then(|top| tags.iter().position(|t| *t == top))
    };
    let returned = apply(&candidates, &Thresholds::default(), &BTreeMap::new()).smart;
    let predicted =
        returned.iter().filter(|t| t.source == TagSource::Taxonomy).filter_map(|t| index_of(&t.id)).collect();
    let mut ranked: Vec<(&str, f32, usize)> = candidates
        .iter()
        .filter(|t| t.source == TagSource::Taxonomy)
        .map(|t| (t.id.as_str(), t.confidence, t.id.matches('/').count()))
        .collect();
    // Most confident first; on a tie the deeper tag (a parent is at least as confident as its best child).
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.2.cmp(&a.2)).then_with(|| a.0.cmp(b.0)));
    // Top-1 among the model's tags: the first candidate whose top-level tag is one of them.
    let top1 = ranked.iter().find_map(|(id, _, _)| index_of(id));
    Guess { predicted, top1 }
}

fn trained_guess(model: &TrainedModel, embedding: &[f32], tags: &[TagId]) -> Result<Guess, Box<dyn std::error::Error>> {
    let scores = model.predict(embedding)?;
    let index_of = |id: &TagId| tags.iter().position(|t| t == id);
    let predicted = scores.iter().filter(|s| s.passes).filter_map(|s| index_of(&s.id)).collect();
    let top1 = scores.iter().max_by(|a, b| a.confidence.total_cmp(&b.confidence)).and_then(|s| index_of(&s.id));
    Ok(Guess { predicted, top1 })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verbose = std::env::var("VERBOSE").map_or(true, |v| v != "0");
    let seed: u64 = std::env::var("SEED").map_or(Ok(SEED), |s| s.parse())?;
    let started = Instant::now();
    let load_at_start = load_average();
    let set = read_subject_set()?;
    let tags = set.tags.clone();
    let spec = ModelSpec { name: MODEL_NAME.to_owned(), tags: tags.clone(), kind: ModelKind::Exclusive };
    let engine = shared_engine();
    let tagger = shared_tagger();
    let dir = tempfile::tempdir()?;
    let (summary, mapping) = demo_mapping(dir.path(), &tagger)?;
    eprintln!("[eval] models loaded and demo taxonomy linked in {:.1} s: {summary:?}", started.elapsed().as_secs_f64());

    // Every image's embedding, once. A photo needs enough views for the largest N when it is a
    // training photo, and TEST_VIEWS when it is held out.
    let t = Instant::now();
    let max_n = NS.iter().copied().max().unwrap_or(0);
    let mut photos = Vec::new();
    for p in &set.photos {
        let tag = tags.iter().position(|t| *t == p.subject).ok_or("subject not among the tags")?;
        let training_photos = set.photos_of(&p.subject).count() - 1;
        let count = max_n.div_ceil(training_photos).max(TEST_VIEWS);
        let source = load_source(&p.photo)?;
        let mut files = photo_view_jpegs(&source, &p.photo, count, seed)?;
        files.push(read(&fixture(&p.photo)));
        let hashes: Vec<String> = files.iter().map(|f| sha256_hex(f)).collect();
        let outputs = embed(&engine, &files)?;
        let mut tests = Vec::new();
        for (i, e) in outputs.iter().enumerate() {
            let original = i == count;
            if original || i < TEST_VIEWS {
                let baseline = baseline_guess(&tagger, &mapping, engine.version(), &e.probs, &e.colors, &tags);
                tests.push(TestImage { original, embedding: e.embedding.clone(), baseline });
            }
        }
        let views = outputs.into_iter().zip(hashes).take(count).map(|(e, hash)| (e.embedding, hash)).collect();
        photos.push(Photo { photo: p.photo.clone(), tag, views, tests });
    }
    let embed_time = t.elapsed();
    let images: usize = photos.iter().map(|p| p.views.len() + 1).sum();
    eprintln!("[eval] {images} images preprocessed, embedded and mapped in {:.1} s", embed_time.as_secs_f64());

    // [0]: baseline, [1 + i]: trained with NS[i]; each over all test images and over originals only.
    let methods = 1 + NS.len();
    let mut all = vec![Tally::new(tags.len()); methods];
    let mut originals = vec![Tally::new(tags.len()); methods];
    let mut thresholds = vec![vec![Vec::new(); tags.len()]; NS.len()];
    let mut train_time = vec![Duration::ZERO; NS.len()];
    let mut per_photo = Vec::new();
    for (h, held) in photos.iter().enumerate() {
        let mut guesses: Vec<Vec<Guess>> = vec![held.tests.iter().map(|t| t.baseline.clone()).collect()];
        for (ni, &n) in NS.iter().enumerate() {
            let mut examples = Vec::new();
            for (tag_index, tag) in tags.iter().enumerate() {
                let training: Vec<&Photo> =
                    photos.iter().enumerate().filter(|(i, p)| *i != h && p.tag == tag_index).map(|(_, p)| p).collect();
                for (p, count) in training.iter().zip(spread(n, training.len())) {
                    for (embedding, asset) in &p.views[..count] {
                        examples.push(Example {
                            asset: asset.clone(),
                            embedding: embedding.clone(),
                            tags: vec![tag.clone()],
                            group: None,
                        });
                    }
                }
            }
            let options = TrainingOptions { seed: h as u64, threads: 2, ..TrainingOptions::default() };
            let t = Instant::now();
            let model = train(&spec, &[], &|_| true, &examples, &options, &|_| true)?;
            train_time[ni] += t.elapsed();
            for trained in &model.tags {
                if let Some(i) = tags.iter().position(|t| *t == trained.id) {
                    thresholds[ni][i].push((trained.threshold, trained.metrics.target_reached));
                }
            }
            guesses
                .push(held.tests.iter().map(|t| trained_guess(&model, &t.embedding, &tags)).collect::<Result<_, _>>()?);
        }
        for (m, method) in guesses.iter().enumerate() {
            for (test, guess) in held.tests.iter().zip(method) {
                all[m].add(held.tag, guess);
                if test.original {
                    originals[m].add(held.tag, guess);
                }
            }
        }
        let cell = |m: usize| {
            let hits = guesses[m].iter().filter(|g| g.top1 == Some(held.tag)).count();
            let original = held.tests.iter().zip(&guesses[m]).find(|(t, _)| t.original).map(|(_, g)| g);
            let shown = original.map_or_else(String::new, |g| {
                let names: Vec<&str> = g.predicted.iter().map(|&i| tags[i].name()).collect();
                if names.is_empty() {
                    "—".to_owned()
                } else {
                    names.join(", ")
                }
            });
            format!("{hits}/{} | {shown}", held.tests.len())
        };
        per_photo.push(format!(
            "| {} | {} | {} |",
            held.photo,
            tags[held.tag].name(),
            (0..methods).map(&cell).collect::<Vec<_>>().join(" | ")
        ));
    }

    let method_names: Vec<String> = std::iter::once("baseline (taxonomy mapping)".to_owned())
        .chain(NS.iter().map(|n| format!("trained, N={n}")))
        .collect();
    let test_images: usize = photos.iter().map(|p| p.tests.len()).sum();
    println!("## Enhanced Smart Tags: trained tags on held-out real photos\n");
    println!(
        "Tag model `{MODEL_NAME}`: {} tags, {} source photos, leave-one-photo-out ({} folds); per fold, training on exactly N views per tag \
         from the other photos; test on {TEST_VIEWS} views + the original of the held-out photo ({test_images} test images in all); views drawn with seed {seed}. \
         Cells: precision / recall (hits/test images); precision `–` when the tag was never predicted.\n",
        tags.len(),
        photos.len(),
        photos.len()
    );
    println!("| tag | photos | test images | {} |", method_names.join(" | "));
    println!("|---|---:|---:|{}", "---|".repeat(methods));
    for (t, tag) in tags.iter().enumerate() {
        let cells: Vec<String> = all.iter().map(|tally| pr_cell(tally, t)).collect();
        println!("| {} | {} | {} | {} |", tag.name(), set.photos_of(tag).count(), all[0].images[t], cells.join(" | "));
    }
    let macro_row = |tallies: &[Tally]| {
        tallies
            .iter()
            .map(|t| {
                let (p, r) = t.macro_pr();
                format!("{:.0}% / {:.0}%", 100.0 * p, 100.0 * r)
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let top1_row = |tallies: &[Tally]| {
        tallies
            .iter()
            .map(|t| {
                let (h, n) = t.top1_accuracy();
                format!("{:.0}% ({h}/{n})", 100.0 * ratio(h, n))
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    println!("| **macro average** | {} | {test_images} | {} |", photos.len(), macro_row(&all));
    println!("| **top-1 accuracy** (no thresholds) | | | {} |", top1_row(&all));
    let per_image = |tallies: &[Tally]| {
        tallies
            .iter()
            .map(|t| format!("{:.2} ({} with none)", ratio(t.predicted, t.images.iter().sum()), t.empty))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    println!("| tags predicted per image | | | {} |", per_image(&all));
    println!("\nOriginal files only ({} images, one per photo):\n", originals[0].images.iter().sum::<usize>());
    println!("| | {} |", method_names.join(" | "));
    println!("|---|{}", "---|".repeat(methods));
    println!("| macro precision / recall | {} |", macro_row(&originals));
    println!("| top-1 accuracy | {} |", top1_row(&originals));
    println!("| tags predicted per image | {} |", per_image(&originals));

    println!("\nTop-1 per tag (all test images):\n");
    println!("| tag | {} |", method_names.join(" | "));
    println!("|---|{}", "---|".repeat(methods));
    for (t, tag) in tags.iter().enumerate() {
        let cells: Vec<String> = all
            .iter()
            .map(|tally| {
                format!("{:.0}% ({}/{})", 100.0 * ratio(tally.top1[t], tally.images[t]), tally.top1[t], tally.images[t])
            })
            .collect();
        println!("| {} | {} |", tag.name(), cells.join(" | "));
    }

    println!("\nCalibrated thresholds (target precision {}, mean over folds; folds where the target was reached in cross-validation):\n", TrainingOptions::default().target_precision);
    println!("| tag | {} |", NS.iter().map(|n| format!("N={n}")).collect::<Vec<_>>().join(" | "));
    println!("|---|{}", "---|".repeat(NS.len()));
    for (t, tag) in tags.iter().enumerate() {
        let cells: Vec<String> = thresholds
            .iter()
            .map(|per_tag| {
                let list = &per_tag[t];
                let mean = list.iter().map(|(th, _)| f64::from(*th)).sum::<f64>() / list.len().max(1) as f64;
                format!("{mean:.2} ({}/{})", list.iter().filter(|(_, reached)| *reached).count(), list.len())
            })
            .collect();
        println!("| {} | {} |", tag.name(), cells.join(" | "));
    }

    if verbose {
        println!("\n### Per held-out photo (top-1 hits over its test images | tags predicted on the original)\n");
        println!(
            "| photo | subject | {} |",
            method_names.iter().map(|m| format!("{m}: top-1 | original")).collect::<Vec<_>>().join(" | ")
        );
        println!("|---|---|{}", "---|---|".repeat(methods));
        for row in &per_photo {
            println!("{row}");
        }
    }
    println!(
        "\nLeft out: {} (labels under two top-level tags); {}.",
        set.mixed.join(", "),
        set.too_small
            .iter()
            .map(|(t, p)| format!("{} ({} photos)", t.as_str(), p.len()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let folds = photos.len() as f64;
    println!(
        "\nTime: {:.1} s in all (load average at the start {load_at_start}, at the end {}); {images} images preprocessed + embedded + mapped in {:.1} s; training {} (total, mean per fold).",
        started.elapsed().as_secs_f64(),
        load_average(),
        embed_time.as_secs_f64(),
        NS.iter()
            .zip(&train_time)
            .map(|(n, d)| format!("N={n}: {:.1} s, {:.0} ms", d.as_secs_f64(), 1000.0 * d.as_secs_f64() / folds))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Ok(())
}
