//! Inference benchmark of the Rust engine, the peer of `scripts/model/bench_onnxruntime.py`.
//!
//! Same method as the Python script: the reference coffee input (1x3x224x224), session with
//! intra-op threads N, inter-op 1, sequential execution, all graph optimisations (that is what
//! `Engine::load` builds); 5 warm-up runs, then `--iters` timed single-image runs; then one
//! warm-up run at batch 16 and `max(3, iters / 16)` timed batch-16 runs. Prints one JSON line:
//!
//! ```text
//! {"engine":"rust-ort","threads":N,"per_image_ms_median":..,"per_image_ms_p90":..,
//!  "batch16_images_per_s":..,"batch16_images_per_s_mean":..}
//! ```
//!
//! `batch16_images_per_s` is the median over the batch runs; `batch16_images_per_s_mean`
//! is total images / total time, which is how the Python script computes its figure.
//!
//! Run: `cargo run --release -p smart_tags_service --example bench_inference -- --threads 1 --iters 50`
//! Paths: `SMART_TAGS_MODEL_DIR` and `ORT_DYLIB_PATH`, defaulting to the cache that
//! `scripts/setup.sh` fills (`$SMART_TAGS_CACHE`, else `~/.cache/smart-tags`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use smart_tags_service::engine::{Engine, EngineConfig};

const WARMUP: usize = 5;
const BATCH: usize = 16;
const VALUES: usize = 3 * 224 * 224;

fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SMART_TAGS_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache/smart-tags")
}

fn env_path(name: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(name).map_or(default, PathBuf::from)
}

struct Args {
    threads: usize,
    iters: usize,
    input: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let default_input = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference/coffee.png.input.f32");
    let mut args = Args { threads: 1, iters: 50, input: default_input };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{name} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|_| format!("{name}: not a number: {v}"));
        match name.as_str() {
            "--threads" => args.threads = number(value()?)?,
            "--iters" => args.iters = number(value()?)?,
            "--input" => args.input = PathBuf::from(value()?),
            "-h" | "--help" => {
                return Err("usage: bench_inference [--threads N] [--iters K] [--input FILE.f32]".to_owned())
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.threads < 1 || args.iters < 1 {
        return Err("--threads and --iters must be >= 1".to_owned());
    }
    Ok(args)
}

fn read_f32(path: &Path) -> Result<Vec<f32>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let values: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    if values.len() != VALUES {
        return Err(format!("{} holds {} floats, not 1x3x224x224", path.display(), values.len()));
    }
    Ok(values)
}

/// `numpy.percentile` with its default linear interpolation (the median is q = 50).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = q / 100.0 * (sorted.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

/// Field order matches the Python script's JSON line.
#[derive(serde::Serialize)]
struct Report {
    engine: &'static str,
    threads: usize,
    per_image_ms_median: f64,
    per_image_ms_p90: f64,
    batch16_images_per_s: f64,
    batch16_images_per_s_mean: f64,
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let cache = cache_dir();
    let config = EngineConfig {
        model_dir: env_path("SMART_TAGS_MODEL_DIR", cache.join("models/efficientnet-lite0")),
        runtime_library: env_path("ORT_DYLIB_PATH", cache.join("onnxruntime/libonnxruntime.so")),
        threads: args.threads,
    };
    let engine = Engine::load(&config).map_err(|e| e.to_string())?;
    let x = read_f32(&args.input)?;
    let infer = |tensor: &[f32], batch: usize| engine.infer_tensor(tensor, batch).map_err(|e| e.to_string());

    for _ in 0..WARMUP {
        infer(&x, 1)?;
    }
    let mut times = Vec::with_capacity(args.iters);
    for _ in 0..args.iters {
        let t0 = Instant::now();
        let out = infer(&x, 1)?;
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(out);
    }
    times.sort_by(f64::total_cmp);

    let xb: Vec<f32> = x.iter().copied().cycle().take(BATCH * VALUES).collect();
    infer(&xb, BATCH)?; // warm-up at this shape
    let batch_iters = (args.iters / BATCH).max(3);
    let mut batch_times = Vec::with_capacity(batch_iters);
    for _ in 0..batch_iters {
        let t0 = Instant::now();
        let out = infer(&xb, BATCH)?;
        batch_times.push(t0.elapsed().as_secs_f64());
        std::hint::black_box(out);
    }
    let batch_total: f64 = batch_times.iter().sum();
    batch_times.sort_by(f64::total_cmp);

    let report = Report {
        engine: "rust-ort",
        threads: args.threads,
        per_image_ms_median: round(percentile(&times, 50.0), 3),
        per_image_ms_p90: round(percentile(&times, 90.0), 3),
        batch16_images_per_s: round(BATCH as f64 / percentile(&batch_times, 50.0), 2),
        batch16_images_per_s_mean: round((BATCH * batch_iters) as f64 / batch_total, 2),
    };
    let report = serde_json::to_string(&report).map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench_inference: {message}");
            ExitCode::FAILURE
        }
    }
}
