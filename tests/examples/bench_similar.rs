//! The find-similar index at scale: recall@10 against exact search, query latency, memory per
//! vector, build, save and reload time — with the service's own index (`smart_tags_service::similar`:
//! usearch HNSW, cosine, connectivity 16, expansion 128 to add), for each storage type given and
//! search expansions 100 to 800 (the service's marked).
//!
//! Usage: `cargo run --release -p smart_tags_tests --example bench_similar -- [VECTORS] [f16 i8 f32…]`
//! (default 100000 f16 i8; after `bash scripts/setup.sh --test`). Two threads add vectors.
//!
//! Vectors are synthetic, drawn to match real embeddings' statistics: the image model embeds the
//! 374 labelled photos of both sets; each synthetic vector is their mean plus a Gaussian mix of
//! 32 of them minus the mean (`Σ zᵢ(xᵢ − mean)/√32`, `zᵢ ~ N(0, 1)`), clipped at 0 as the
//! pooled features are — the covariance of the real ones, not copies of them. 1,000 more drawn
//! the same way are the queries (new uploads). Exact neighbours: the cosine with every stored
//! vector in `f32`.

use std::time::{Duration, Instant};

use smart_tags_core::similarity::cosine;
use smart_tags_service::similar::{insert, new_index_with, DIMENSIONS};
use smart_tags_tests::labels::{read_labels, read_labels_from, set2_dir};
use smart_tags_tests::views::SplitMix64;
use smart_tags_tests::{cache_dir, shared_engine};
use usearch::ScalarKind;

const QUERIES: usize = 1000;
/// Queries whose exact neighbours are computed for recall (each scans every vector).
const RECALL_QUERIES: usize = 200;
const K: usize = 10;
const MIX: usize = 32;

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut SplitMix64) -> f32 {
    let (u, v) = (rng.next_f64().max(1e-12), rng.next_f64());
    ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
}

fn real_embeddings() -> Vec<Vec<f32>> {
    let root = cache_dir().join("fixtures");
    let mut labelled = read_labels().unwrap_or_else(|e| panic!("{e}"));
    labelled.extend(read_labels_from(&set2_dir().join("labels.csv")).unwrap_or_else(|e| panic!("{e}")));
    labelled
        .iter()
        .map(|l| {
            let bytes = std::fs::read(root.join(&l.photo)).unwrap_or_else(|e| panic!("{}: {e}", l.photo));
            let pre = smart_tags_core::preprocess(&bytes, &smart_tags_core::preprocess::Options::default())
                .unwrap_or_else(|e| panic!("{}: {e}", l.photo));
            shared_engine()
                .infer(std::slice::from_ref(&pre.model_input))
                .unwrap_or_else(|e| panic!("{e}"))
                .remove(0)
                .embedding
        })
        .collect()
}

