//! The proxy's admin routes in front of a stand-in service that records what reaches it: training
//! uploads (zip, multipart with its boundary, model files) arrive byte for byte with their content
//! type, only the two upload routes take bodies over 10 MiB, and a model export comes back as a
//! download (content type and file name kept).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use smart_tags_proxy::config::Config;
use smart_tags_proxy::routes::admin::MAX_BYTES;
use tokio::net::TcpListener;

const TOKEN: &str = "admin-token-for-the-tests";
const MODEL_FILE: &[u8] = b"smart-tags-model\x00\x01binary\xff\xfe";

/// What the stand-in service received last.
#[derive(Debug, Clone, Default)]
struct Seen {
    method: String,
    path_and_query: String,
    content_type: Option<String>,
    actor: Option<String>,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Option<Seen>>>;

/// Records the request, waits `?delay_ms=`; answers an export as a download and anything else as JSON.
async fn stand_in(log: Log, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    *log.lock().unwrap() = Some(Seen {
        method: method.to_string(),
        path_and_query: uri.path_and_query().unwrap().to_string(),
        content_type: header("content-type"),
        actor: header("x-smart-tags-actor"),
        body: body.to_vec(),
    });
    if let Some(ms) = uri.query().and_then(|q| q.strip_prefix("delay_ms=")) {
        tokio::time::sleep(Duration::from_millis(ms.parse().unwrap())).await;
    }
    if uri.path().ends_with("/export") {
        let headers = [
            ("content-type", "application/octet-stream"),
            ("content-disposition", "attachment; filename=\"subject-v1.stmodel\""),
        ];
        return (headers, MODEL_FILE).into_response();
    }
    if uri.path().ends_with("/train") {
        return (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(json!({"error": "lint_failed", "findings": []})))
            .into_response();
    }
    axum::Json(json!({"received": body.len()})).into_response()
}

async fn start_stand_in() -> (SocketAddr, Log) {
    let log = Log::default();
    let recorder = log.clone();
    let app = Router::new()
        .fallback(move |method, uri, headers, body| stand_in(recorder.clone(), method, uri, headers, body))
        .layer(axum::extract::DefaultBodyLimit::disable());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, log)
}

async fn start_proxy(service: SocketAddr, admin_token: Option<&str>) -> String {
    start_proxy_waiting(service, admin_token, Duration::from_secs(10)).await
}

async fn start_proxy_waiting(service: SocketAddr, admin_token: Option<&str>, service_timeout: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        listen: addr,
        service_url: format!("http://{service}"),
        www_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www")),
        service_timeout,
        connections: Default::default(),
        admin_token: admin_token.map(str::to_owned),
        browser: Default::default(),
    };
    config.validate().unwrap();
    tokio::spawn(async move { smart_tags_proxy::run(listener, &config, std::future::pending()).await });
    format!("http://{addr}/api/v1/admin/")
}

/// Sends one admin request with the token and, when given, a body of a content type.
async fn send(admin: &str, method: Method, path: &str, body: Option<(&str, Vec<u8>)>) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let mut request = reqwest::Client::new().request(method, format!("{admin}{path}")).bearer_auth(TOKEN);
    if let Some((content_type, bytes)) = body {
        request = request.header("content-type", content_type).body(bytes);
    }
    request.send().await.unwrap()
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn seen(log: &Log) -> Seen {
    log.lock().unwrap().take().expect("the request reached the service")
}

#[tokio::test]
async fn training_uploads_reach_the_service_byte_for_byte_with_their_content_type() {
    let (service, log) = start_stand_in().await;
    let admin = start_proxy(service, Some(TOKEN)).await;

    let boundary = "----smart-tags-boundary-7f3a";
    let multipart = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"cats/a.jpg\"\r\n\
         content-type: image/jpeg\r\n\r\n\u{ff}\u{d8}jpeg\r\n--{boundary}--\r\n"
    )
    .into_bytes();
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let (status, body) =
        json_of(send(&admin, Method::POST, "training/examples/import", Some((&content_type, multipart.clone()))).await)
            .await;
    assert_eq!(status, 200, "{body}");
    let got = seen(&log);
    assert_eq!(got.method, "POST");
    assert_eq!(got.path_and_query, "/v1/training/examples/import");
    assert_eq!(got.content_type.as_deref(), Some(content_type.as_str()), "the boundary is kept");
    assert_eq!(got.actor.as_deref(), Some("admin"));
    assert_eq!(got.body, multipart);

    // A zip larger than the other admin routes' limit.
    let zip: Vec<u8> = (0..MAX_BYTES + 1_000_000).map(|i| (i % 251) as u8).collect();
    let (status, body) =
        json_of(send(&admin, Method::POST, "training/examples/import", Some(("application/zip", zip.clone()))).await)
            .await;
    assert_eq!(status, 200, "{body}");
    let got = seen(&log);
    assert_eq!(got.content_type.as_deref(), Some("application/zip"));
    assert_eq!(got.body, zip);

    let (status, _) = json_of(
        send(&admin, Method::POST, "training/models/import", Some(("application/octet-stream", MODEL_FILE.to_vec())))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let got = seen(&log);
    assert_eq!(got.path_and_query, "/v1/training/models/import");
    assert_eq!(got.content_type.as_deref(), Some("application/octet-stream"));
    assert_eq!(got.body, MODEL_FILE);
}

