//! A burst of 50-megapixel photos on one back-end key against the image memory budget
//! (`--image-memory-mb`, issue 21): the release service and proxy as real processes; for each
//! budget, a fresh proxy takes `--burst` simultaneous `POST /api/v1/backend/assets/tag` of
//! 50 MP JPEGs (baseline 4:2:0, progressive 4:2:0 and progressive 4:4:4, in turn; `force`, so
//! every one is decoded and inferred), and the table gives the proxy's peak RSS (`VmHWM`), the
//! answers by status and the slowest answer. A budget of 1,000,000 MB stands for no budget.
//!
//! `scripts/bench-image-memory.sh` (builds, then runs this).

use std::time::{Duration, Instant};

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use serde_json::Value;
use smart_tags_tests::backend::Setup;

const WIDTH: u16 = 8660;
const HEIGHT: u16 = 5773;

/// A photo-like 50 MP JPEG: gradients with texture, so its size is realistic.
fn photo(seed: u32, progressive: bool, sampling: SamplingFactor) -> Vec<u8> {
    let (w, h) = (u32::from(WIDTH), u32::from(HEIGHT));
    let mut pixels = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h {
        for x in 0..w {
            let t = ((x * 7 + y * 13 + seed) ^ (x * y / 97)) as u8;
            pixels.extend_from_slice(&[(x / 31) as u8 ^ (t / 8), (y / 23) as u8, (((x + y) / 40) as u8) ^ (t / 16)]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, 82);
    encoder.set_progressive(progressive);
    encoder.set_sampling_factor(sampling);
    encoder.encode(&pixels, WIDTH, HEIGHT, ColorType::Rgb).expect("encode");
    out
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned()).unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() {
    let burst: usize = arg("--burst", "50").parse().expect("--burst N");
    let budgets: Vec<u64> =
        arg("--budgets", "1000000,2048,1024").split(',').map(|b| b.parse().expect("--budgets MB,MB")).collect();
    let wait_ms = arg("--wait-ms", "30000");
    let photos = [
        ("baseline 4:2:0", photo(1, false, SamplingFactor::F_2_2)),
        ("progressive 4:2:0", photo(2, true, SamplingFactor::F_2_2)),
        ("progressive 4:4:4", photo(3, true, SamplingFactor::F_1_1)),
    ];
    for (name, bytes) in &photos {
        println!("{name}: {WIDTH}x{HEIGHT}, {:.1} MB", bytes.len() as f64 / 1e6);
    }
    let root = tempfile::tempdir().expect("temp dir");
    let setup = Setup::new(root.path(), 9);
    let _service = setup.start_service().await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(600)).build().expect("client");
    println!("\n{burst} at once, --image-memory-wait-ms {wait_ms}");
    println!("| budget (MB) | proxy peak RSS (MB) | 200 | 503 busy | other | slowest answer (s) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for (run, budget) in budgets.iter().enumerate() {
        let budget_flag = budget.to_string();
        let proxy =
            setup.start_proxy_with(run, &["--image-memory-mb", &budget_flag, "--image-memory-wait-ms", &wait_ms]).await;
        let started = Instant::now();
        let requests = (0..burst).map(|i| {
            let (client, key) = (client.clone(), setup.key.clone());
            let url = format!("{}/api/v1/backend/assets/tag?asset_id=burst-{run}-{i}&force=true", setup.proxy());
            let body = photos[i % photos.len()].1.clone();
            tokio::spawn(async move {
                let response = client.post(url).bearer_auth(key).body(body).send().await;
                let status = match response {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let code = r.json::<Value>().await.ok().and_then(|v| v["code"].as_str().map(str::to_owned));
                        (status, code)
                    }
                    Err(e) => (0, Some(e.to_string())),
                };
                (status, started.elapsed())
            })
        });
        let mut answers = Vec::new();
        for request in requests.collect::<Vec<_>>() {
            answers.push(request.await.expect("request task"));
        }
        let rss = peak_rss_mb(proxy.child.id());
        let ok = answers.iter().filter(|a| a.0 .0 == 200).count();
        let busy = answers.iter().filter(|a| a.0 .0 == 503 && a.0 .1.as_deref() == Some("busy")).count();
        let slowest = answers.iter().map(|a| a.1).max().unwrap_or_default();
        let label = if *budget >= 1_000_000 { "none".to_owned() } else { budget.to_string() };
        println!(
            "| {label} | {rss:.0} | {ok} | {busy} | {} | {:.1} |",
            answers.len() - ok - busy,
            slowest.as_secs_f64()
        );
        for ((status, code), _) in answers.iter().filter(|a| a.0 .0 != 200 && a.0 .1.as_deref() != Some("busy")).take(3)
        {
            println!("    other: {status} {code:?}");
        }
        drop(proxy);
    }
}