fn draw(real: &[Vec<f32>], mean: &[f32], rng: &mut SplitMix64) -> Vec<f32> {
    let mut v = mean.to_vec();
    let scale = 1.0 / (MIX as f32).sqrt();
    for _ in 0..MIX {
        let x = &real[rng.up_to(real.len() as u32 - 1) as usize];
        let z = normal(rng) * scale;
        for ((out, xi), m) in v.iter_mut().zip(x).zip(mean) {
            *out += z * (xi - m);
        }
    }
    v.iter_mut().for_each(|x| *x = x.max(0.0));
    v
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn kind(name: &str) -> ScalarKind {
    match name {
        "f32" => ScalarKind::F32,
        "f16" => ScalarKind::F16,
        "i8" => ScalarKind::I8,
        other => panic!("unknown storage {other}: f32, f16 or i8"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut kinds: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    if kinds.is_empty() {
        kinds = vec!["f16", "i8"];
    }
    let started = Instant::now();
    let real = real_embeddings();
    let mut mean = vec![0f32; DIMENSIONS];
    for e in &real {
        for (m, x) in mean.iter_mut().zip(e) {
            *m += x / real.len() as f32;
        }
    }
    let mut rng = SplitMix64::new(17);
    let vectors: Vec<Vec<f32>> = (0..count).map(|_| draw(&real, &mean, &mut rng)).collect();
    let queries: Vec<Vec<f32>> = (0..QUERIES).map(|_| draw(&real, &mean, &mut rng)).collect();
    println!(
        "{} real embeddings, {count} synthetic vectors and {QUERIES} queries drawn in {:.1} s",
        real.len(),
        started.elapsed().as_secs_f64()
    );

    // Exact neighbours in f32, two threads.
    let started = Instant::now();
    let exact: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let halves: Vec<_> = [0, 1]
            .map(|half| {
                let (vectors, queries) = (&vectors, &queries);
                scope.spawn(move || {
                    (half * RECALL_QUERIES / 2..(half + 1) * RECALL_QUERIES / 2)
                        .map(|q| {
                            let mut scored: Vec<(f64, u64)> =
                                vectors.iter().enumerate().map(|(i, v)| (cosine(&queries[q], v), i as u64)).collect();
                            scored.select_nth_unstable_by(K, |a, b| b.0.total_cmp(&a.0));
                            scored[..K].iter().map(|s| s.1).collect()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .into_iter()
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    println!("exact top-{K} of {RECALL_QUERIES} queries in {:.1} s", started.elapsed().as_secs_f64());

    println!("\n| storage | search expansion | build (2 threads) | memory per vector | save | reload | recall@{K} | p50 | p99 |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for name in kinds {
        let index = new_index_with(count, kind(name)).unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        std::thread::scope(|scope| {
            for half in 0..2 {
                let (index, vectors) = (&index, &vectors);
                scope.spawn(move || {
                    for i in (half..count).step_by(2) {
                        insert(index, i as u64, &vectors[i]).unwrap_or_else(|e| panic!("{e}"));
                    }
                });
            }
        });
        let build = started.elapsed();
        let memory = index.memory_usage() as f64 / count as f64;
        let file = dir.path().join(format!("{name}.usearch"));
        let path = file.to_str().unwrap_or_default();
        let started = Instant::now();
        index.save(path).unwrap_or_else(|e| panic!("{e}"));
        let save = started.elapsed();
        let started = Instant::now();
        let reloaded = new_index_with(1, kind(name)).unwrap_or_else(|e| panic!("{e}"));
        reloaded.load(path).unwrap_or_else(|e| panic!("{e}"));
        let reload = started.elapsed();
        assert_eq!(reloaded.size(), count);
        drop(index);
        // Search expansions around the service's (marked).
        let service_expansion = reloaded.expansion_search();
        for expansion in [100, 200, 400, 800] {
            reloaded.change_expansion_search(expansion);
            let mut found = 0;
            let mut times = Vec::with_capacity(QUERIES);
            for (q, query) in queries.iter().enumerate() {
                let started = Instant::now();
                let matches = reloaded.search(query, K).unwrap_or_else(|e| panic!("{e}"));
                times.push(started.elapsed());
                if let Some(truth) = exact.get(q) {
                    found += matches.keys.iter().filter(|k| truth.contains(k)).count();
                }
            }
            times.sort();
            let recall = found as f64 / (RECALL_QUERIES * K) as f64;
            println!(
                "| {name} | {expansion}{} | {:.1} s ({:.0} vectors/s) | {:.0} bytes | {:.2} s | {:.2} s | {recall:.3} | {:.2} ms | {:.2} ms |",
                if expansion == service_expansion { " (service)" } else { "" },
                build.as_secs_f64(),
                count as f64 / build.as_secs_f64(),
                memory,
                save.as_secs_f64(),
                reload.as_secs_f64(),
                percentile(&times, 0.5),
                percentile(&times, 0.99)
            );
        }
    }
}
