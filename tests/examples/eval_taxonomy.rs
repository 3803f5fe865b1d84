//! Quality of the taxonomy tags on a labelled evaluation set: `demo` (`tests/eval/labels.csv`, 50
//! real photos, the demo taxonomy) or `set2` (`tests/eval/set2/`, its own taxonomy written before
//! any result was seen).
//!
//! Usage: `cargo run --release -p smart_tags_tests --example eval_taxonomy -- [demo|set2] [all|calibration|held-out] [fit]`
//! (after `bash scripts/setup.sh --test`; set2's photos: `scripts/setup-eval-photos.sh`). Env
//! `VERBOSE=0` leaves out the per-photo table and the links; `PEOPLE=1` runs the face and person
//! detectors on each photo's thumbnail too (the service's people step), `PEOPLE=0` or unset does not;
//! `SCENE_TRUTH=1` also counts a tag naming a scene the scene set's labels give the photo
//! as right (`SET2_SCENE_TAGS`); `TAXONOMY_THRESHOLD=v` gives the taxonomy tags another threshold;
//! `SCENES=1` adds the built-in scene model's tags (the scenes step; `SCENE_MODEL=file` another scene model). The split is by photo group (see
//! `smart_tags_tests::labels::in_calibration_half`): calibration and thresholds may be fitted on `calibration` only, and
//! the numbers worth reporting are `held-out`. Each run writes its raw (uncalibrated) candidates to
//! `target/eval/raw-samples-<set>-<split>.csv`; `… calibration fit` fits the taxonomy calibration
//! on the calibration halves of both sets (run `demo calibration` and `set2 calibration` first)
//! and prints it as `core::calibration::TAXONOMY_KNOTS`.
//!
//! The pipeline is the service's, called directly: a SQLite store in a temporary folder, the SKOS
//! demo taxonomy (`taxonomies/demo.ttl`) imported, `linker::relink` (lemma + MiniLM similarity
//! links), the mapping as `MappingCache` serves it; per photo, core's preprocessing (model input
//! and colours), the image model, softmax, `Tagger::candidates`, and `tags::apply` with the
//! default thresholds (the taxonomy tags' own `TAXONOMY_THRESHOLD`, 0.5 for generic tags, at most
//! 20 tags) and no moderation.
//!
//! Metrics (printed again with the results):
//! - *true set* of a photo: its labelled tags and all their ancestors, the namespace root `demo:`
//!   left out;
//! - *ranking*: the photo's taxonomy candidates (every taxonomy tag scored ≥ 0.05, whatever the
//!   threshold), most confident first; on a tie the deeper tag first (a parent's confidence is
//!   at least its best child's, so a tie means the child explains it), then by id;
//! - *top-1 hit*: the first tag of the ranking is in the true set; *top-3 hit*: one of the first
//!   three is; *specific* top-1/top-3 hit: the tag equals or lies beneath a labelled tag (not only
//!   a parent such as Animals);
//! - *precision*: over all photos, returned taxonomy tags in the true set / returned taxonomy tags;
//! - *recall*: over all photos, labelled tags returned / labelled tags (labelled tags are the most
//!   specific true tags);
//! - *blind spot*: a labelled tag for something ImageNet-1k has no class for (column `blind_spot`
//!   of labels.csv, from tests/eval/README.md). Metrics are given over all photos, over the photos
//!   without any blind spot, and over the photos with one.
//! - *per category*: the same per top-level tag of the labels (a photo counts in each category it
//!   is labelled with); precision and top-1 with their 95% Wilson interval;
//! - *calibration*: every taxonomy candidate (≥ 0.05) of every photo is a forecast that the tag is
//!   in the photo's true set; ECE is the mean |accuracy − confidence| over 10 equal-width bins,
//!   weighted by the bin's share of the candidates, with the reliability table beside it.
//!
//! Every metric is computed twice: with the links the linker makes, and with its similarity links
//! (MiniLM) removed, to show what the text model adds.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use smart_tags_core::decode::decode;
use smart_tags_core::detect::classes::Detected;
use smart_tags_core::detect::THUMBNAIL_LIMITS;
use smart_tags_core::mapping::{ConceptLink, LinkMethod, ScoringPlan};
use smart_tags_core::prediction::softmax;
use smart_tags_core::tags::{apply, SmartTag, TagSource, Thresholds};
use smart_tags_core::taxonomy::{TagId, Taxonomy};
use smart_tags_core::ModelInput;
use smart_tags_service::routes::taxonomy::TaxonomyFormat;
use smart_tags_service::tagger::Tagger;
use smart_tags_tests::labels::{in_calibration_half, pct_ci, read_labels, read_labels_from, set2_dir, Labelled};
use smart_tags_tests::{
    demo_mapping, load_average, mapping_of, prepare, shared_detectors, shared_engine, shared_tagger,
};

