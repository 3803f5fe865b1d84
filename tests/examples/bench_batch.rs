//! Batch tagging on the server (`scripts/bench-batch.sh`): the release service and proxy as real
//! processes and, side by side in each round, (a) one batch job (`POST /api/v1/backend/jobs`)
//! over every fixture JPEG, its original bytes, long-polled to its end, and (b) the same photos
//! one after the other through the single-image route `POST /api/v1/backend/assets/tag`. The one
//! going first flips each round. `force: true`, so the model runs for every image in every round
//! (the content-hash idempotency would otherwise answer round 2 from the stored prediction).
//!
//! Prints images/s end to end and where an image's time goes: decoding and the rest of core's
//! preprocessing (the per-asset result's `timings`), the image model (the service's
//! `inference_ms`, which includes waiting for the engine's lock), the rest of the service call
//! (storage, candidates, transport) and what lies outside the item (the upload and spool, the
//! request itself, recording the result, idle worker slots).
//!
//! `cargo build --release -p smart_tags_service -p smart_tags_proxy && cargo run --release -p smart_tags_tests --example bench_batch -- [--images N (at most the distinct JPEGs)] [--rounds 3]`

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use smart_tags_tests::backend::{job_body, Setup};
use smart_tags_tests::{cache_dir, load_average, sha256_hex};

/// Every JPEG of the fixture cache, distinct bytes only, as (asset id, bytes).
fn fixture_jpegs() -> Vec<(String, Vec<u8>)> {
    let root = cache_dir().join("fixtures");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    folders.sort();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for folder in folders {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
            if ext != "jpg" && ext != "jpeg" {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            if seen.insert(sha256_hex(&bytes)) {
                let name = format!(
                    "{}-{}",
                    folder.file_name().unwrap().to_string_lossy(),
                    path.file_name().unwrap().to_string_lossy()
                );
                out.push((name, bytes));
            }
        }
    }
    assert!(out.len() >= 20, "too few fixture JPEGs ({}): run `bash scripts/setup-fixtures.sh`", out.len());
    out
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

fn p95(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(((values.len() as f64 - 1.0) * 0.95).round() as usize).copied().unwrap_or(0.0)
}

/// CPU time (user + system, every thread, ended ones too) of a process so far, in ms, from
/// `/proc/<pid>/stat` (in USER_HZ ticks, which is 100 on Linux).
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) * 10.0
}

/// The CPU time the proxy and the service spent while `run` ran, per image.
async fn with_cpu<F: std::future::Future<Output = Run>>(pids: (u32, u32), run: F) -> Run {
    let before = (cpu_ms(pids.0), cpu_ms(pids.1));
    let mut run = run.await;
    let images = run.ok.max(1) as f64;
    run.cpu_proxy = (cpu_ms(pids.0) - before.0) / images;
    run.cpu_service = (cpu_ms(pids.1) - before.1) / images;
    run
}

/// One mode's run: wall time, images tagged, and the per-image means (ms).
struct Run {
    wall: Duration,
    ok: usize,
    errors: usize,
    reused: usize,
    decode: f64,
    preprocess_rest: f64,
    inference: f64,
    service_rest: f64,
    /// Wall time per image (× the worker's concurrency for a job) minus the item's own time.
    outside: f64,
    item_p95: f64,
    upload: Option<Duration>,
    /// The job's own span: `created_at` (the upload spooled) to `updated_at` (its end).
    server: Option<Duration>,
    /// CPU ms per image of the proxy and of the service.
    cpu_proxy: f64,
    cpu_service: f64,
}

impl Run {
    fn images_per_s(&self) -> f64 {
        self.ok as f64 / self.wall.as_secs_f64()
    }
}

