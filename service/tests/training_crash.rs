//! A kill -9 during training leaves the store intact: the real service binary trains a large tag
//! model (100 tags x 40 synthetic embeddings, slow enough to be caught mid-run), is killed while
//! the job is training, and on restart the database passes SQLite's integrity check, the job is
//! marked failed as interrupted, the previous version is still the active one and training can
//! start again.
//!
//! Needs the cached image model and runtime (`scripts/setup.sh --test`).

// Test code: a failed unwrap is a failed test, helpers included.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use smart_tags_service::store::{NewExample, Store};

const TAGS: usize = 100;
const PER_TAG: usize = 40;
const DIM: usize = 1280;

fn cache() -> PathBuf {
    std::env::var_os("SMART_TAGS_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/smart-tags"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Service {
    child: Child,
    base: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(data_dir: &Path, seed: &Path) -> Service {
    let port = free_port();
    let model_dir = std::env::var_os("SMART_TAGS_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache().join("models/efficientnet-lite0"));
    let ort = std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache().join("onnxruntime/libonnxruntime.so"));
    let child = Command::new(env!("CARGO_BIN_EXE_smart-tags-service"))
        .args(["--open", "--listen", &format!("127.0.0.1:{port}"), "--threads", "1"])
        .arg("--model-dir")
        .arg(&model_dir)
        .arg("--ort-lib")
        .arg(&ort)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--seed-taxonomy")
        .arg(seed)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(data_dir.with_extension("log")).unwrap())
        .spawn()
        .unwrap();
    let mut service = Service { child, base: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    while reqwest::get(format!("{}/healthz", service.base)).await.is_err() {
        let log = || std::fs::read_to_string(data_dir.with_extension("log")).unwrap_or_default();
        assert!(service.child.try_wait().unwrap().is_none(), "the service exited:\n{}", log());
        assert!(started.elapsed() < Duration::from_secs(120), "the service did not start:\n{}", log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    service
}

async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut request = client.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Deterministic clustered embeddings: one non-negative prototype per tag plus noise.
fn synthetic_examples() -> Vec<NewExample> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f32 / (1u64 << 53) as f32
    };
    let prototypes: Vec<Vec<f32>> = (0..TAGS).map(|_| (0..DIM).map(|_| next() * 2.0).collect()).collect();
    let mut examples = Vec::new();
    for (t, prototype) in prototypes.iter().enumerate() {
        for i in 0..PER_TAG {
            let embedding = prototype.iter().map(|p| (p + (next() - 0.5) * 3.0).max(0.0)).collect();
            examples.push(NewExample {
                content_hash: format!("{t:03}-{i:03}"),
                embedding,
                tags: vec![format!("synth:t{t:03}")],
                file: None,
                picture: None,
            });
        }
    }
    examples
}

fn seed_taxonomy(path: &Path) {
    let mut tags: Vec<Value> = vec![json!({ "id": "synth:", "titles": { "en": "Synthetic" } })];
    tags.extend(
        (0..TAGS).map(|t| json!({ "id": format!("synth:t{t:03}"), "titles": { "en": format!("Product line {t}") } })),
    );
    std::fs::write(path, json!({ "format": "smart-tags-taxonomy", "version": 1, "tags": tags }).to_string()).unwrap();
}

async fn wait_for(base: &str, job: i64, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let (_, status) = call(reqwest::Method::GET, format!("{base}/v1/training/jobs/{job}"), None).await;
        if done(&status) {
            return status;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "job {job} stuck: {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_training_leaves_the_store_and_the_active_version_intact() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seed = dir.path().join("seed.json");
    seed_taxonomy(&seed);
    let service = start(&data, &seed).await;
    let base = service.base.clone();
    let (_, health) = call(reqwest::Method::GET, format!("{base}/healthz"), None).await;
    let image_model = health["model"].as_str().unwrap().to_owned();

    // Examples go in through a second connection to the same file, as the CLI import does.
    let store = Store::open(&data.join(smart_tags_service::DATABASE_FILE)).unwrap();
    store.add_examples(&image_model, &synthetic_examples()).unwrap();
    drop(store);

    let tags: Vec<String> = (0..TAGS).map(|t| format!("synth:t{t:03}")).collect();
    let model_url = format!("{base}/v1/training/models/product-lines");
    // Version 1: a quick model on 10 examples per tag.
    let quick = json!({ "tags": tags, "options": { "max_examples_per_tag": 10, "folds": 2 } });
    let (status, body) = call(reqwest::Method::PUT, model_url.clone(), Some(quick)).await;
    assert_eq!(status, 200, "{body}");
    let (status, job) = call(reqwest::Method::POST, format!("{model_url}/train"), Some(json!({}))).await;
    assert_eq!(status, 202, "{job}");
    let first =
        wait_for(&base, job["id"].as_i64().unwrap(), |j| j["status"] != "pending" && j["status"] != "training").await;
    assert_eq!(first["status"], "trained", "{first}");
    // Synthetic examples are near copies, too few distinct pictures a tag to activate on their
    // own (`held_back`): activated by hand.
    if first["held_back"].is_string() {
        let (status, body) = call(reqwest::Method::POST, format!("{model_url}/versions/1/activate"), None).await;
        assert_eq!(status, 200, "{body}");
    }

    // Version 2: all 40 examples per tag, five folds; killed mid-run.
    let slow = json!({ "tags": tags, "options": { "max_examples_per_tag": PER_TAG, "folds": 5 } });
    call(reqwest::Method::PUT, model_url.clone(), Some(slow)).await;
    let (status, job) = call(reqwest::Method::POST, format!("{model_url}/train"), Some(json!({}))).await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_i64().unwrap();
    let running = wait_for(&base, id, |j| {
        j["status"] == "training" && j["progress"].as_f64().unwrap_or(0.0) > 0.0 || j["status"] == "trained"
    })
    .await;
    assert_eq!(running["status"], "training", "training ended before the kill: make the model larger ({running})");
    let mut service = service;
    service.child.kill().unwrap(); // SIGKILL
    service.child.wait().unwrap();
    drop(service);

    let db = rusqlite::Connection::open(data.join(smart_tags_service::DATABASE_FILE)).unwrap();
    let check: String = db.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(check, "ok");
    drop(db);

    let service = start(&data, &seed).await;
    let base = service.base.clone();
    let (_, after) = call(reqwest::Method::GET, format!("{base}/v1/training/jobs/{id}"), None).await;
    assert_eq!(after["status"], "failed", "{after}");
    assert!(after["error"].as_str().unwrap().contains("interrupted"), "{after}");
    let (_, models) = call(reqwest::Method::GET, format!("{base}/v1/training/models"), None).await;
    let model = &models["models"][0];
    assert_eq!(model["active_version"], 1, "{models}");
    assert_eq!(model["versions"], 1, "{models}");
    let (_, examples) = call(reqwest::Method::GET, format!("{base}/v1/training/examples?tag=synth:t007"), None).await;
    assert_eq!(examples["examples"].as_array().unwrap().len(), PER_TAG);

    // Training starts again, and a cancel stops it without a new version.
    let (status, job) =
        call(reqwest::Method::POST, format!("{base}/v1/training/models/product-lines/train"), Some(json!({}))).await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_i64().unwrap();
    wait_for(&base, id, |j| j["status"] == "training").await;
    call(reqwest::Method::POST, format!("{base}/v1/training/jobs/{id}/cancel"), None).await;
    let cancelled = wait_for(&base, id, |j| j["status"] != "training" && j["status"] != "pending").await;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    let (_, versions) =
        call(reqwest::Method::GET, format!("{base}/v1/training/models/product-lines/versions"), None).await;
    assert_eq!(versions["versions"].as_array().unwrap().len(), 1);
}