const BINS: usize = 10;

/// Reliability bins: (count, sum of confidences, correct).
#[derive(Default, Clone)]
struct Reliability {
    bins: [(usize, f64, usize); BINS],
}

impl Reliability {
    fn add(&mut self, confidence: f32, correct: bool) {
        let b = ((confidence.clamp(0.0, 1.0) * BINS as f32) as usize).min(BINS - 1);
        self.bins[b].0 += 1;
        self.bins[b].1 += f64::from(confidence);
        self.bins[b].2 += usize::from(correct);
    }

    fn ece(&self) -> f64 {
        let total: usize = self.bins.iter().map(|b| b.0).sum();
        if total == 0 {
            return 0.0;
        }
        self.bins
            .iter()
            .filter(|b| b.0 > 0)
            .map(|&(n, sum, ok)| (n as f64 / total as f64) * (ok as f64 / n as f64 - sum / n as f64).abs())
            .sum()
    }
}

/// With `SCENE_TRUTH=1`, a returned tag also counts as right when it names a scene the scene set's
/// labels (`tests/eval/scenes/labels.csv` for set 2, `set1-labels.csv` for set 1; frozen apart,
/// before any scene model ran) give the photo: both sets' labels name the main subject only, so a
/// true sky over a monument would count as wrong. The scene → tag tables are definitional (the
/// tags' titles), never tuned. Labels and recall are unchanged; only what counts as right grows.
const SET2_SCENE_TAGS: &[(&str, &str)] = &[
    ("sky", "eval:nature/sky"),
    ("clouds", "eval:nature/sky"),
    ("sunset", "eval:nature/sunset"),
    ("night", "eval:nature/night"),
    ("sea", "eval:nature/sea-coast"),
    ("beach", "eval:nature/beach"),
    ("lake", "eval:nature/lakes-rivers"),
    ("river", "eval:nature/lakes-rivers"),
    ("waterfall", "eval:nature/lakes-rivers"),
    ("mountains", "eval:nature/mountains"),
    ("forest", "eval:nature/forest"),
    ("snow", "eval:nature/snow-ice"),
    ("fields", "eval:nature/fields"),
    ("desert", "eval:nature/desert"),
    ("city", "eval:urban"),
    ("street", "eval:urban/street"),
    ("buildings", "eval:urban/buildings"),
    ("interior", "eval:urban/interiors"),
];

/// Set 1's (the demo taxonomy's): a lake, river, waterfall, field, desert or snow view is a
/// Landscape, which has no child for them; the demo taxonomy names no city, street, interior,
/// sunset or night.
const DEMO_SCENE_TAGS: &[(&str, &str)] = &[
    ("sky", "demo:landscape/sky-clouds"),
    ("clouds", "demo:landscape/sky-clouds"),
    ("sea", "demo:landscape/sea"),
    ("beach", "demo:landscape/beach"),
    ("mountains", "demo:landscape/mountains"),
    ("forest", "demo:landscape/forest"),
    ("lake", "demo:landscape"),
    ("river", "demo:landscape"),
    ("waterfall", "demo:landscape"),
    ("fields", "demo:landscape"),
    ("desert", "demo:landscape"),
    ("snow", "demo:landscape"),
    ("buildings", "demo:buildings"),
];

/// The tags (with their ancestors) each photo's scene labels make right.
fn scene_truth(set: &str) -> Result<BTreeMap<String, BTreeSet<TagId>>, Box<dyn std::error::Error>> {
    let (file, table) =
        if set == "set2" { ("labels.csv", SET2_SCENE_TAGS) } else { ("set1-labels.csv", DEMO_SCENE_TAGS) };
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/scenes").join(file))?;
    let rows = smart_tags_tests::labels::parse_csv(&text);
    let header = rows.first().ok_or("empty scene labels")?;
    let col = |name: &str| header.iter().position(|h| h == name).ok_or(format!("no {name} column in the scene labels"));
    let (photo, scenes) = (col("photo")?, col("scenes")?);
    let mut truth = BTreeMap::new();
    for row in rows.iter().skip(1) {
        let (Some(file), Some(list)) = (row.get(photo), row.get(scenes)) else { continue };
        let tags: Vec<TagId> = list
            .split('|')
            .filter_map(|scene| table.iter().find(|(s, _)| *s == scene.trim()))
            .map(|(_, tag)| TagId::parse(tag))
            .collect::<Result<_, _>>()?;
        truth.insert(file.clone(), true_set(&tags));
    }
    Ok(truth)
}

