//! Search by tags at scale: the service's own store (`smart_tags_service::store`, SQLite, the
//! `asset_tags` index) filled through its real write path (`resolve_asset`, `save_prediction`,
//! which indexes each asset in its transaction), then queried as `GET /v1/assets/search` does
//! (`Store::search`, 50 hits a page). Reports the write rate, the index's size, query latency
//! (p50, p99) for two-tag queries and the catch-up rate after a thresholds change.
//!
//! Usage: `cargo run --release -p smart_tags_tests --example bench_search -- [ASSETS] [DIR]`
//! (default 100000; DIR keeps the database between runs — an existing one is reused as it is,
//! and only queried).
//!
//! Tags are synthetic, drawn to look like what real photos show (the search API test's photos
//! show 2–3 taxonomy tags with ancestors, 0–3 generic tags and 2–4 colours): a taxonomy of 16
//! top-level tags × 6 children × 4 grandchildren (496 tags); each asset shows 0 (30%), 1 (50%) or
//! 2 (20%) leaves, each with its ancestors, 1–4 of 1,000 generic concepts and 2–4 of 31 colours;
//! leaves, concepts and colours drawn by Zipf's law (s = 1), confidences uniform from 0.5 (0.05
//! for colours, whose threshold is 0) to 1.

use std::time::{Duration, Instant};

use smart_tags_core::tags::{SmartTag, TagSource, Thresholds};
use smart_tags_service::store::search::SearchTerm;
use smart_tags_service::store::{NewPrediction, Store};
use smart_tags_tests::views::SplitMix64;

const LEAVES: usize = 16 * 6 * 4;
const GENERIC: usize = 1000;
const COLORS: usize = 31;
const QUERIES: usize = 1000;
const PAGE: usize = 50;

/// Draws indices 0..n by Zipf's law (s = 1) from a precomputed cumulative table.
struct Zipf(Vec<f64>);

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut sum = 0.0;
        Zipf(
            (1..=n)
                .map(|k| {
                    sum += 1.0 / k as f64;
                    sum
                })
                .collect(),
        )
    }

    fn draw(&self, rng: &mut SplitMix64) -> usize {
        let x = rng.next_f64() * self.0.last().copied().unwrap_or(1.0);
        self.0.partition_point(|&c| c < x).min(self.0.len() - 1)
    }
}

fn leaf_id(i: usize) -> String {
    format!("bench:t{}/c{}/g{}", i / 24, (i / 4) % 6, i % 4)
}

fn tag(id: String, confidence: f32, source: TagSource) -> SmartTag {
    SmartTag {
        title: id.clone(),
        id,
        path: Vec::new(),
        confidence,
        source,
        model_version: "bench@1".into(),
        hex: None,
        threshold: None,
    }
}

