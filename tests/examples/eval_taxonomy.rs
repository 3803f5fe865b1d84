//! Quality of the taxonomy tags on the labelled evaluation set (`tests/eval/labels.csv`, 50 real
//! photos, demo taxonomy).
//!
//! Usage: `cargo run --release -p smart_tags_tests --example eval_taxonomy` (after
//! `bash scripts/setup.sh --test`). Env `VERBOSE=0` leaves out the per-photo table and the links.
//!
//! The pipeline is the service's, called directly: a SQLite store in a temporary folder, the SKOS
//! demo taxonomy (`taxonomies/demo.ttl`) imported, `linker::relink` (lemma + MiniLM similarity
//! links), the mapping as `MappingCache` serves it; per photo, core's preprocessing (model input
//! and colours), the image model, softmax, `Tagger::candidates`, and `tags::apply` with the
//! default thresholds (min confidence 0.5, at most 20 tags) and no moderation.
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
//!
//! Every metric is computed twice: with the links the linker makes, and with its similarity links
//! (MiniLM) removed, to show what the text model adds.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use smart_tags_core::mapping::{self, ConceptLink, LinkMethod};
use smart_tags_core::prediction::softmax;
use smart_tags_core::tags::{apply, SmartTag, TagSource, Thresholds};
use smart_tags_core::taxonomy::{TagId, Taxonomy};
use smart_tags_core::ModelInput;
use smart_tags_service::tagger::Tagger;
use smart_tags_tests::labels::{read_labels, Labelled};
use smart_tags_tests::{demo_mapping, load_average, prepare, shared_engine, shared_tagger};

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
    /// Taxonomy tags shown for each alternative global threshold of the sweep.
    sweep: Vec<Vec<TagId>>,
    /// Which concept gave each scored tag its own confidence (None: a child did).
    because: BTreeMap<TagId, Option<String>>,
}

const SWEEP: [f32; 7] = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];

fn evaluate(tagger: &Tagger, taxonomy: &Taxonomy, links: &[ConceptLink], probs: &[f32], colors: &[smart_tags_core::color::ColorTag], model: &str) -> Outcome {
    let candidates = tagger.candidates(probs, model, taxonomy, links, colors);
    let taxonomy_ids = |tags: &[SmartTag]| -> Vec<(TagId, f32)> {
        tags.iter().filter(|t| t.source == TagSource::Taxonomy).map(|t| (TagId::parse(&t.id).unwrap(), t.confidence)).collect()
    };
    let mut ranked = taxonomy_ids(&candidates);
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| depth(&b.0).cmp(&depth(&a.0))).then_with(|| a.0.cmp(&b.0)));
    let returned = taxonomy_ids(&apply(&candidates, &Thresholds::default(), &BTreeMap::new()).smart);
    let sweep = SWEEP
        .iter()
        .map(|&min| {
            let thresholds = Thresholds { min_confidence: min, ..Thresholds::default() };
            taxonomy_ids(&apply(&candidates, &thresholds, &BTreeMap::new()).smart).into_iter().map(|(id, _)| id).collect()
        })
        .collect();
    let graph = tagger.graph();
    let classes_of = |wnid: &str| graph.find(wnid).map(|idx| graph.concept(idx).classes.as_slice());
    let because = mapping::score_tags(taxonomy, links, tagger.similarity(), classes_of, probs).into_iter().map(|s| (s.tag, s.concept)).collect();
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
}