#[tokio::test]
async fn only_the_upload_routes_take_large_bodies() {
    let (service, log) = start_stand_in().await;
    let admin = start_proxy(service, Some(TOKEN)).await;
    let large = vec![b' '; MAX_BYTES + 1];
    let (status, body) =
        json_of(send(&admin, Method::PUT, "training/models/subject", Some(("application/json", large.clone()))).await)
            .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "too_large");
    let (status, _) = json_of(send(&admin, Method::PUT, "taxonomy?format=csv", Some(("text/csv", large))).await).await;
    assert_eq!(status, 413);
    assert!(log.lock().unwrap().is_none(), "nothing too large reached the service");
}

#[tokio::test]
async fn a_model_export_is_a_download() {
    let (service, log) = start_stand_in().await;
    let admin = start_proxy(service, Some(TOKEN)).await;
    let response = send(&admin, Method::GET, "training/models/subject/versions/1/export", None).await;
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"subject-v1.stmodel\"");
    assert_eq!(response.bytes().await.unwrap().as_ref(), MODEL_FILE);
    let got = seen(&log);
    assert_eq!((got.method.as_str(), got.content_type), ("GET", None));
}

#[tokio::test]
async fn the_service_answers_pass_through_and_bad_requests_are_refused() {
    let (service, log) = start_stand_in().await;
    let admin = start_proxy(service, Some(TOKEN)).await;

    let train = Some(("application/json", br#"{"activate":true}"#.to_vec()));
    let (status, body) = json_of(send(&admin, Method::POST, "training/models/subject/train", train).await).await;
    assert_eq!(status, 422);
    assert_eq!(body, json!({"error": "lint_failed", "findings": []}));
    assert_eq!(seen(&log).path_and_query, "/v1/training/models/subject/train");

    let (status, _) = json_of(send(&admin, Method::GET, "training/examples?tag=demo:animals", None).await).await;
    assert_eq!(status, 200);
    assert_eq!(seen(&log).path_and_query, "/v1/training/examples?tag=demo:animals");

    let png = Some(("image/png", vec![0x89, b'P', b'N', b'G']));
    let (status, body) = json_of(send(&admin, Method::POST, "training/examples/import", png).await).await;
    assert_eq!((status, body["code"].as_str()), (415, Some("wrong_content_type")));

    let (status, _) = json_of(send(&admin, Method::POST, "predict", None).await).await;
    assert_eq!(status, 404, "only the admin areas are reachable");
    let (status, _) = json_of(send(&admin, Method::GET, "training/x%2F..%2Fpredict", None).await).await;
    assert_eq!(status, 404);

    let anonymous = reqwest::Client::new().get(format!("{admin}training/models")).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let wrong = reqwest::Client::new()
        .post(format!("{admin}training/examples/import"))
        .bearer_auth("not-the-admin-token-at-all")
        .header("content-type", "application/zip")
        .body(vec![1; 100])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401, "the upload routes need the token too");
    assert!(log.lock().unwrap().is_none());

    let switched_off = start_proxy(service, None).await;
    let (status, body) = json_of(send(&switched_off, Method::GET, "training/models", None).await).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("admin_disabled")));
}

#[tokio::test]
async fn uploads_may_take_longer_than_the_service_timeout() {
    let (service, _log) = start_stand_in().await;
    let admin = start_proxy_waiting(service, Some(TOKEN), Duration::from_millis(300)).await;
    let zip = || Some(("application/zip", vec![7; 1000]));
    let (status, body) =
        json_of(send(&admin, Method::POST, "training/examples/import?delay_ms=800", zip()).await).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = json_of(send(&admin, Method::GET, "training/models?delay_ms=800", None).await).await;
    assert_eq!((status, body["code"].as_str()), (504, Some("service_timeout")));
}
