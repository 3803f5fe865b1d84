//! Concept roll-up on the real WordNet and the reference photos' real model outputs, and its speed.
//!
//! Usage: `cargo run --release -p smart_tags_core --example bench_concepts [-- --all]`
//! (env `ITERS`, default 10000; `SMART_TAGS_CACHE` as in the scripts). Reads `data.noun` and
//! `noun.exc` from `$CACHE/models/wordnet`, the class list from
//! `$CACHE/models/efficientnet-lite0/imagenet_synsets.txt` and the reference logits from
//! `tests/fixtures/reference/`. Prints, per photo, the concepts scoring at least 0.2 (taggable or,
//! with `--all`, every one) and the generic tags, then the median time of `roll_up` and of
//! `generic_tags` (min confidence 0.2, at most 20) per call.

use std::path::{Path, PathBuf};
use std::time::Instant;

use smart_tags_core::concepts::{ConceptGraph, Morphy, WordNet};
use smart_tags_core::prediction::softmax;

const PHOTOS: [&str; 5] = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png"];

fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SMART_TAGS_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache/smart-tags")
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (run scripts/setup.sh)", path.display()))
}

fn read_f32(path: &Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let all = std::env::args().any(|a| a == "--all");
    let iters: usize = std::env::var("ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let cache = cache_dir();
    let wordnet_dir = cache.join("models/wordnet");
    let classes: Vec<String> =
        read_text(&cache.join("models/efficientnet-lite0/imagenet_synsets.txt")).lines().map(str::to_owned).collect();

    let start = Instant::now();
    let wordnet = WordNet::parse(&read_text(&wordnet_dir.join("data.noun"))).expect("data.noun parses");
    let parse_ms = start.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    let morphy = Morphy::parse_exceptions(&read_text(&wordnet_dir.join("noun.exc"))).expect("noun.exc parses");
    let graph = ConceptGraph::build(&wordnet, &classes).expect("graph builds").with_morphy(morphy);
    let build_ms = start.elapsed().as_secs_f64() * 1e3;
    let taggable = graph.concepts().iter().filter(|c| c.taggable).count();
    let flat: usize = graph.concepts().iter().map(|c| c.classes.len()).sum();
    println!(
        "wordnet: {} synsets parsed in {parse_ms:.0} ms; graph: {} concepts ({taggable} taggable, {flat} class links) built in {build_ms:.1} ms",
        wordnet.synsets().len(),
        graph.concepts().len()
    );

    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference");
    let mut all_probs = Vec::new();
    for photo in PHOTOS {
        let probs = softmax(&read_f32(&reference.join(format!("{photo}.logits.f32"))));
        let scores = graph.roll_up(&probs);
        println!("\n== {photo}");
        let mut rows: Vec<usize> = (0..scores.len()).filter(|&i| scores[i] >= 0.2).collect();
        rows.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        for i in rows {
            let c = &graph.concepts()[i];
            if all || c.taggable {
                println!(
                    "  {:.3} {} {} [{}] lex {:02} depth {} classes {}{}",
                    scores[i],
                    c.wnid,
                    c.lemmas.join(", "),
                    c.gloss.chars().take(50).collect::<String>(),
                    c.lex_file,
                    c.depth,
                    c.classes.len(),
                    if c.taggable { "" } else { "  (not taggable)" }
                );
            }
        }
        let tags = graph.generic_tags(&scores, 0.2, 20);
        let names: Vec<String> = tags.iter().map(|&(i, s)| format!("{} {s:.2}", graph.title(i))).collect();
        println!("  generic tags: {}", names.join(", "));
        all_probs.push(probs);
    }

    // Timing: roll_up and generic_tags alternate over the five photos.
    let mut roll = Vec::with_capacity(iters);
    let mut tags = Vec::with_capacity(iters);
    let mut sink = 0usize;
    for i in 0..iters + 100 {
        let probs = &all_probs[i % all_probs.len()];
        let t0 = Instant::now();
        let scores = graph.roll_up(std::hint::black_box(probs));
        let t1 = Instant::now();
        let generic = graph.generic_tags(std::hint::black_box(&scores), 0.2, 20);
        let t2 = Instant::now();
        sink += generic.len();
        if i >= 100 {
            roll.push((t1 - t0).as_secs_f64() * 1e6);
            tags.push((t2 - t1).as_secs_f64() * 1e6);
        }
    }
    println!(
        "\n{iters} iterations: roll_up median {:.1} µs (min {:.1}), generic_tags median {:.1} µs (min {:.1}) [{sink}]",
        median(&mut roll.clone()),
        roll.iter().copied().fold(f64::INFINITY, f64::min),
        median(&mut tags.clone()),
        tags.iter().copied().fold(f64::INFINITY, f64::min),
    );
}
