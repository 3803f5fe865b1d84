//! Slow and idle clients cannot hold the proxy: connections that never finish a request header
//! are closed after the header timeout (on a new connection and between requests on a kept-alive
//! one), a stalled request body is answered 400 after the body timeout, and beyond the connection
//! cap new connections are closed at once while the proxy keeps answering once slots free up.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::proxy_config;
use smart_tags_proxy::connections::ConnectionLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const HEADER_TIMEOUT: Duration = Duration::from_millis(800);
const BODY_TIMEOUT: Duration = Duration::from_millis(800);

async fn start(max_connections: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = proxy_config(addr, "http://127.0.0.1:9");
    config.connections =
        ConnectionLimits { header_timeout: HEADER_TIMEOUT, body_timeout: BODY_TIMEOUT, max_connections };
    tokio::spawn(async move { smart_tags_proxy::run(listener, &config, std::future::pending()).await });
    addr
}

/// Reads until the server closes the connection; answers what it sent, or `None` when it was
/// still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&all).into_owned()),
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
        }
    }
}

/// One request on a new connection; answers the status line and how long it took.
async fn get(addr: SocketAddr, path: &str) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let answer = closed_within(&mut stream, Duration::from_secs(5)).await.expect("an answer");
    (answer.lines().next().unwrap_or_default().to_owned(), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_half_sent_connections_are_closed_and_never_block_the_others() {
    let addr = start(1000).await;
    let mut held = Vec::new();
    for i in 0..300 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        if i % 2 == 1 {
            stream.write_all(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
        }
        held.push(stream);
    }
    let (status, took) = get(addr, "/index.html").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(took < Duration::from_millis(500), "answered beside 300 idle connections in {took:?}");
    for (i, stream) in held.iter_mut().enumerate() {
        let sent = closed_within(stream, HEADER_TIMEOUT * 4).await;
        assert!(sent.is_some(), "connection {i} (half-sent: {}) still open after {:?}", i % 2 == 1, HEADER_TIMEOUT * 4);
    }
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_when_it_idles_past_the_header_timeout() {
    let addr = start(1000).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200 OK"));
    let started = Instant::now();
    // The rest of the page may still arrive; then the server closes the idle connection.
    assert!(
        closed_within(&mut stream, HEADER_TIMEOUT * 4).await.is_some(),
        "the idle kept-alive connection stayed open"
    );
    assert!(started.elapsed() >= HEADER_TIMEOUT / 2, "closed too early: {:?}", started.elapsed());
}

#[tokio::test]
async fn a_stalled_request_body_is_answered_400_after_the_body_timeout() {
    let addr = start(1000).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = "POST /api/v1/assets/tag HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(b"--b\r\nContent-Disposition: form-data; name=\"sha256\"\r\n\r\n").await.unwrap();
    let started = Instant::now();
    let answer = closed_within(&mut stream, BODY_TIMEOUT * 5).await.expect("an answer, not a connection held open");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(started.elapsed() >= BODY_TIMEOUT / 2, "answered before the body stalled long: {:?}", started.elapsed());
}

#[tokio::test]
async fn beyond_the_cap_new_connections_are_closed_until_slots_free_up() {
    let addr = start(20).await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    // Give the accept loop time to take all 20.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut over = TcpStream::connect(addr).await.unwrap();
    assert!(
        closed_within(&mut over, Duration::from_millis(300)).await.is_some(),
        "the 21st connection is closed at once"
    );
    // The held ones time out; then the proxy answers again.
    for stream in &mut held {
        assert!(closed_within(stream, HEADER_TIMEOUT * 4).await.is_some());
    }
    let (status, _) = get(addr, "/index.html").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
}
