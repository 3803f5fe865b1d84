//! The whole service (real model, real SQLite file in a temporary data directory): the store
//! routes are mounted beside the model routes, each route keeps its own body limit, and what was
//! imported is still there after the store is reopened.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::shared_engine;
use tower::ServiceExt;

async fn send(router: &Router, method: &str, uri: &str, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("x-smart-tags-actor", "it-test")
        .body(Body::from(body))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    (status, to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec())
}

fn taxonomy(padding: usize) -> Vec<u8> {
    let tags = json!([
        { "id": "animals:", "titles": { "en": "Animals" } },
        { "id": "animals:cats", "titles": { "en": "Cats", "fr": "Chats" }, "description": "Felines" },
    ]);
    let mut text = json!({ "format": "smart-tags-taxonomy", "version": 1, "tags": tags }).to_string().into_bytes();
    text.resize(text.len() + padding, b'\n');
    text
}

#[tokio::test]
async fn store_routes_live_beside_the_model_routes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(dir.path()).unwrap());
    let router = app(Arc::new(AppState::with_store(shared_engine(), store)));

    let (status, body) = send(&router, "GET", "/healthz", Vec::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["status"], "ok");

    // A 2 MiB taxonomy passes (the model input limit is ~150 KB), a model input that large does not.
    let (status, body) = send(&router, "PUT", "/v1/taxonomy?format=json", taxonomy(2 * 1024 * 1024)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["added"], 2);
    let (status, _) = send(&router, "POST", "/v1/predict", vec![0; 2 * 1024 * 1024]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, body) = send(&router, "PUT", "/v1/taxonomy", taxonomy(10 * 1024 * 1024)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["code"], "too_large");

    // The model still answers.
    let input = vec![128u8; smart_tags_core::model_input::BYTES];
    let (status, body) = send(&router, "POST", "/v1/predict?top=1", input).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));

    drop(router);
    let reopened = open_store(dir.path()).unwrap();
    assert_eq!(reopened.taxonomy().unwrap().len(), 2);
    let changes = reopened.changes(0, 10).unwrap();
    assert_eq!((changes.len(), changes[0].actor.as_str()), (1, "it-test"));
}
