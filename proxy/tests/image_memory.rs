//! The back-end API's image memory budget, end to end over TCP: uploads are charged their
//! declared size before a byte is read; when the budget stays full for the wait, the request is
//! answered 503 `busy` with `Retry-After` without its body being read; a declared size over the
//! file limit is 413 at once; and once a held upload goes, its room is given back.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use serde_json::Value;
use smart_tags_proxy::backend::config::BackendConfig;
use smart_tags_proxy::backend::keys::{new_key, BackendKeys};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MIB: u64 = 1024 * 1024;

/// Sends the head of `POST /api/v1/backend/assets/tag` declaring `length` bytes, and no body.
async fn post_head(base: &str, key: &str, length: u64) -> TcpStream {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!("POST /api/v1/backend/assets/tag?asset_id=a HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/octet-stream\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// The status, the headers (lowercase) and the JSON body of the answer, or `None` when none came
/// within `within`.
async fn answer(stream: &mut TcpStream, within: Duration) -> Option<(u16, String, Value)> {
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read).await.ok()?;
    let text = String::from_utf8_lossy(&all).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let body = body.find('{').map_or(Value::Null, |start| {
        serde_json::from_str(body[start..].trim_end_matches(|c: char| c != '}')).unwrap_or(Value::Null)
    });
    Some((status, head.to_lowercase(), body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_wait_for_room_then_answer_busy_and_give_their_room_back() {
    let dir = tempfile::tempdir().unwrap();
    let (key, line) = new_key("dam").unwrap();
    let mut config = BackendConfig::new(BackendKeys::parse(&line).unwrap(), dir.path().to_owned());
    // 256 MiB: 128 MiB for uploads, 128 MiB for decodes.
    config.image_memory = 256 * MIB;
    config.image_memory_wait = Duration::from_millis(300);
    let base = common::start_backend(Some(config), false, Default::default()).await;

    // Over the file limit: 413 at once, nothing charged.
    let mut over = post_head(&base, &key, 60 * MIB).await;
    let (status, _, body) = answer(&mut over, Duration::from_secs(5)).await.expect("an answer");
    assert_eq!((status, body["code"].as_str()), (413, Some("too_large")), "{body}");

    // Two uploads of 50 MiB that never send their bodies hold 100 of the 128 MiB.
    let mut held = vec![post_head(&base, &key, 50 * MIB).await, post_head(&base, &key, 50 * MIB).await];
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A third of 30 MiB finds no room within the wait: 503 busy, Retry-After, its body unread.
    let mut third = post_head(&base, &key, 30 * MIB).await;
    let (status, head, body) = answer(&mut third, Duration::from_secs(5)).await.expect("an answer");
    assert_eq!((status, body["code"].as_str()), (503, Some("busy")), "{body}");
    assert!(head.contains("retry-after: 1"), "{head}");
    assert!(body["message"].as_str().unwrap().contains("memory budget"), "{body}");
    // The held ones are still waiting for their bodies.
    assert!(answer(&mut held[0], Duration::from_millis(100)).await.is_none());

    // One held upload goes: its 50 MiB come back, and a 30 MiB upload is read and decoded (not
    // an image: 400, which only comes after the charge).
    drop(held.remove(0));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fourth = post_head(&base, &key, 30 * MIB).await;
    fourth.write_all(&vec![b'x'; 30 * MIB as usize]).await.unwrap();
    let (status, _, body) = answer(&mut fourth, Duration::from_secs(10)).await.expect("an answer");
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_image")), "{body}");
}