fn draw_tags(rng: &mut SplitMix64, leaves: &Zipf, generic: &Zipf, colors: &Zipf) -> Vec<SmartTag> {
    let mut tags = Vec::new();
    let roll = rng.next_f64();
    let count = if roll < 0.3 {
        0
    } else if roll < 0.8 {
        1
    } else {
        2
    };
    for _ in 0..count {
        let leaf = leaves.draw(rng);
        let confidence = 0.5 + 0.5 * rng.next_f64() as f32;
        let id = leaf_id(leaf);
        // The mapping scores every ancestor too; the index would add them anyway.
        for ancestor in smart_tags_core::search::ancestors(&id).map(str::to_owned).collect::<Vec<_>>() {
            tags.push(tag(ancestor, confidence, TagSource::Taxonomy));
        }
        tags.push(tag(id, confidence, TagSource::Taxonomy));
    }
    for _ in 0..1 + (rng.next_u64() % 4) {
        tags.push(tag(
            format!("wordnet:n{:08}", generic.draw(rng)),
            0.5 + 0.5 * rng.next_f64() as f32,
            TagSource::Generic,
        ));
    }
    for _ in 0..2 + (rng.next_u64() % 3) {
        tags.push(tag(format!("color:c{}", colors.draw(rng)), 0.05 + 0.95 * rng.next_f64() as f32, TagSource::Color));
    }
    tags
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Runs each query once after a warm-up pass; answers the sorted latencies and the mean hits.
fn time_queries(store: &Store, queries: &[Vec<SearchTerm>]) -> (Vec<Duration>, f64) {
    for query in queries.iter().take(50) {
        store.search(query, None, PAGE, |_| true).unwrap();
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for query in queries {
        let start = Instant::now();
        let page = store.search(query, None, PAGE, |_| true).unwrap();
        times.push(start.elapsed());
        hits += page.hits.len();
    }
    times.sort();
    (times, hits as f64 / queries.len() as f64)
}

fn term(id: &str) -> SearchTerm {
    SearchTerm { tags: vec![id.to_owned()], word: None }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let assets: usize = args.next().map_or(100_000, |a| a.parse().expect("ASSETS is a number"));
    let kept = args.next().map(std::path::PathBuf::from);
    let temp = tempfile::tempdir().unwrap();
    let dir = kept.clone().unwrap_or_else(|| temp.path().to_owned());
    let path = dir.join(format!("search-{assets}.sqlite3"));
    let existed = path.exists();
    let store = Store::open(&path).unwrap();
    let (leaves, generic, colors) = (Zipf::new(LEAVES), Zipf::new(GENERIC), Zipf::new(COLORS));
    let mut rng = SplitMix64::new(17);
    if !existed {
        let start = Instant::now();
        for i in 0..assets {
            let hash = format!("{i:064x}");
            let key = store.resolve_asset(Some(&hash), Some(&format!("dam-{i}"))).unwrap();
            let prediction = NewPrediction {
                content_hash: Some(hash),
                model_version: "bench@1".into(),
                taxonomy_version: 0,
                settings_version: 0,
                trained_version: 0,
                tags: draw_tags(&mut rng, &leaves, &generic, &colors),
            };
            store.save_prediction(key, &prediction).unwrap();
            if (i + 1) % 100_000 == 0 {
                eprintln!("{} assets written, {:.0} per second", i + 1, (i + 1) as f64 / start.elapsed().as_secs_f64());
            }
        }
        let took = start.elapsed();
        println!(
            "write: {assets} assets (resolve_asset + save_prediction, indexed) in {:.1} s: {:.0} assets/s",
            took.as_secs_f64(),
            assets as f64 / took.as_secs_f64()
        );
    }
    let db = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("database: {:.0} MB ({:.0} bytes per asset, everything)", db as f64 / 1e6, db as f64 / assets as f64);

    // How many assets each tag finds (for drawing queries as users would: popular tags more).
    let mut counted: Vec<(String, usize)> = Vec::new();
    for i in 0..16 {
        counted.push((format!("bench:t{i}"), 0));
        for c in 0..6 {
            counted.push((format!("bench:t{i}/c{c}"), 0));
            for g in 0..4 {
                counted.push((format!("bench:t{i}/c{c}/g{g}"), 0));
            }
        }
    }
    for (id, count) in &mut counted {
        *count = store.search(&[term(id)], None, usize::MAX >> 1, |_| true).map(|p| p.hits.len()).unwrap_or(0);
    }
    let total: usize = counted.iter().map(|(_, c)| c).sum();
    let pick = |rng: &mut SplitMix64| {
        let mut x = (rng.next_f64() * total as f64) as usize;
        for (id, count) in &counted {
            if x < *count {
                return id.clone();
            }
            x -= count;
        }
        counted[0].0.clone()
    };
    let mut queries = Vec::new();
    while queries.len() < QUERIES {
        let (a, b) = (pick(&mut rng), pick(&mut rng));
        if a != b {
            queries.push(vec![term(&a), term(&b)]);
        }
    }
    let (times, hits) = time_queries(&store, &queries);
    println!("two taxonomy tags, drawn by how many assets show them ({QUERIES} queries, {PAGE} a page): p50 {}, p99 {}, max {} ({hits:.1} hits a page on average)", ms(percentile(&times, 0.5)), ms(percentile(&times, 0.99)), ms(times[times.len() - 1]));
    let mut uniform = Vec::new();
    while uniform.len() < QUERIES {
        let (a, b) = (rng.next_u64() as usize % counted.len(), rng.next_u64() as usize % counted.len());
        if a != b {
            uniform.push(vec![term(&counted[a].0), term(&counted[b].0)]);
        }
    }
    let (times, hits) = time_queries(&store, &uniform);
    println!("two taxonomy tags, any two alike ({QUERIES} queries): p50 {}, p99 {}, max {} ({hits:.1} hits a page on average)", ms(percentile(&times, 0.5)), ms(percentile(&times, 0.99)), ms(times[times.len() - 1]));
    // Words, as the route turns them into terms: each stands for a taxonomy tag (drawn by how
    // many assets show it) and two generic concepts, and for the words read in pictures.
    let mut worded = Vec::new();
    while worded.len() < QUERIES {
        let word = |rng: &mut SplitMix64, n: usize| SearchTerm {
            tags: vec![
                pick(rng),
                format!("wordnet:n{:08}", generic.draw(rng)),
                format!("wordnet:n{:08}", generic.draw(rng)),
            ],
            word: Some(format!("w{n}")),
        };
        let (a, b) = (word(&mut rng, 0), word(&mut rng, 1));
        if a.tags[0] != b.tags[0] {
            worded.push(vec![a, b]);
        }
    }
    let (times, hits) = time_queries(&store, &worded);
    println!("two words, each standing for 3 tags and read text ({QUERIES} queries): p50 {}, p99 {}, max {} ({hits:.1} hits a page on average)", ms(percentile(&times, 0.5)), ms(percentile(&times, 0.99)), ms(times[times.len() - 1]));
    let biggest = counted.iter().max_by_key(|(_, c)| *c).map(|(id, c)| (id.clone(), *c)).unwrap();
    let top_colors = [term("color:c0"), term("color:c1")];
    let color_rows: Vec<usize> = top_colors
        .iter()
        .map(|t| store.search(std::slice::from_ref(t), None, usize::MAX >> 1, |_| true).unwrap().hits.len())
        .collect();
    let (times, _) = time_queries(&store, &vec![top_colors.to_vec(); 100]);
    println!(
        "worst case, the two commonest tags (colours shown by {} and {} assets): p50 {}, p99 {}",
        color_rows[0],
        color_rows[1],
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
    let (times, _) = time_queries(&store, &vec![vec![term(&biggest.0), term("color:c0")]; 100]);
    println!(
        "the commonest taxonomy tag ({}, {} assets) and the commonest colour: p50 {}, p99 {}",
        biggest.0,
        biggest.1,
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );

    // A thresholds change: every asset is indexed again by the catch-up pass (measured on a new
    // database only; a kept one was measured when it was written).
    if existed {
        return;
    }
    let version = store.settings_version().unwrap();
    store
        .set_thresholds(
            &Thresholds { min_confidence: if version % 2 == 0 { 0.6 } else { 0.5 }, ..Thresholds::default() },
            "bench",
        )
        .unwrap();
    let start = Instant::now();
    let done = smart_tags_service::search_catch_up::catch_up(&store).unwrap();
    let took = start.elapsed();
    println!(
        "catch-up after a thresholds change: {done} assets in {:.1} s ({:.0} assets/s)",
        took.as_secs_f64(),
        done as f64 / took.as_secs_f64()
    );
}
