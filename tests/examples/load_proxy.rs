//! Open-loop load generator: the latency the proxy adds in front of the tagging service.
//!
//! Sends `GET <path>` at a fixed rate to two targets in turn — the service directly (with an
//! access token, as the proxy would) and the proxy (which signs, exchanges and caches its own
//! token) — and reports p50/p99/max latency per target and rate. Requests are scheduled on a
//! fixed clock and each latency is measured from its *scheduled* start, so a stall shows up in
//! the numbers instead of slowing the sender (no coordinated omission). Run through
//! `scripts/bench-proxy.sh`, which starts both servers on a fresh integration.
//!
//! Env: DIRECT (service base URL), PROXY (proxy base URL), TOKEN (access token for DIRECT),
//! DIRECT_PATH (`/v1/taxonomy/suggest?q=ca&limit=5`), PROXY_PATH
//! (`/api/v1/taxonomy/suggest?q=ca&limit=5`), RATES ("200 1000"), DURATION (10, seconds per run), ROUNDS (3).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

struct Target {
    name: &'static str,
    url: String,
    token: Option<String>,
}

#[derive(Default)]
struct Run {
    latencies_us: Vec<u64>,
    errors: usize,
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

async fn run(client: &reqwest::Client, target: &Target, rate: u64, seconds: u64) -> Run {
    let results = Arc::new(Mutex::new(Run::default()));
    let total = rate * seconds;
    let period = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let scheduled = start + period.mul_f64(i as f64);
        tokio::time::sleep_until(scheduled.into()).await;
        let mut request = client.get(&target.url);
        if let Some(token) = &target.token {
            request = request.bearer_auth(token);
        }
        let results = Arc::clone(&results);
        tasks.push(tokio::spawn(async move {
            let ok = match request.send().await {
                Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                Err(_) => false,
            };
            let elapsed = scheduled.elapsed().as_micros() as u64;
            let mut results = results.lock().await;
            if ok {
                results.latencies_us.push(elapsed);
            } else {
                results.errors += 1;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut run = std::mem::take(&mut *results.lock().await);
    run.latencies_us.sort_unstable();
    run
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let direct = env("DIRECT", "http://127.0.0.1:7701");
    let proxy = env("PROXY", "http://127.0.0.1:8080");
    let targets = [
        Target {
            name: "service directly",
            url: format!("{direct}{}", env("DIRECT_PATH", "/v1/taxonomy/suggest?q=ca&limit=5")),
            token: std::env::var("TOKEN").ok(),
        },
        Target {
            name: "through the proxy",
            url: format!("{proxy}{}", env("PROXY_PATH", "/api/v1/taxonomy/suggest?q=ca&limit=5")),
            token: None,
        },
    ];
    let rates: Vec<u64> = env("RATES", "200 1000").split_whitespace().filter_map(|r| r.parse().ok()).collect();
    let seconds: u64 = env("DURATION", "10").parse().unwrap_or(10);
    let rounds: usize = env("ROUNDS", "3").parse().unwrap_or(3);
    let client = reqwest::Client::builder().pool_max_idle_per_host(256).build().unwrap_or_default();

    // Warm up both (connections, the proxy's first token exchange).
    for target in &targets {
        let _ = run(&client, target, 50, 1).await;
    }
    println!("| rate | round | target | requests | errors | p50 ms | p99 ms | max ms |");
    println!("|---:|---:|---|---:|---:|---:|---:|---:|");
    let mut summary = Vec::new();
    for &rate in &rates {
        let mut all: Vec<Vec<u64>> = vec![Vec::new(); targets.len()];
        let mut errors = vec![0usize; targets.len()];
        for round in 0..rounds {
            // The contender that goes first alternates every round.
            let order: Vec<usize> =
                if round % 2 == 0 { (0..targets.len()).collect() } else { (0..targets.len()).rev().collect() };
            for i in order {
                let result = run(&client, &targets[i], rate, seconds).await;
                println!(
                    "| {rate}/s | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} |",
                    round + 1,
                    targets[i].name,
                    result.latencies_us.len() + result.errors,
                    result.errors,
                    percentile(&result.latencies_us, 0.5),
                    percentile(&result.latencies_us, 0.99),
                    percentile(&result.latencies_us, 1.0)
                );
                all[i].extend(&result.latencies_us);
                errors[i] += result.errors;
            }
        }
        for (i, latencies) in all.iter_mut().enumerate() {
            latencies.sort_unstable();
            summary.push((
                rate,
                targets[i].name,
                latencies.len() + errors[i],
                errors[i],
                percentile(latencies, 0.5),
                percentile(latencies, 0.99),
            ));
        }
    }
    println!("\nAll rounds together:\n");
    println!("| rate | target | requests | errors | p50 ms | p99 ms |");
    println!("|---:|---|---:|---:|---:|---:|");
    for (rate, name, n, errors, p50, p99) in &summary {
        println!("| {rate}/s | {name} | {n} | {errors} | {p50:.2} | {p99:.2} |");
    }
    for pair in summary.chunks(2) {
        if let [direct, proxied] = pair {
            println!(
                "\n{}/s: the proxy adds {:.2} ms at p50 and {:.2} ms at p99",
                direct.0,
                proxied.4 - direct.4,
                proxied.5 - direct.5
            );
        }
    }
}