/// `busy`: the span the items were worked on (the job's own span; the whole run sequentially).
fn summarise(results: &[Value], wall: Duration, busy: Duration, slots: f64, upload: Option<Duration>) -> Run {
    let get = |r: &Value, key: &str| r["timings"][key].as_f64();
    let ok: Vec<&Value> =
        results.iter().filter(|r| r["outcome"] == "completed" && get(r, "inference_ms").is_some()).collect();
    let field = |f: &dyn Fn(&Value) -> Option<f64>| -> Vec<f64> { ok.iter().filter_map(|r| f(r)).collect() };
    let items = field(&|r| Some(get(r, "preprocess_ms")? + get(r, "service_ms")?));
    let per_image_wall = busy.as_secs_f64() * 1000.0 * slots / ok.len().max(1) as f64;
    Run {
        wall,
        ok: ok.len(),
        errors: results.iter().filter(|r| r["outcome"] != "completed").count(),
        reused: results.iter().filter(|r| r["reused"] == true).count(),
        decode: mean(&field(&|r| get(r, "decode_ms"))),
        preprocess_rest: mean(&field(&|r| Some(get(r, "preprocess_ms")? - get(r, "decode_ms")?))),
        inference: mean(&field(&|r| get(r, "inference_ms"))),
        service_rest: mean(&field(&|r| Some(get(r, "service_ms")? - get(r, "inference_ms")?))),
        outside: per_image_wall - mean(&items),
        item_p95: p95(items),
        upload,
        server: upload.map(|_| busy),
        cpu_proxy: 0.0,
        cpu_service: 0.0,
    }
}

/// (a) One job over `items`, long-polled to its end.
async fn batch(setup: &Setup, client: &reqwest::Client, items: &[(String, Vec<u8>)]) -> Run {
    let (content_type, body) = job_body(items, &json!({"force": true}));
    let started = Instant::now();
    let response = client
        .post(format!("{}/api/v1/backend/jobs", setup.proxy()))
        .bearer_auth(&setup.key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202, "job creation");
    let created: Value = response.json().await.unwrap();
    let uploaded = started.elapsed();
    let id = created["job_id"].as_str().expect("a job id").to_owned();
    let job = loop {
        let (_, job) = setup.get(&format!("/api/v1/backend/jobs/{id}?wait=60")).await;
        if job["status"] != "queued" && job["status"] != "running" {
            assert_eq!(job["status"], "completed", "{job}");
            break job;
        }
    };
    let wall = started.elapsed();
    let span_ms = job["updated_at"].as_u64().unwrap_or(0).saturating_sub(job["created_at"].as_u64().unwrap_or(0));
    let server = Duration::from_millis(span_ms.max(1));
    let (_, page) = setup.get(&format!("/api/v1/backend/jobs/{id}/results?limit=1000")).await;
    let results = page["results"].as_array().expect("results").clone();
    assert_eq!(results.len(), items.len(), "a result per item");
    // The worker tags 2 items at a time (proxy/src/backend/config.rs).
    summarise(&results, wall, server, 2.0, Some(uploaded))
}

/// (b) The single-image route, one image after the other.
async fn single(setup: &Setup, client: &reqwest::Client, items: &[(String, Vec<u8>)]) -> Run {
    let mut results = Vec::with_capacity(items.len());
    let started = Instant::now();
    for (name, bytes) in items {
        let response = client
            .post(format!("{}/api/v1/backend/assets/tag?asset_id={name}&force=true", setup.proxy()))
            .bearer_auth(&setup.key)
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let result: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status == 200, "{name}: {status} {result}");
        results.push(result);
    }
    let wall = started.elapsed();
    summarise(&results, wall, wall, 1.0, None)
}

fn row(label: &str, run: &Run) -> String {
    format!(
        "| {label} | {} | {:.2} | {:.2} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {:.1} | {:.1} |",
        run.ok,
        run.wall.as_secs_f64(),
        run.images_per_s(),
        run.server.map_or("—".to_owned(), |s| format!("{:.2}", run.ok as f64 / s.as_secs_f64())),
        run.decode,
        run.preprocess_rest,
        run.inference,
        run.service_rest,
        run.outside,
        run.item_p95,
        run.upload.map_or("—".to_owned(), |u| format!("{:.2}", u.as_secs_f64())),
        run.cpu_proxy,
        run.cpu_service,
    )
}

fn median_run(runs: &[Run]) -> Run {
    let m = |f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
    Run {
        wall: Duration::from_secs_f64(m(&|r| r.wall.as_secs_f64())),
        ok: runs.first().map_or(0, |r| r.ok),
        errors: runs.iter().map(|r| r.errors).sum(),
        reused: runs.iter().map(|r| r.reused).sum(),
        decode: m(&|r| r.decode),
        preprocess_rest: m(&|r| r.preprocess_rest),
        inference: m(&|r| r.inference),
        service_rest: m(&|r| r.service_rest),
        outside: m(&|r| r.outside),
        item_p95: m(&|r| r.item_p95),
        upload: median_of(runs.iter().map(|r| r.upload).collect()),
        server: median_of(runs.iter().map(|r| r.server).collect()),
        cpu_proxy: m(&|r| r.cpu_proxy),
        cpu_service: m(&|r| r.cpu_service),
    }
}

