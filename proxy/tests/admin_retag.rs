//! The admin page's bulk re-tag routes (`/api/v1/admin/retag-jobs...`) in process, against a
//! tagging service that is down: every route wants the admin token (none, a wrong one or a
//! back-end key: 401); without the back-end API (no `--backend-keys`) they answer 404
//! `backend_off`; with it, an unknown job and a back-end tag job (not a re-tag job) are 404
//! `unknown_job`, and a body that is not JSON is 400. The jobs themselves run end to end in
//! tests/browser/retag-admin.test.mjs.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use smart_tags_proxy::backend::config::BackendConfig;
use smart_tags_proxy::backend::keys::{new_key, BackendKeys};
use smart_tags_proxy::backend::Backend;
use smart_tags_proxy::AppState;
use tokio::net::TcpListener;

/// A port nothing listens on.
fn dead_service() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}")
}

/// A proxy with the admin token; with `backend`, the back-end API is on (its worker not started).
async fn start(backend: Option<BackendConfig>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = common::proxy_config(addr, &dead_service());
    let mut state = AppState::new(&config).unwrap();
    if let Some(backend) = backend {
        state.backend = Some(Backend::open(backend, state.upstream.clone()).unwrap());
    }
    tokio::spawn(async move {
        smart_tags_proxy::run_with_state(listener, &config, Arc::new(state), std::future::pending()).await
    });
    format!("http://{addr}")
}

const ROUTES: [(&str, &str); 5] = [
    ("POST", "/api/v1/admin/retag-jobs"),
    ("GET", "/api/v1/admin/retag-jobs/job_0123456789abcdef"),
    ("GET", "/api/v1/admin/retag-jobs/job_0123456789abcdef/results"),
    ("POST", "/api/v1/admin/retag-jobs/job_0123456789abcdef/apply"),
    ("POST", "/api/v1/admin/retag-jobs/job_0123456789abcdef/cancel"),
];

async fn send(base: &str, method: &str, path: &str, bearer: Option<&str>) -> (StatusCode, Value) {
    let client = Client::new();
    let url = format!("{base}{path}");
    let mut request = if method == "POST" {
        client.post(url).json(&json!({"kind": "retag", "folder": null, "dry_run": true}))
    } else {
        client.get(url)
    };
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn off_without_the_backend_and_always_behind_the_admin_token() {
    let base = start(None).await;
    for (method, path) in ROUTES {
        let (status, body) = send(&base, method, path, None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("admin_token_required")),
            "{method} {path}: {body}"
        );
        let (status, body) = send(&base, method, path, Some(common::ADMIN_TOKEN)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("backend_off")),
            "{method} {path}: {body}"
        );
        assert!(body["message"].as_str().unwrap().contains("--backend-keys"), "{body}");
    }
}

#[tokio::test]
async fn with_the_backend_the_admin_token_and_only_retag_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let (key, line) = new_key("dam").unwrap();
    let base = start(Some(BackendConfig::new(BackendKeys::parse(&line).unwrap(), dir.path().to_owned()))).await;
    for (method, path) in ROUTES {
        for bearer in [None, Some("not-the-admin-token"), Some(key.as_str())] {
            let (status, body) = send(&base, method, path, bearer).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("admin_token_required")),
                "{method} {path} {bearer:?}: {body}"
            );
        }
    }
    for (method, path) in &ROUTES[1..] {
        let (status, body) = send(&base, method, path, Some(common::ADMIN_TOKEN)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("unknown_job")),
            "{method} {path}: {body}"
        );
    }
    // A tag job of the back-end API (queued: no worker runs) is not the admin page's to see.
    let boundary = "admin-retag-boundary";
    let body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dam-1\"\r\n\r\nnot an image\r\n--{boundary}--\r\n");
    let created: Value = Client::new()
        .post(format!("{base}/api/v1/backend/jobs"))
        .bearer_auth(&key)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["job_id"].as_str().unwrap();
    let (status, seen) = send(&base, "GET", &format!("/api/v1/admin/retag-jobs/{id}"), Some(common::ADMIN_TOKEN)).await;
    assert_eq!((status, seen["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_job")), "{seen}");
    // Only a JSON re-tag job is started here (never an upload).
    let refused = Client::new()
        .post(format!("{base}/api/v1/admin/retag-jobs"))
        .bearer_auth(common::ADMIN_TOKEN)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body("--x--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let refused: Value = refused.json().await.unwrap();
    assert!(refused["message"].as_str().unwrap().contains("application/json"), "{refused}");
}
