//! The proxy beside many idle and half-sent connections: the latency of a page request on a new
//! connection with none held, then with `N` held open (half of them with half a request header
//! sent), then after the header timeout closed them — measured in one run, in one process.
//!
//! Usage: `cargo run --release -p smart_tags_proxy --example bench_slow_clients -- [N] [requests]`
//! (defaults 1000 and 200). The open-file limit must allow N + a few hundred descriptors.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use smart_tags_proxy::config::Config;
use smart_tags_proxy::connections::ConnectionLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const HEADER_TIMEOUT: Duration = Duration::from_secs(3);

async fn page(addr: SocketAddr) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    assert!(answer.starts_with(b"HTTP/1.1 200 OK"), "{}", String::from_utf8_lossy(&answer[..answer.len().min(80)]));
    started.elapsed()
}

async fn latencies(addr: SocketAddr, requests: usize) -> (f64, f64) {
    let mut ms = Vec::with_capacity(requests);
    for _ in 0..requests {
        ms.push(page(addr).await.as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let held_count: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let requests: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let config = Config {
        listen: addr,
        service_url: "http://127.0.0.1:9".to_owned(),
        www_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www")),
        service_timeout: Duration::from_secs(10),
        connections: ConnectionLimits { header_timeout: HEADER_TIMEOUT, ..ConnectionLimits::default() },
        admin_token: None,
        browser: Default::default(),
    };
    tokio::spawn(async move { smart_tags_proxy::run(listener, &config, std::future::pending()).await });
    latencies(addr, 20).await;
    let (p50, p99) = latencies(addr, requests).await;
    println!("| page on a new connection | p50 ms | p99 ms |\n|---|---:|---:|");
    println!("| no other connection | {p50:.2} | {p99:.2} |");
    let mut held = Vec::with_capacity(held_count);
    for i in 0..held_count {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        if i % 2 == 1 {
            stream.write_all(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n").await.expect("send");
        }
        held.push(stream);
    }
    let opened = Instant::now();
    let (p50, p99) = latencies(addr, requests).await;
    println!("| beside {held_count} idle or half-sent connections | {p50:.2} | {p99:.2} |");
    let mut buf = [0u8; 64];
    let mut closed = 0;
    let deadline = opened + HEADER_TIMEOUT * 2;
    for stream in &mut held {
        let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(left, stream.read(&mut buf)).await {
            closed += 1;
        }
    }
    println!("\n{closed} of {held_count} held connections closed by the proxy within {:.1} s of opening (header timeout {:.0} s)", opened.elapsed().as_secs_f64(), HEADER_TIMEOUT.as_secs_f64());
    let (p50, p99) = latencies(addr, requests).await;
    println!("\n| after they were closed | {p50:.2} | {p99:.2} |");
}