/// The labels and all their ancestors, the namespace root left out.
fn true_set(labels: &[TagId]) -> BTreeSet<TagId> {
    labels.iter().flat_map(TagId::ancestors_and_self).filter(|t| !t.is_namespace()).collect()
}

fn depth(id: &TagId) -> usize {
    id.ancestors_and_self().len()
}

/// What one mapping variant gives one photo.
struct Outcome {
    /// Taxonomy candidates, ranked (see the module documentation).
    ranked: Vec<(TagId, f32)>,
    /// Taxonomy tags shown after `apply`, most confident first.
    returned: Vec<(TagId, f32)>,
    /// Taxonomy tags shown for each alternative taxonomy threshold of the sweep.
    sweep: Vec<Vec<TagId>>,
    /// Which concept gave each scored tag its own confidence (None: a child did).
    because: BTreeMap<TagId, Option<String>>,
}

const SWEEP: [f32; 10] = [0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];

fn evaluate(
    tagger: &Tagger,
    taxonomy: &Taxonomy,
    plan: &ScoringPlan,
    probs: &[f32],
    detected: Detected<'_>,
    colors: &[smart_tags_core::color::ColorTag],
    model: &str,
) -> Outcome {
    let mut candidates = tagger.candidates(probs, detected, model, taxonomy, plan, colors);
    // TAXONOMY_THRESHOLD=<value>: another threshold for the taxonomy tags (0.5: the global
    // minimum they had before they carried their own).
    if let Some(own) = std::env::var("TAXONOMY_THRESHOLD").ok().and_then(|v| v.parse::<f32>().ok()) {
        candidates.iter_mut().filter(|t| t.source == TagSource::Taxonomy).for_each(|t| t.threshold = Some(own));
    }
    let taxonomy_ids = |tags: &[SmartTag]| -> Vec<(TagId, f32)> {
        tags.iter()
            .filter(|t| t.source == TagSource::Taxonomy)
            .map(|t| (TagId::parse(&t.id).unwrap(), t.confidence))
            .collect()
    };
    let mut ranked = taxonomy_ids(&candidates);
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| depth(&b.0).cmp(&depth(&a.0))).then_with(|| a.0.cmp(&b.0)));
    let returned = taxonomy_ids(&apply(&candidates, &Thresholds::default(), &BTreeMap::new()).smart);
    let sweep = SWEEP
        .iter()
        .map(|&own| {
            let mut swept = candidates.clone();
            swept.iter_mut().filter(|t| t.source == TagSource::Taxonomy).for_each(|t| t.threshold = Some(own));
            taxonomy_ids(&apply(&swept, &Thresholds::default(), &BTreeMap::new()).smart)
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        })
        .collect();
    let because =
        plan.score(&tagger.class_probabilities(probs, detected)).into_iter().map(|s| (s.tag, s.concept)).collect();
    Outcome { ranked, returned, sweep, because }
}

/// Counters of one (variant, subset) cell of the results table.
#[derive(Default, Clone)]
struct Tally {
    photos: usize,
    top1: usize,
    top3: usize,
    top1_specific: usize,
    top3_specific: usize,
    returned: usize,
    returned_true: usize,
    labels: usize,
    labels_returned: usize,
    photos_without_tags: usize,
    sweep_returned: [usize; SWEEP.len()],
    sweep_true: [usize; SWEEP.len()],
    sweep_labels: [usize; SWEEP.len()],
    sweep_empty: [usize; SWEEP.len()],
}

