//! A batch job end to end through the back-end API (`scripts/bench-batch.sh`): the release service
//! and proxy as processes, one job over the fixture photos repeated to about `--images` (60)
//! items — `force: true`, so the model runs for every item even where the bytes repeat — and the
//! time from the upload to the job's end. Prints images/s and where an item's time goes: core's
//! preprocessing (decode and the rest), the image model (the service's `inference_ms`) and the
//! rest of the service call (storage, transport, waiting for the model).
//!
//! `cargo build --release -p smart_tags_service -p smart_tags_proxy && cargo run --release -p smart_tags_tests --example bench_batch -- [--images 60]`

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use smart_tags_tests::backend::{job_body, photos, Setup};

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(((values.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let wanted: usize = args.iter().position(|a| a == "--images").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()).unwrap_or(60);
    let root = tempfile::tempdir().unwrap();
    let setup = Setup::new(root.path(), 9);
    let _service = setup.start_service().await;
    let _proxy = setup.start_proxy(1).await;
    let photos = photos();
    let items: Vec<(String, Vec<u8>)> = (0..wanted).map(|i| {
        let (name, bytes) = &photos[i % photos.len()];
        (format!("r{}-{name}", i / photos.len()), bytes.clone())
    }).collect();
    let upload_bytes: usize = items.iter().map(|(_, b)| b.len()).sum();
    let (content_type, body) = job_body(&items, &json!({"force": true}));
    let client = reqwest::Client::new();
    let started = Instant::now();
    let created: Value = client
        .post(format!("{}/api/v1/backend/jobs", setup.proxy()))
        .bearer_auth(&setup.key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uploaded = started.elapsed();
    let id = created["job_id"].as_str().expect("a job id").to_owned();
    let job = loop {
        let (_, job) = setup.get(&format!("/api/v1/backend/jobs/{id}?wait=60")).await;
        if job["status"] != "queued" && job["status"] != "running" {
            break job;
        }
    };
    let total = started.elapsed();
    let (_, page) = setup.get(&format!("/api/v1/backend/jobs/{id}/results?limit=1000")).await;
    let results = page["results"].as_array().unwrap();
    let timing = |key: &str| -> Vec<f64> { results.iter().filter_map(|r| r["timings"][key].as_f64()).collect() };
    let preprocess = timing("preprocess_ms");
    let decode = timing("decode_ms");
    let inference = timing("inference_ms");
    let service = timing("service_ms");
    let mut per_item: Vec<f64> = results.iter().map(|r| r["timings"]["preprocess_ms"].as_f64().unwrap_or(0.0) + r["timings"]["service_ms"].as_f64().unwrap_or(0.0)).collect();
    let rest: Vec<f64> = results.iter().filter_map(|r| Some(r["timings"]["service_ms"].as_f64()? - r["timings"]["inference_ms"].as_f64()?)).collect();
    let done = job["done"].as_u64().unwrap_or(0);
    println!("cores: {}", std::thread::available_parallelism().map_or(0, |n| n.get()));
    println!("job: {} items ({} distinct photos, {:.1} MB), status {}, done {done}, failed {}", items.len(), photos.len(), upload_bytes as f64 / 1e6, job["status"], job["failed"]);
    println!("upload (multipart → spool): {:.2} s", uploaded.as_secs_f64());
    println!("upload → job end: {:.2} s → {:.2} images/s", total.as_secs_f64(), done as f64 / total.as_secs_f64());
    println!("after the upload: {:.2} images/s", done as f64 / (total - uploaded).max(Duration::from_millis(1)).as_secs_f64());
    println!("per item, mean ms: preprocess {:.1} (decode {:.1}), inference {:.1}, rest of the service call {:.1}; item p50 {:.1}, p95 {:.1}",
        mean(&preprocess), mean(&decode), mean(&inference), mean(&rest), percentile(&mut per_item.clone(), 0.5), percentile(&mut per_item, 0.95));
    println!("service call mean {:.1} ms (inference runs {} of {})", mean(&service), inference.len(), results.len());
}
