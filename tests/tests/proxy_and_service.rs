//! The real proxy in front of the real tagging service, each on a loopback port: a real photo is
//! tagged through both; bad requests, a service that is down and a service that hangs each get a
//! clear JSON error that never reveals the service's address.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use smart_tags_core::model_input::BYTES;
use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_proxy::config::Config;
use smart_tags_tests::{fixture, in_process, read};
use tokio::net::TcpListener;

async fn start_service() -> SocketAddr {
    in_process::start_service().await
}

async fn start_proxy(service: SocketAddr, timeout: Duration) -> String {
    in_process::start_proxy(Config { service_timeout: timeout, ..in_process::proxy_config(service) }).await
}

fn model_input(photo: &str) -> Vec<u8> {
    preprocess(&read(&fixture(photo)), &Options::default()).unwrap().model_input.into_bytes()
}

async fn post(proxy: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{proxy}/api/v1/tag?top=3"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn assert_error(body: &Value, code: &str, hidden: SocketAddr) {
    assert_eq!(body["code"], code, "{body}");
    assert!(body["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{body}");
    let text = body.to_string();
    assert!(!text.contains(&hidden.port().to_string()) && !text.contains("127.0.0.1"), "leaks the address: {text}");
}

#[tokio::test]
async fn a_photo_is_tagged_through_the_proxy() {
    let service = start_service().await;
    let proxy = start_proxy(service, Duration::from_secs(10)).await;
    let (status, body) = post(&proxy, "application/octet-stream", model_input("skimage/coffee.png")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tags"][0]["label"], "espresso");
    assert_eq!(body["tags"].as_array().unwrap().len(), 3);
    assert!(body["model"].as_str().unwrap().starts_with("efficientnet-lite0"));
    assert!(!body.to_string().contains(&service.port().to_string()));
}

#[tokio::test]
async fn bad_requests_get_clear_errors() {
    let service = start_service().await;
    let proxy = start_proxy(service, Duration::from_secs(10)).await;

    let (status, body) = post(&proxy, "image/png", model_input("skimage/coffee.png")).await;
    assert_eq!(status, 415);
    assert_error(&body, "wrong_content_type", service);

    let (status, body) = post(&proxy, "application/octet-stream", vec![7; 10]).await;
    assert_eq!(status, 413);
    assert_error(&body, "wrong_size", service);
    assert!(body["message"].as_str().unwrap().contains("150528"), "{body}");

    let (status, body) = post(&proxy, "application/octet-stream", vec![7; BYTES * 20]).await;
    assert_eq!(status, 413);
    assert_error(&body, "wrong_size", service);

    // The proxy still answers after all that.
    let (status, _) = post(&proxy, "application/octet-stream", model_input("skimage/chelsea.png")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_service_that_is_down_is_named_without_its_address() {
    let unused = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let down = unused.local_addr().unwrap();
    drop(unused);
    let proxy = start_proxy(down, Duration::from_secs(2)).await;
    let (status, body) = post(&proxy, "application/octet-stream", vec![0; BYTES]).await;
    assert_eq!(status, 502);
    assert_error(&body, "service_unavailable", down);
    let health = reqwest::get(format!("{proxy}/api/v1/health")).await.unwrap();
    assert_eq!(health.status().as_u16(), 503);
}

#[tokio::test]
async fn a_service_that_hangs_times_out() {
    // Accepts connections and never answers.
    let hanging = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = hanging.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hanging.accept().await {
            held.push(socket);
        }
    });
    let proxy = start_proxy(addr, Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let (status, body) = post(&proxy, "application/octet-stream", vec![0; BYTES]).await;
    assert_eq!(status, 504);
    assert_error(&body, "service_timeout", addr);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn the_proxy_serves_the_page_and_the_service_checks_its_input() {
    let service = start_service().await;
    let proxy = start_proxy(service, Duration::from_secs(10)).await;
    let page = reqwest::get(format!("{proxy}/")).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("Smart Tags"));
    let js = reqwest::get(format!("{proxy}/app.js")).await.unwrap();
    assert!(js.headers()["content-type"].to_str().unwrap().contains("javascript"));

    // The service itself refuses a wrong-sized input with its own clear error.
    let response =
        reqwest::Client::new().post(format!("http://{service}/v1/predict")).body(vec![1u8; 100]).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "bad_input");
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_json_errors_on_both_servers() {
    let service = start_service().await;
    let proxy = start_proxy(service, Duration::from_secs(10)).await;
    let client = reqwest::Client::new();
    let answer = |request: reqwest::RequestBuilder| async move {
        let response = request.send().await.unwrap();
        let (status, kind) = (
            response.status().as_u16(),
            response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()),
        );
        let allow = response.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
        (status, kind, allow, response.json::<Value>().await.unwrap_or(Value::Null))
    };
    // The proxy: an unknown API path is a JSON 404 (with a request id), never the page.
    for path in ["/api/v1/nothing", "/api/v2/tag", "/api/", "/api"] {
        let (status, kind, _, body) = answer(client.get(format!("{proxy}{path}"))).await;
        assert_eq!((status, kind.as_deref()), (404, Some("application/json")), "{path}: {body}");
        assert_error(&body, "not_found", service);
        assert_eq!(body["message"], format!("no such API route: GET {path}"));
    }
    let (status, _, allow, body) = answer(client.delete(format!("{proxy}/api/v1/health"))).await;
    assert_eq!((status, body["code"].as_str()), (405, Some("method_not_allowed")), "{body}");
    assert_eq!(body["message"], "DELETE is not allowed on /api/v1/health");
    assert!(allow.is_some_and(|a| a.contains("GET")));
    // Outside /api/ a missing file still gets the upload page's HTML (with its 404), as before.
    let (_, kind, _, _) = answer(client.get(format!("{proxy}/somewhere/else"))).await;
    assert!(kind.is_some_and(|k| k.starts_with("text/html")));
    // The service: the same, in its own error shape.
    let (status, _, _, body) = answer(client.get(format!("http://{service}/v1/nothing"))).await;
    assert_eq!(
        (status, body["code"].as_str(), body["message"].as_str()),
        (404, Some("not_found"), Some("no such route: GET /v1/nothing")),
        "{body}"
    );
    let (status, _, allow, body) = answer(client.put(format!("http://{service}/v1/predict"))).await;
    assert_eq!((status, body["code"].as_str()), (405, Some("method_not_allowed")), "{body}");
    assert!(allow.is_some_and(|a| a.contains("POST")));
}