impl Tally {
    fn add(&mut self, l: &Labelled, o: &Outcome) {
        let truth = true_set(&l.labels);
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
    let labelled = read_labels()?;

    // The service's pipeline, called directly.
    let engine = shared_engine();
    let tagger = shared_tagger();
    eprintln!("[eval] models loaded in {:.1} s", started.elapsed().as_secs_f64());
    let dir = tempfile::tempdir()?;
    let t = Instant::now();
    let (summary, mapping) = demo_mapping(dir.path(), &tagger)?;
    eprintln!("[eval] relinked in {:.1} s: {summary:?}", t.elapsed().as_secs_f64());
    let taxonomy = &mapping.taxonomy;
    for l in &labelled {
        for label in &l.labels {
            assert!(taxonomy.get(label).is_some(), "{}: {label} is not a tag of demo.ttl", l.photo);
        }
    }
    let lemma_only: Vec<ConceptLink> = mapping.links.iter().filter(|l| l.method != LinkMethod::Similarity).cloned().collect();
    let variants: [(&str, &[ConceptLink]); 2] = [("lemma + similarity (default)", &mapping.links), ("lemma only (similarity links removed)", &lemma_only)];

    let graph = tagger.graph();
    let concept_title = |wnid: &str| graph.find(wnid).map_or_else(|| wnid.to_owned(), |idx| graph.title(idx).to_owned());
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
        let mut classes: Vec<(usize, f32)> = probs.iter().copied().enumerate().collect();
        classes.sort_by(|a, b| b.1.total_cmp(&a.1));
        let imagenet = classes.iter().take(3).map(|(i, p)| format!("{} {:.2}", engine.labels().name(*i), p)).collect::<Vec<_>>().join(", ");
        let truth = true_set(&l.labels);
        let outcomes: Vec<Outcome> =
            variants.iter().map(|(_, links)| evaluate(&tagger, taxonomy, links, &probs, &prepared.colors, engine.version())).collect();
        for (v, o) in outcomes.iter().enumerate() {
            tallies[v][0].add(l, o);
            tallies[v][if l.blind.is_empty() { 1 } else { 2 }].add(l, o);
        }
        let o = &outcomes[0];
        for label in &l.labels {
            if !o.returned.iter().any(|(t, _)| t == label) {
                let best = o.ranked.iter().find(|(t, _)| t == label).map_or("not a candidate".to_owned(), |(_, c)| format!("{c:.2}"));
                // Does the model's most probable class reach the tag through a link of the tag or of a tag beneath it?
                let (top, p) = classes[0];
                let reaches = mapping.links.iter().any(|link| {
                    link.tag.is_within(label)
                        && graph.find(&link.concept).is_some_and(|idx| graph.concept(idx).classes.binary_search(&(top as u16)).is_ok())
                });
                let top1 = format!("{} {p:.2} → {}", engine.labels().name(top), if reaches { "linked" } else { "not linked" });
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
        let returned = o
            .returned
            .iter()
            .map(|(t, c)| if truth.contains(t) { format!("{} {c:.2}", short(t)) } else { format!("**{}** {c:.2}", short(t)) })
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

    println!("## Taxonomy tags on the evaluation set\n");
    println!(
        "{} photos (`tests/eval/labels.csv`), {} with an ImageNet blind spot; demo taxonomy from `taxonomies/demo.ttl`: {} tags, \
         {} links ({} lemma/synonym, {} similarity), {} tags unlinked; model `{}`, default thresholds (min confidence {}, at most {} tags).\n",
        labelled.len(),
        labelled.iter().filter(|l| !l.blind.is_empty()).count(),
        summary.tags,
        mapping.links.len(),
        summary.lemma_links,
        summary.similarity_links,
        summary.unlinked_tags,
        engine.version(),
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

    println!("### Global threshold sweep (lemma + similarity links; per-tag thresholds none, at most 20 tags)\n");
    println!("| min confidence | precision, all | recall, all | tags per photo | precision, no blind spot | recall, no blind spot |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for (i, min) in SWEEP.iter().enumerate() {
        let (a, c) = (&tallies[0][0], &tallies[0][1]);
        println!(
            "| {min:.1} | {} | {} | {:.2} | {} | {} |",
            pct(a.sweep_true[i], a.sweep_returned[i]),
            pct(a.sweep_labels[i], a.labels),
            a.sweep_returned[i] as f64 / a.photos as f64,
            pct(c.sweep_true[i], c.sweep_returned[i]),
            pct(c.sweep_labels[i], c.labels),
        );
    }

    println!("\n### Labelled tags not returned (lemma + similarity links)\n");
    println!("| photo | labelled tag | blind spot | its confidence | ImageNet top-1 → linked to the tag (or beneath)? |");
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
    println!("| photo | top-3, lemma only | top-3, with similarity | returned, lemma only | returned, with similarity |");
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
            format!("{} `{}` {} {:.2} [{} classes: {}{more}]", concept_title(&l.concept), l.concept, l.method.as_str(), l.score, classes.len(), names.join(", "))
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