impl Tally {
    fn add(&mut self, l: &Labelled, truth: &BTreeSet<TagId>, o: &Outcome) {
        let specific = |t: &TagId| l.labels.iter().any(|label| t.is_within(label));
        self.photos += 1;
        self.top1 += usize::from(o.ranked.first().is_some_and(|(t, _)| truth.contains(t)));
        self.top3 += usize::from(o.ranked.iter().take(3).any(|(t, _)| truth.contains(t)));
        self.top1_specific += usize::from(o.ranked.first().is_some_and(|(t, _)| specific(t)));
        self.top3_specific += usize::from(o.ranked.iter().take(3).any(|(t, _)| specific(t)));
        self.returned += o.returned.len();
        self.returned_true += o.returned.iter().filter(|(t, _)| truth.contains(t)).count();
        self.labels += l.labels.len();
        self.labels_returned += l.labels.iter().filter(|label| o.returned.iter().any(|(t, _)| t == *label)).count();
        self.photos_without_tags += usize::from(o.returned.is_empty());
        for (i, shown) in o.sweep.iter().enumerate() {
            self.sweep_returned[i] += shown.len();
            self.sweep_true[i] += shown.iter().filter(|t| truth.contains(t)).count();
            self.sweep_labels[i] += l.labels.iter().filter(|label| shown.contains(label)).count();
            self.sweep_empty[i] += usize::from(shown.is_empty());
        }
    }
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        return "n/a".to_owned();
    }
    format!("{n}/{d} ({:.0}%)", 100.0 * n as f64 / d as f64)
}

fn short(id: &TagId) -> &str {
    id.path()
}

