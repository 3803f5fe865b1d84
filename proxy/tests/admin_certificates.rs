//! The admin page's certificate routes on a real proxy (loopback port, temporary data directory):
//! list, create (the first active, a later one next, a second next refused with 409), download
//! (a PEM attachment), activate, retire; every route wants the admin token; bad input is a 400
//! with the proxy's JSON error; no answer ever carries a private key.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use smart_tags_proxy::config::auth::AuthConfig;

struct Proxy {
    base: String,
    client: Client,
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    /// Every body the proxy answered, to check for key material at the end.
    bodies: std::sync::Mutex<Vec<String>>,
}

impl Proxy {
    async fn start() -> Proxy {
        let stand_in = start_stand_in(3_600_000).await;
        let dir = tempfile::tempdir().unwrap();
        let mut auth = AuthConfig::none(&stand_in.url);
        auth.data_dir = dir.path().to_owned();
        let base = start_proxy(&stand_in.url, &auth).await;
        Proxy { base, client: Client::new(), dir: dir.path().to_owned(), _dir: dir, bodies: Default::default() }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/admin/certificates{path}", self.base)
    }

    async fn keep(&self, response: Response) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        self.bodies.lock().unwrap().push(body.clone());
        (status, headers, body)
    }

    async fn get(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let response = self.client.get(self.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
        self.keep(response).await
    }

    async fn post(&self, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.client.post(self.url(path)).bearer_auth(ADMIN_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let (status, _, text) = self.keep(request.send().await.unwrap()).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn list(&self) -> Vec<Value> {
        let (status, _, body) = self.get("").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_str::<Value>(&body).unwrap().as_array().unwrap().clone()
    }
}

fn status_of(list: &[Value], id: &str) -> String {
    list.iter().find(|c| c["id"] == id).unwrap()["status"].as_str().unwrap().to_owned()
}

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    assert!(body["request_id"].as_str().is_some_and(|r| !r.is_empty()), "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with(|c: char| c.is_ascii_lowercase()), "messages start lowercase: {message}");
}

#[tokio::test]
async fn certificates_are_created_listed_downloaded_activated_and_retired() {
    let proxy = Proxy::start().await;
    assert!(proxy.list().await.is_empty());

    // The first one (the default algorithm, RSA 2048, made off the async workers) becomes active.
    let (status, first) = proxy.post("", Some(json!({"validity_days": 30, "common_name": "aem-integration"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "active");
    assert_eq!(first["algorithm"], "RS256", "{first}");
    assert!(first["subject"].as_str().unwrap().contains("aem-integration"), "{first}");
    assert!((29..=30).contains(&first["days_left"].as_i64().unwrap()), "{first}");
    let first_id = first["id"].as_str().unwrap().to_owned();

    // A second one waits as next; a third is refused while it waits, like the CLI.
    let (status, next) = proxy.post("", Some(json!({"algorithm": "p256"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{next}");
    assert_eq!(next["status"], "next");
    assert_eq!(next["algorithm"], "ES256");
    let next_id = next["id"].as_str().unwrap().to_owned();
    let (status, refused) = proxy.post("", Some(json!({"algorithm": "p256"}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&refused, "certificate_conflict");
    assert!(refused["message"].as_str().unwrap().contains(&next_id), "{refused}");

    let list = proxy.list().await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], first_id.as_str(), "active first");
    assert_eq!(status_of(&list, &next_id), "next");
    for key in ["id", "status", "algorithm", "subject", "not_after", "days_left", "sealed"] {
        assert!(list[0].get(key).is_some(), "{key} is listed like `cert list --json`");
    }

    // The download: the PEM as an attachment named after the id.
    let (status, headers, pem) = proxy.get(&format!("/{next_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/x-pem-file");
    assert_eq!(headers["content-disposition"], format!("attachment; filename=\"{next_id}.crt\"").as_str());
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert_eq!(pem, std::fs::read_to_string(proxy.dir.join(format!("keys/{next_id}.crt"))).unwrap());

    // The active one cannot be retired; activating the next one makes the first inactive.
    let (status, refused) = proxy.post(&format!("/{first_id}/retire"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&refused, "certificate_conflict");
    let (status, list) = proxy.post(&format!("/{next_id}/activate"), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(status_of(&list, &next_id), "active");
    assert_eq!(status_of(&list, &first_id), "inactive");

    // Retiring deletes the private key and keeps the certificate; a retired one cannot come back.
    let (status, list) = proxy.post(&format!("/{first_id}/retire"), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(status_of(list.as_array().unwrap(), &first_id), "retired");
    assert!(!proxy.dir.join(format!("keys/{first_id}.key")).exists());
    assert!(proxy.dir.join(format!("keys/{first_id}.crt")).exists());
    let (status, refused) = proxy.post(&format!("/{first_id}/activate"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&refused, "certificate_conflict");

    // Unknown ids, and ids that are not ids, are a 404 that names nothing of the disk.
    for id in ["0123456789abcdef", "..%2F..%2Fetc%2Fpasswd", "ABCDEF"] {
        let (status, _, body) = proxy.get(&format!("/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_error(&body, "unknown_certificate");
        assert!(!body["message"].as_str().unwrap().contains(proxy.dir.to_str().unwrap()));
    }

    // The private keys are on disk, and in no answer.
    let active_key = std::fs::read_to_string(proxy.dir.join(format!("keys/{next_id}.key"))).unwrap();
    assert!(active_key.contains("PRIVATE KEY"));
    for body in proxy.bodies.lock().unwrap().iter() {
        assert!(!body.contains("PRIVATE KEY"), "an answer carries a private key: {body}");
    }
}

#[tokio::test]
async fn bad_requests_are_refused_with_the_proxys_errors() {
    let proxy = Proxy::start().await;
    for (body, code) in [
        (json!({"algorithm": "dsa"}), "invalid_request"),
        (json!({"validity_days": 0}), "invalid_request"),
        (json!({"validity_days": 5000}), "invalid_request"),
        (json!({"common_name": "x".repeat(65)}), "invalid_request"),
        (json!({"algoritm": "p256"}), "invalid_request"),
    ] {
        let (status, answer) = proxy.post("", Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_error(&answer, code);
    }
    let too_large =
        proxy.client.post(proxy.url("")).bearer_auth(ADMIN_TOKEN).body(vec![b' '; 8192]).send().await.unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(proxy.list().await.is_empty(), "nothing was created");

    // No body at all: the CLI's defaults.
    let (status, created) = proxy.post("", None).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["algorithm"], "RS256");
    assert!(created["subject"].as_str().unwrap().contains("smart-tags-proxy"), "{created}");
}

#[tokio::test]
async fn every_certificate_route_wants_the_admin_token() {
    let proxy = Proxy::start().await;
    let id = "0123456789abcdef";
    let requests = [
        proxy.client.get(proxy.url("")),
        proxy.client.post(proxy.url("")).json(&json!({"algorithm": "p256"})),
        proxy.client.get(proxy.url(&format!("/{id}"))),
        proxy.client.post(proxy.url(&format!("/{id}/activate"))),
        proxy.client.post(proxy.url(&format!("/{id}/retire"))),
    ];
    for request in requests {
        for token in [None, Some("not-the-admin-token")] {
            let request = request.try_clone().unwrap();
            let request = match token {
                Some(token) => request.bearer_auth(token),
                None => request,
            };
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            let body: Value = response.json().await.unwrap();
            assert_error(&body, "admin_token_required");
        }
    }
    assert!(!proxy.dir.join("keys").exists(), "nothing was created without the token");
}
