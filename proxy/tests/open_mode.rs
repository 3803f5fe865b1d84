//! Open mode (no credentials, loopback only) refuses what a foreign page in the user's browser
//! could send: a cross-site request (its `Origin` is neither the proxy's own nor on the CORS
//! allow-list) and a request for a foreign host name that resolves to 127.0.0.1 (DNS rebinding).

#![allow(clippy::unwrap_used)]

mod common;

use common::proxy_config;
use reqwest::header::{HOST, ORIGIN};
use serde_json::Value;
use tokio::net::TcpListener;

async fn start() -> (String, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = proxy_config(addr, "http://127.0.0.1:9");
    assert!(config.browser.is_open());
    tokio::spawn(async move { smart_tags_proxy::run(listener, &config, std::future::pending()).await });
    (format!("http://{addr}"), addr.to_string())
}

async fn moderate(base: &str, headers: &[(reqwest::header::HeaderName, String)]) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/api/v1/assets/moderation"))
        .json(&serde_json::json!({"asset_id": "a1", "tag": "demo:animals", "action": "promote"}));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_cross_site_request_is_refused() {
    let (base, host) = start().await;
    let (status, body) = moderate(&base, &[(ORIGIN, "https://evil.example".to_owned())]).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("origin_not_allowed")), "{body}");
    // The proxy's own page passes this check (and then meets the missing service).
    let (status, body) = moderate(&base, &[(ORIGIN, format!("http://{host}"))]).await;
    assert_ne!(status, 403, "{body}");
    let (status, _) = moderate(&base, &[]).await;
    assert_ne!(status, 403, "no Origin: not a browser's cross-site request");
}

#[tokio::test]
async fn a_foreign_host_name_is_refused_even_from_its_own_origin() {
    let (base, host) = start().await;
    let port = host.rsplit_once(':').unwrap().1;
    let rebound = format!("evil.example:{port}");
    let (status, body) = moderate(&base, &[(HOST, rebound.clone()), (ORIGIN, format!("http://{rebound}"))]).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("host_not_allowed")), "{body}");
    for name in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let (status, body) = moderate(&base, &[(HOST, name.clone())]).await;
        assert_ne!(status, 403, "{name}: {body}");
    }
}