fn list(tags: &[(TagId, f32)]) -> String {
    if tags.is_empty() {
        return "—".to_owned();
    }
    tags.iter().map(|(t, c)| format!("{} {:.2}", short(t), c)).collect::<Vec<_>>().join(", ")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verbose = std::env::var("VERBOSE").map_or(true, |v| v != "0");
    let started = Instant::now();
    eprintln!("[eval] load average at start: {}", load_average());
    let args: Vec<String> = std::env::args().skip(1).collect();
    let set = args.first().map_or("demo", String::as_str).to_owned();
    let split = args.get(1).map_or("all", String::as_str).to_owned();
    let fit = args.get(2).is_some_and(|a| a == "fit");
    if !matches!(split.as_str(), "all" | "calibration" | "held-out")
        || !matches!(set.as_str(), "demo" | "set2")
        || (fit && split != "calibration")
    {
        return Err("usage: eval_taxonomy [demo|set2] [all|calibration|held-out] [fit (calibration only)]".into());
    }
    let all_labelled = if set == "demo" { read_labels()? } else { read_labels_from(&set2_dir().join("labels.csv"))? };
    let scene_truth =
        if std::env::var("SCENE_TRUTH").is_ok_and(|v| v == "1") { scene_truth(&set)? } else { BTreeMap::new() };
    let labelled: Vec<Labelled> = all_labelled
        .into_iter()
        .filter(|l| match split.as_str() {
            "calibration" => in_calibration_half(&l.group),
            "held-out" => !in_calibration_half(&l.group),
            _ => true,
        })
        .collect();

    // The service's pipeline, called directly.
    let engine = shared_engine();
    let detectors = std::env::var("PEOPLE").is_ok_and(|v| v == "1").then(shared_detectors);
    let scenes = std::env::var("SCENES").is_ok_and(|v| v == "1").then(|| {
        // SCENE_MODEL=file: another scene model, e.g. the one `eval_scenes` trains on the
        // calibration half only (SAVE_MODEL=file), which has never seen set 2's held-out photos.
        let shipped = smart_tags_tests::model_dir()
            .parent()
            .expect("the models folder")
            .join(smart_tags_service::scenes::SCENE_MODEL_FILE);
        let file = std::env::var_os("SCENE_MODEL").map_or(shipped, std::path::PathBuf::from);
        smart_tags_service::scenes::SceneModel::load(&file, engine.version())
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/setup-scenes.sh)", file.display()))
    });
    let tagger = shared_tagger();
    eprintln!("[eval] models loaded in {:.1} s", started.elapsed().as_secs_f64());
    let dir = tempfile::tempdir()?;
    let t = Instant::now();
    let (summary, mapping) = if set == "demo" {
        demo_mapping(dir.path(), &tagger)?
    } else {
        mapping_of(
            dir.path(),
            &tagger,
            TaxonomyFormat::Csv,
            &std::fs::read_to_string(set2_dir().join("taxonomy.csv"))?,
        )?
    };
    eprintln!("[eval] relinked in {:.1} s: {summary:?}", t.elapsed().as_secs_f64());
    let taxonomy = &mapping.taxonomy;
    for l in &labelled {
        for label in &l.labels {
            assert!(taxonomy.get(label).is_some(), "{}: {label} is not a tag of the {set} taxonomy", l.photo);
        }
    }
    for tag in scene_truth.values().flatten() {
        assert!(taxonomy.get(tag).is_some(), "the scene table names {tag}, which is not a tag of the {set} taxonomy");
    }
    let category_of = |t: &TagId| -> TagId {
        t.ancestors_and_self().into_iter().find(|a| !a.is_namespace()).unwrap_or_else(|| t.clone())
    };
    let mut categories: BTreeMap<TagId, Tally> = BTreeMap::new();
    let mut reliability = [Reliability::default(), Reliability::default()];
    // Raw (uncalibrated) taxonomy scores of the default links: the reliability before the
    // calibration, and the samples a calibration is fitted on.
    let mut raw_reliability = Reliability::default();
    let mut raw_samples: Vec<(f32, bool)> = Vec::new();
    let lemma_only: Vec<ConceptLink> =
        mapping.links.iter().filter(|l| l.method != LinkMethod::Similarity).cloned().collect();
    let variants: [(&str, &[ConceptLink]); 2] =
        [("lemma + similarity (default)", &mapping.links), ("lemma only (similarity links removed)", &lemma_only)];
    let plans: Vec<ScoringPlan> = variants.iter().map(|(_, links)| tagger.plan(taxonomy, links)).collect();

    let graph = tagger.graph();
    let concept_title =
        |wnid: &str| graph.find(wnid).map_or_else(|| wnid.to_owned(), |idx| graph.title(idx).to_owned());
    let link_of = |links: &[ConceptLink], tag: &TagId, concept: &str| -> String {
        let method = links.iter().find(|l| &l.tag == tag && l.concept == concept).map_or("?", |l| l.method.as_str());
        format!("{} ({method})", concept_title(concept))
    };

    // [variant][subset: all, without blind spot, with blind spot]
    let mut tallies = vec![vec![Tally::default(); 3]; variants.len()];
    let mut per_photo = Vec::new();
    let mut misses: Vec<(String, TagId, bool, String, String)> = Vec::new();
    let mut wrong: Vec<(String, TagId, f32, String)> = Vec::new();
    let mut sim_changes: Vec<String> = Vec::new();
    for l in &labelled {
        let prepared = prepare(&l.photo);
        let input = ModelInput::from_bytes(prepared.model_input)?;
        let output = engine.infer(std::slice::from_ref(&input))?;
        let probs = softmax(&output[0].logits);
        // With PEOPLE=1, the face and person detectors run on the thumbnail, as the service does
        // with the people step on.
        let people = detectors.as_ref().map(|d| {
            let image =
                decode(&prepared.thumbnail, &THUMBNAIL_LIMITS).unwrap_or_else(|e| panic!("{}: {e}", l.photo)).image;
            d.people(&image).unwrap_or_else(|e| panic!("{}: {e}", l.photo)).summary
        });
        // With SCENES=1, the built-in scene model runs on the embedding (the scenes step).
        let scene_confidences = scenes.as_ref().and_then(|s| s.confidences(&output[0].embedding));
        let detected = Detected { people: people.as_ref(), text: None, words: &[], scenes: scene_confidences.as_ref() };
        let all_probs = tagger.class_probabilities(&probs, detected);
        let mut classes: Vec<(usize, f32)> = probs.iter().copied().enumerate().collect();
        classes.sort_by(|a, b| b.1.total_cmp(&a.1));
        let imagenet = classes
            .iter()
            .take(3)
            .map(|(i, p)| format!("{} {:.2}", engine.labels().name(*i), p))
            .collect::<Vec<_>>()
            .join(", ");
        let mut truth = true_set(&l.labels);
        truth.extend(scene_truth.get(&l.photo).into_iter().flatten().cloned());
        let outcomes: Vec<Outcome> = plans
            .iter()
            .map(|plan| evaluate(&tagger, taxonomy, plan, &probs, detected, &prepared.colors, engine.version()))
            .collect();
        for (v, o) in outcomes.iter().enumerate() {
            tallies[v][0].add(l, &truth, o);
            tallies[v][if l.blind.is_empty() { 1 } else { 2 }].add(l, &truth, o);
            for (t, c) in &o.ranked {
                reliability[v].add(*c, truth.contains(t));
            }
        }
        for score in plans[0].score(&all_probs).into_iter().filter(|s| s.confidence >= 0.05) {
            let correct = truth.contains(&score.tag);
            raw_reliability.add(score.confidence, correct);
            raw_samples.push((score.confidence, correct));
        }
        let photo_categories: BTreeSet<TagId> = l.labels.iter().map(category_of).collect();
        for category in photo_categories {
            categories.entry(category).or_default().add(l, &truth, &outcomes[0]);
        }
        let o = &outcomes[0];
        for label in &l.labels {
            if !o.returned.iter().any(|(t, _)| t == label) {
                let best = o
                    .ranked
                    .iter()
                    .find(|(t, _)| t == label)
                    .map_or("not a candidate".to_owned(), |(_, c)| format!("{c:.2}"));
                // Does the model's most probable class reach the tag through a link of the tag or of a tag beneath it?
                let (top, p) = classes[0];
                let reaches = mapping.links.iter().any(|link| {
                    link.tag.is_within(label)
                        && graph
                            .find(&link.concept)
                            .is_some_and(|idx| graph.concept(idx).classes.binary_search(&(top as u16)).is_ok())
                });
                let top1 =
                    format!("{} {p:.2} → {}", engine.labels().name(top), if reaches { "linked" } else { "not linked" });
                misses.push((l.photo.clone(), label.clone(), l.blind.contains(label), best, top1));
            }
        }
        for (t, c) in o.returned.iter().filter(|(t, _)| !truth.contains(t)) {
            let why = match o.because.get(t).cloned().flatten() {
                Some(concept) => link_of(&mapping.links, t, &concept),
                None => "from a child".to_owned(),
            };
            wrong.push((l.photo.clone(), t.clone(), *c, why));
        }
        let (a, b) = (&outcomes[0], &outcomes[1]);
        if a.returned != b.returned || a.ranked.iter().take(3).map(|x| &x.0).ne(b.ranked.iter().take(3).map(|x| &x.0)) {
            sim_changes.push(format!(
                "| {} | {} | {} | {} | {} |",
                l.photo,
                list(&b.ranked.iter().take(3).cloned().collect::<Vec<_>>()),
                list(&a.ranked.iter().take(3).cloned().collect::<Vec<_>>()),
                list(&b.returned),
                list(&a.returned)
            ));
        }
        let top3: Vec<(TagId, f32)> = o.ranked.iter().take(3).cloned().collect();
        let hit = |n: usize| o.ranked.iter().take(n).any(|(t, _)| truth.contains(t));
        let labels = l
            .labels
            .iter()
            .map(|t| if l.blind.contains(t) { format!("{} (blind spot)", short(t)) } else { short(t).to_owned() })
            .collect::<Vec<_>>()
            .join(", ");
        let returned =
            o.returned
                .iter()
                .map(|(t, c)| {
                    if truth.contains(t) {
                        format!("{} {c:.2}", short(t))
                    } else {
                        format!("**{}** {c:.2}", short(t))
                    }
                })
                .collect::<Vec<_>>();
        let returned = if returned.is_empty() { "—".to_owned() } else { returned.join(", ") };
        per_photo.push(format!(
            "| {} | {labels} | {imagenet} | {} | {}{} | {returned} |",
            l.photo,
            list(&top3),
            if hit(1) { "1" } else { "–" },
            if hit(3) { "/3" } else { "/–" },
        ));
    }

    println!("## Taxonomy tags on the evaluation set `{set}` ({split})\n");
    println!(
        "{} photos, {} with an ImageNet blind spot; taxonomy: {} tags, \
         {} links ({} lemma/synonym, {} similarity), {} tags unlinked; model `{}`, default thresholds (taxonomy tags {}, generic tags {}, at most {} tags).\n",
        labelled.len(),
        labelled.iter().filter(|l| !l.blind.is_empty()).count(),
        summary.tags,
        mapping.links.len(),
        summary.lemma_links,
        summary.similarity_links,
        summary.unlinked_tags,
        engine.version(),
        std::env::var("TAXONOMY_THRESHOLD").ok().and_then(|v| v.parse::<f32>().ok()).unwrap_or(smart_tags_core::calibration::TAXONOMY_THRESHOLD),
        Thresholds::default().min_confidence,
        Thresholds::default().max_tags,
    );
    println!("| photos | links | top-1 hit | top-3 hit | top-1 specific | top-3 specific | precision (returned) | recall (labelled tags) | photos with no taxonomy tag |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let subsets = ["all", "without blind spots", "with a blind spot"];
    for (s, subset) in subsets.iter().enumerate() {
        for (v, (name, _)) in variants.iter().enumerate() {
            let t = &tallies[v][s];
            println!(
                "| {subset} ({}) | {name} | {} | {} | {} | {} | {} | {} | {} |",
                t.photos,
                pct(t.top1, t.photos),
                pct(t.top3, t.photos),
                pct(t.top1_specific, t.photos),
                pct(t.top3_specific, t.photos),
                pct(t.returned_true, t.returned),
                pct(t.labels_returned, t.labels),
                pct(t.photos_without_tags, t.photos),
            );
        }
    }
    println!(
        "\nTrue set: the labels and their ancestors (without `demo:`). Ranking: taxonomy candidates (confidence ≥ 0.05, whatever the \
         threshold), most confident first, ties: deeper tag first. Top-k hit: one of the first k is in the true set; specific: \
         it equals or lies beneath a labelled tag. Precision: returned taxonomy tags (after `apply` with the default thresholds) \
         in the true set / returned taxonomy tags, over all photos. Recall: labelled tags returned / labelled tags.\n"
    );

    let targets = &tallies[0][1];
    println!(
        "Targets (photos without blind spots): top-1 {} (≥ 80%), precision {} (≥ 90%), no taxonomy tag {} (≤ 15%), \
         ECE over all candidates {:.3} (≤ 0.05; lemma only: {:.3}).\n",
        pct_ci(targets.top1, targets.photos),
        pct_ci(targets.returned_true, targets.returned),
        pct_ci(targets.photos_without_tags, targets.photos),
        reliability[0].ece(),
        reliability[1].ece(),
    );

    println!("### Per category (lemma + similarity links; 95% Wilson intervals)\n");
    println!("| category | photos | top-1 hit | top-3 hit | precision (returned) | recall (labelled tags) | no taxonomy tag |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (category, t) in &categories {
        let title = taxonomy.get(category).map_or(category.path(), |tag| tag.title("en"));
        println!(
            "| {title} | {} | {} | {} | {} | {} | {} |",
            t.photos,
            pct_ci(t.top1, t.photos),
            pct(t.top3, t.photos),
            pct_ci(t.returned_true, t.returned),
            pct(t.labels_returned, t.labels),
            pct(t.photos_without_tags, t.photos),
        );
    }

    println!("\n### Calibration of taxonomy confidences (every candidate ≥ 0.05; lemma + similarity links)\n");
    println!(
        "ECE {:.3} as served (calibration `{}`), {:.3} raw. Reliability: per confidence bin, the candidates, their mean \
         confidence and the share that is right (95% Wilson).\n",
        reliability[0].ece(),
        if tagger.calibration().knots().len() > 1 { "TAXONOMY_KNOTS" } else { "none" },
        raw_reliability.ece(),
    );
    for (name, r) in [("as served", &reliability[0]), ("raw", &raw_reliability)] {
        println!("| confidence ({name}) | candidates | mean confidence | right |");
        println!("|---|---:|---:|---:|");
        for (b, &(n, sum, ok)) in r.bins.iter().enumerate() {
            if n == 0 {
                continue;
            }
            println!(
                "| {:.1}–{:.1} | {n} | {:.2} | {} |",
                b as f64 / BINS as f64,
                (b + 1) as f64 / BINS as f64,
                sum / n as f64,
                pct_ci(ok, n)
            );
        }
        println!();
    }
    // The raw samples of this run, for fitting on the calibration halves of both sets together.
    let samples_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/eval");
    std::fs::create_dir_all(&samples_dir)?;
    let lines: Vec<String> = raw_samples.iter().map(|(c, ok)| format!("{c},{}", u8::from(*ok))).collect();
    std::fs::write(samples_dir.join(format!("raw-samples-{set}-{split}.csv")), lines.join("\n") + "\n")?;
    if fit {
        let mut all: Vec<(f32, bool)> = Vec::new();
        let mut sources = Vec::new();
        for name in ["demo", "set2"] {
            let Ok(text) = std::fs::read_to_string(samples_dir.join(format!("raw-samples-{name}-calibration.csv")))
            else {
                continue;
            };
            let before = all.len();
            all.extend(
                text.lines()
                    .filter_map(|l| l.split_once(','))
                    .filter_map(|(c, ok)| Some((c.parse::<f32>().ok()?, ok == "1"))),
            );
            sources.push(format!("{name}: {}", all.len() - before));
        }
        let fitted = smart_tags_core::calibration::Calibration::fit(&all, 20).ok_or("no samples to fit")?;
        let knots: Vec<String> = fitted.knots().iter().map(|(x, y)| format!("({x:.4}, {y:.4})")).collect();
        println!(
            "### Fitted calibration ({} raw candidates of the calibration halves — {}; blocks of at least 20)\n",
            all.len(),
            sources.join(", ")
        );
        println!("```rust\npub const TAXONOMY_KNOTS: &[(f32, f32)] = &[{}];\n```\n", knots.join(", "));
    }

    println!("### Taxonomy threshold sweep (lemma + similarity links; the taxonomy tags' own threshold, per-tag overrides none, at most 20 tags)\n");
    println!("| taxonomy threshold | precision, all | recall, all | tags per photo | no taxonomy tag, all | precision, no blind spot | recall, no blind spot | no taxonomy tag, no blind spot |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (i, own) in SWEEP.iter().enumerate() {
        let (a, c) = (&tallies[0][0], &tallies[0][1]);
        println!(
            "| {own:.2} | {} | {} | {:.2} | {} | {} | {} | {} |",
            pct(a.sweep_true[i], a.sweep_returned[i]),
            pct(a.sweep_labels[i], a.labels),
            a.sweep_returned[i] as f64 / a.photos as f64,
            pct(a.sweep_empty[i], a.photos),
            pct(c.sweep_true[i], c.sweep_returned[i]),
            pct(c.sweep_labels[i], c.labels),
            pct(c.sweep_empty[i], c.photos),
        );
    }

    println!("\n### Labelled tags not returned (lemma + similarity links)\n");
    println!(
        "| photo | labelled tag | blind spot | its confidence | ImageNet top-1 → linked to the tag (or beneath)? |"
    );
    println!("|---|---|---|---:|---|");
    for (photo, tag, blind, best, top1) in &misses {
        println!("| {photo} | {} | {} | {best} | {top1} |", short(tag), if *blind { "yes" } else { "**no**" });
    }
    let blind_misses = misses.iter().filter(|m| m.2).count();
    println!("\n{} misses: {blind_misses} blind spots, {} others.", misses.len(), misses.len() - blind_misses);

    println!("\n### Returned tags that are wrong (lemma + similarity links)\n");
    println!("| photo | tag | confidence | own confidence from the link to |");
    println!("|---|---|---:|---|");
    for (photo, tag, c, why) in &wrong {
        println!("| {photo} | {} | {c:.2} | {why} |", short(tag));
    }

    println!("\n### Photos where the similarity links change the top-3 or the returned tags\n");
    println!(
        "| photo | top-3, lemma only | top-3, with similarity | returned, lemma only | returned, with similarity |"
    );
    println!("|---|---|---|---|---|");
    for row in &sim_changes {
        println!("{row}");
    }

    if verbose {
        println!("\n### Per photo (lemma + similarity links; wrong returned tags in bold)\n");
        println!("| photo | labels | ImageNet top-3 | taxonomy top-3 | hit top-1/top-3 | returned (≥ 0.5) |");
        println!("|---|---|---|---|---|---|");
        for row in &per_photo {
            println!("{row}");
        }
        // A link as `title wnid method score (classes beneath: first few names, count)`.
        let link_detail = |l: &ConceptLink| -> String {
            let classes: &[u16] = graph.find(&l.concept).map_or(&[], |idx| graph.concept(idx).classes.as_slice());
            let names: Vec<&str> = classes.iter().take(3).map(|&c| engine.labels().name(usize::from(c))).collect();
            let more = if classes.len() > 3 { ", …" } else { "" };
            format!(
                "{} `{}` {} {:.2} [{} classes: {}{more}]",
                concept_title(&l.concept),
                l.concept,
                l.method.as_str(),
                l.score,
                classes.len(),
                names.join(", ")
            )
        };
        println!("\n### Links of the demo taxonomy\n");
        println!("| tag | links: concept, wnid, method, score [ImageNet classes beneath] |");
        println!("|---|---|");
        let mut by_tag: BTreeMap<&TagId, Vec<&ConceptLink>> = BTreeMap::new();
        for link in &mapping.links {
            by_tag.entry(&link.tag).or_default().push(link);
        }
        for tag in taxonomy.tags().filter(|t| !t.id.is_namespace()) {
            let links = by_tag.get(&tag.id).map_or_else(
                || "—".to_owned(),
                |links| links.iter().map(|l| link_detail(l)).collect::<Vec<_>>().join("; "),
            );
            println!("| {} | {links} |", short(&tag.id));
        }
    }
    eprintln!("[eval] done in {:.1} s; load average at the end: {}", started.elapsed().as_secs_f64(), load_average());
    Ok(())
}