fn median_of(spans: Option<Vec<Duration>>) -> Option<Duration> {
    spans
        .filter(|s| !s.is_empty())
        .map(|s| Duration::from_secs_f64(median(s.iter().map(Duration::as_secs_f64).collect())))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|n| n.parse::<usize>().ok())
    };
    let rounds = flag("--rounds").unwrap_or(3).max(1);
    let jpegs = fixture_jpegs();
    // At most the distinct photos: the same bytes under a second asset id are tagged from the
    // stored model output, so repeating them would measure the model less than once per image.
    let wanted = flag("--images").unwrap_or(jpegs.len()).clamp(1, jpegs.len());
    let items: Vec<(String, Vec<u8>)> = jpegs.into_iter().take(wanted).collect();
    let megabytes = items.iter().map(|(_, b)| b.len()).sum::<usize>() as f64 / 1e6;

    let root = tempfile::tempdir().unwrap();
    let setup = Setup::new(root.path(), 9);
    let service = setup.start_service().await;
    let proxy = setup.start_proxy(1).await;
    let pids = (proxy.child.id(), service.child.id());
    let client = reqwest::Client::new();
    // Warm-up: the first inference loads the session's kernels; the taxonomy mapping is built.
    single(&setup, &client, &items[..2.min(items.len())]).await;

    println!(
        "cores: {}; images: {} (distinct JPEGs, {megabytes:.1} MB); rounds: {rounds}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        items.len()
    );
    println!("load average at the start: {}", load_average());
    println!();
    println!("| round | mode | images | wall s | images/s end to end | images/s job span | decode | rest of preprocess | inference | rest of service call | outside the item | item p95 | upload s | CPU ms/image proxy | CPU ms/image service |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut batches, mut singles) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let batch_first = round % 2 == 0;
        for mode in if batch_first { ["batch", "single"] } else { ["single", "batch"] } {
            if mode == "batch" {
                let run = with_cpu(pids, batch(&setup, &client, &items)).await;
                println!("{}", row(&format!("{} | batch job", round + 1), &run));
                batches.push(run);
            } else {
                let run = with_cpu(pids, single(&setup, &client, &items)).await;
                println!("{}", row(&format!("{} | single route, sequential", round + 1), &run));
                singles.push(run);
            }
        }
    }
    let (batch, single) = (median_run(&batches), median_run(&singles));
    println!("| median | batch job | {}", row("", &batch).trim_start_matches("|  | "));
    println!("| median | single route, sequential | {}", row("", &single).trim_start_matches("|  | "));
    println!();
    println!("load average at the end: {}", load_average());
    println!(
        "median images/s: batch job {:.2}, single route sequential {:.2} (ratio {:.2}); not completed: {} batch, {} single; reused: {} (force: expected 0)",
        batch.images_per_s(),
        single.images_per_s(),
        batch.images_per_s() / single.images_per_s(),
        batch.errors,
        single.errors,
        batch.reused + single.reused,
    );
    let ratios: Vec<f64> = batches.iter().zip(&singles).map(|(b, s)| b.images_per_s() / s.images_per_s()).collect();
    println!(
        "per round, end to end, batch job / single route: {} (median {:.2})",
        ratios.iter().map(|r| format!("{r:.2}")).collect::<Vec<_>>().join(", "),
        median(ratios.clone()),
    );
    println!(
        "CPU per image (median): batch {:.1} ms (proxy {:.1} + service {:.1}), single {:.1} ms → at most {:.0} and {:.0} images/s on 2 idle cores",
        batch.cpu_proxy + batch.cpu_service,
        batch.cpu_proxy,
        batch.cpu_service,
        single.cpu_proxy + single.cpu_service,
        2000.0 / (batch.cpu_proxy + batch.cpu_service).max(0.1),
        2000.0 / (single.cpu_proxy + single.cpu_service).max(0.1),
    );
    println!("per-image columns: mean ms over the round's images; `outside the item` = span × slots / images − (preprocess + service call), span = the job's created_at → updated_at with 2 slots (its worker), the whole run with 1 slot sequentially; end to end = from the upload's start to the long poll's answer");
}
