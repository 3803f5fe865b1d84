//! The back-end API in process, against a tagging service that is down (nothing listens on its
//! port): off without a keys file; keys, browser credentials and the per-key rate limit; the SSRF
//! guard on webhook URLs; and a real job whose items meet the down service: the smart-tags step is
//! tried 1 + retries times, the items fail as retryable, the job ends `failed`; cancel and resume;
//! 413 over core's file limit; webhooks never follow redirects; the browser API refuses back-end
//! keys; listing jobs, deleting an ended one with the spooled files no other job references, and
//! the retention sweep at start-up.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use smart_tags_proxy::backend::config::BackendConfig;
use smart_tags_proxy::backend::keys::{new_key, BackendKeys};
use tokio::net::TcpListener;

mod common;

async fn start(backend: Option<BackendConfig>, run_worker: bool) -> String {
    common::start_backend(backend, run_worker, Default::default()).await
}

async fn start_with(
    backend: Option<BackendConfig>,
    run_worker: bool,
    browser: smart_tags_proxy::config::BrowserAccess,
) -> String {
    common::start_backend(backend, run_worker, browser).await
}

fn png(seed: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, seed]));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn job_body(files: &[(&str, Vec<u8>)], options: Option<&Value>) -> (String, Vec<u8>) {
    let boundary = "backend-access-boundary";
    let mut body = Vec::new();
    if let Some(options) = options {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"options\"\r\n\r\n{options}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

struct Api {
    base: String,
    key: String,
    client: reqwest::Client,
}

impl Api {
    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value, reqwest::header::HeaderMap) {
        let response = request.bearer_auth(&self.key).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, response.json().await.unwrap_or(Value::Null), headers)
    }

    async fn create(&self, files: &[(&str, Vec<u8>)], options: Option<&Value>) -> (u16, Value) {
        let (content_type, body) = job_body(files, options);
        let (status, body, _) = self
            .send(
                self.client
                    .post(format!("{}/api/v1/backend/jobs", self.base))
                    .header("content-type", content_type)
                    .body(body),
            )
            .await;
        (status, body)
    }

    async fn job(&self, id: &str, wait: u64) -> Value {
        self.send(self.client.get(format!("{}/api/v1/backend/jobs/{id}?wait={wait}", self.base))).await.1
    }
}

fn config(dir: &std::path::Path) -> (BackendConfig, String) {
    let (key, line) = new_key("dam").unwrap();
    let mut config = BackendConfig::new(BackendKeys::parse(&line).unwrap(), dir.to_owned());
    config.webhook_allow = vec!["https://dam.example.com/hooks/".to_owned()];
    config.webhook_secret = Some("a-webhook-secret-for-tests".to_owned());
    (config, key)
}

#[tokio::test]
async fn without_a_keys_file_every_backend_route_is_off() {
    let base = start(None, false).await;
    for path in ["/api/v1/backend/jobs", "/api/v1/backend/assets/tag", "/api/v1/backend/jobs/job_1/results"] {
        let response = reqwest::Client::new().post(format!("{base}{path}")).bearer_auth("stbk_x").send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
        assert_eq!(response.json::<Value>().await.unwrap()["code"], "backend_off");
    }
}

#[tokio::test]
async fn keys_browser_credentials_and_the_rate_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (mut config, key) = config(dir.path());
    config.rate_per_second = 0.5;
    config.rate_burst = 3;
    let base = start(Some(config), false).await;
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/backend/jobs/job_unknown");
    let code =
        |r: reqwest::Response| async move { (r.status().as_u16(), r.json::<Value>().await.unwrap()["code"].clone()) };
    assert_eq!(code(client.get(&url).send().await.unwrap()).await, (401, json!("backend_key_required")));
    assert_eq!(
        code(client.get(&url).header("cookie", "smart_tags_session=abc").send().await.unwrap()).await,
        (401, json!("backend_key_required"))
    );
    assert_eq!(
        code(client.get(&url).bearer_auth("eyJhbGciOiJIUzI1NiJ9.e30.sig").send().await.unwrap()).await,
        (401, json!("backend_key_required"))
    );
    assert_eq!(
        code(client.get(&url).bearer_auth("stbk_guessed").send().await.unwrap()).await,
        (401, json!("unknown_backend_key"))
    );
    for _ in 0..3 {
        assert_eq!(code(client.get(&url).bearer_auth(&key).send().await.unwrap()).await, (404, json!("unknown_job")));
    }
    let limited = client.get(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(limited.headers()["retry-after"], "2");
    // The browser API does not take a back-end key as its credential (its own rules apply: the
    // key is not a widget token); the admin routes want the admin token.
    let admin = client.get(format!("{base}/api/v1/admin/taxonomy")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(admin.status().as_u16(), 401);
}

#[tokio::test]
async fn webhook_urls_outside_the_allow_list_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (config, key) = config(dir.path());
    let base = start(Some(config), false).await;
    let api = Api { base, key, client: reqwest::Client::new() };
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "https://dam.example.com/hooks.evil.com/x",
        "https://dam.example.com/hooks/../admin",
        "file:///etc/passwd",
    ] {
        let (status, body) = api.create(&[("a", png(1))], Some(&json!({"webhook_url": url}))).await;
        assert_eq!((status, body["code"].as_str()), (400, Some("webhook_not_allowed")), "{url}: {body}");
    }
    let (status, body) = api.create(&[], None).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = api.create(&[("a", png(1))], Some(&json!({"folder": "/a/../b"}))).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_request")), "{body}");
    let (status, body) =
        api.create(&[("a", png(1))], Some(&json!({"webhook_url": "https://dam.example.com/hooks/x"}))).await;
    assert_eq!(status, 202, "an allowed url is taken: {body}");
}

#[tokio::test]
async fn items_meeting_a_down_service_are_retried_then_fail_as_retryable() {
    let dir = tempfile::tempdir().unwrap();
    let (mut config, key) = config(dir.path());
    // No wait for the service (see the next test): the items fail as they come.
    config.job_outage_wait = Duration::ZERO;
    let base = start(Some(config), true).await;
    let api = Api { base, key, client: reqwest::Client::new() };
    let (status, created) =
        api.create(&[("img-1", png(1)), ("img-2", png(2)), ("broken", b"not an image".to_vec())], None).await;
    assert_eq!(status, 202, "{created}");
    assert_eq!(created["total"], 3);
    let id = created["job_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("job_"));
    let started = Instant::now();
    let job = loop {
        let job = api.job(&id, 20).await;
        if job["status"] == "failed" || job["status"] == "completed" {
            break job;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{job}");
    };
    assert_eq!(job["status"], "failed", "every item failed: {job}");
    assert_eq!(job["failed"], 3);
    // The default workflow: 2 retries with 500 ms, 1 s backoff → at least 1.5 s per item.
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let (_, page, _) = api.send(api.client.get(format!("{}/api/v1/backend/jobs/{id}/results", api.base))).await;
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for result in &results[..2] {
        assert_eq!(result["outcome"], "failed", "{result}");
        assert_eq!(result["retryable"], true);
        let smart = result["steps"].as_array().unwrap().iter().find(|s| s["step"] == "smart_tags").unwrap();
        assert_eq!(
            (smart["status"].as_str(), smart["attempts"].as_u64(), smart["code"].as_str()),
            (Some("failed"), Some(3), Some("service_unavailable")),
            "{result}"
        );
        assert_eq!(result["steps"][0]["status"], "succeeded", "the image itself was fine");
        assert_eq!(result["content_hash"].as_str().unwrap().len(), 64);
    }
    assert_eq!(results[2]["steps"][0]["code"], "bad_image", "{}", results[2]);
    assert_eq!(results[2]["retryable"], false);
    // An ended job cannot be cancelled; it can try its retryable failed items again (the broken
    // image stays as it was).
    let (status, _, _) = api.send(api.client.post(format!("{}/api/v1/backend/jobs/{id}/cancel", api.base))).await;
    assert_eq!(status, 409);
    let (status, resumed, _) = api.send(api.client.post(format!("{}/api/v1/backend/jobs/{id}/resume", api.base))).await;
    assert_eq!(
        (status, resumed["status"].as_str(), resumed["failed"].as_i64(), resumed["pending"].as_i64()),
        (200, Some("queued"), Some(1), Some(2)),
        "{resumed}"
    );
    let job = api.job(&id, 60).await;
    assert_eq!((job["status"].as_str(), job["failed"].as_i64()), (Some("failed"), Some(3)), "{job}");
    let (_, only_broken) = api.create(&[("broken-2", b"not an image".to_vec())], None).await;
    let broken_id = only_broken["job_id"].as_str().unwrap().to_owned();
    assert_eq!(api.job(&broken_id, 30).await["status"], "failed");
    let (status, refused, _) =
        api.send(api.client.post(format!("{}/api/v1/backend/jobs/{broken_id}/resume", api.base))).await;
    assert_eq!((status, refused["code"].as_str()), (409, Some("conflict")), "nothing retryable: {refused}");
    // Cancel and resume a new one.
    let files: Vec<(String, Vec<u8>)> = (10..16).map(|i| (format!("c-{i}"), png(i))).collect();
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let (_, created) = api.create(&files, None).await;
    let id = created["job_id"].as_str().unwrap().to_owned();
    let (status, cancelled, _) =
        api.send(api.client.post(format!("{}/api/v1/backend/jobs/{id}/cancel", api.base))).await;
    assert_eq!((status, cancelled["status"].as_str()), (200, Some("cancelled")), "{cancelled}");
    assert!(cancelled["cancelled"].as_i64().unwrap() >= 4, "pending items are cancelled: {cancelled}");
    let (status, resumed, _) = api.send(api.client.post(format!("{}/api/v1/backend/jobs/{id}/resume", api.base))).await;
    assert_eq!(
        (status, resumed["status"].as_str(), resumed["cancelled"].as_i64()),
        (200, Some("queued"), Some(0)),
        "{resumed}"
    );
    let job = api.job(&id, 60).await;
    assert_eq!((job["status"].as_str(), job["failed"].as_i64()), (Some("failed"), Some(6)), "{job}");
}

#[tokio::test]
async fn a_job_waits_for_a_down_service_instead_of_failing_its_items_and_can_be_cancelled_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let (config, key) = config(dir.path());
    let base = start(Some(config), true).await;
    let api = Api { base, key, client: reqwest::Client::new() };
    let (_, created) = api.create(&[("img-1", png(1)), ("img-2", png(2)), ("img-3", png(3))], None).await;
    let id = created["job_id"].as_str().unwrap().to_owned();
    // The first items meet the down service (1.5 s of retries), go back to the queue, and the job
    // waits: nothing fails.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let job = api.job(&id, 0).await;
    assert_eq!(
        (job["status"].as_str(), job["failed"].as_i64(), job["pending"].as_i64()),
        (Some("running"), Some(0), Some(3)),
        "{job}"
    );
    let (status, cancelled, _) =
        api.send(api.client.post(format!("{}/api/v1/backend/jobs/{id}/cancel", api.base))).await;
    assert_eq!((status, cancelled["cancelled"].as_i64()), (200, Some(3)), "{cancelled}");
    // The worker leaves the wait and takes the next job.
    let (_, next) = api.create(&[("broken", b"not an image".to_vec())], None).await;
    let next = api.job(next["job_id"].as_str().unwrap(), 40).await;
    assert_eq!(next["status"], "failed", "{next}");
}

/// The spool directory's entries (finished files and temporary ones).
fn spool_entries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir.join("spool"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

async fn spool_empties(dir: &std::path::Path) -> Vec<String> {
    for _ in 0..50 {
        if spool_entries(dir).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    spool_entries(dir)
}

#[tokio::test]
async fn an_upload_whose_job_is_not_stored_leaves_no_spool_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (config, key) = config(dir.path());
    let base = start(Some(config), false).await;
    let api = Api { base: base.clone(), key: key.clone(), client: reqwest::Client::new() };
    // Two files spooled, then a part the API does not take: 400, and the two files go at once.
    let (content_type, mut body) = job_body(&[("a", png(60)), ("b", png(61))], None);
    let end = "--backend-access-boundary--\r\n";
    body.truncate(body.len() - end.len());
    body.extend_from_slice(b"--backend-access-boundary\r\nContent-Disposition: form-data; name=\"bogus\"\r\n\r\nx\r\n--backend-access-boundary--\r\n");
    let (status, refused, _) = api
        .send(
            api.client
                .post(format!("{base}/api/v1/backend/jobs"))
                .header("content-type", content_type.clone())
                .body(body),
        )
        .await;
    assert_eq!((status, refused["code"].as_str()), (400, Some("invalid_request")), "{refused}");
    assert_eq!(spool_empties(dir.path()).await, Vec::<String>::new());
    // An upload that breaks off after one whole file: the connection goes, and so does the file.
    let (_, whole) = job_body(&[("c", png(62)), ("d", png(63))], None);
    let cut = whole.len() - 200;
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!("POST /api/v1/backend/jobs HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", whole.len());
    tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes()).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, &whole[..cut]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!spool_entries(dir.path()).is_empty(), "the first file was spooled");
    drop(stream);
    assert_eq!(spool_empties(dir.path()).await, Vec::<String>::new());
    // A file a stored job references stays when another upload of it fails.
    let (status, _) = api.create(&[("e", png(64))], None).await;
    assert_eq!(status, 202);
    let (content_type, mut body) = job_body(&[("f", png(64))], None);
    body.truncate(body.len() - end.len());
    body.extend_from_slice(b"--backend-access-boundary\r\nContent-Disposition: form-data; name=\"bogus\"\r\n\r\nx\r\n--backend-access-boundary--\r\n");
    let (status, _, _) = api
        .send(api.client.post(format!("{base}/api/v1/backend/jobs")).header("content-type", content_type).body(body))
        .await;
    assert_eq!(status, 400);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(spool_entries(dir.path()), vec![smart_tags_core::preprocess::sha256_hex(&png(64))]);
}

#[tokio::test]
async fn files_over_cores_limit_are_refused_with_413_and_leave_nothing_in_the_spool() {
    let dir = tempfile::tempdir().unwrap();
    let (config, key) = config(dir.path());
    let base = start(Some(config), false).await;
    let api = Api { base, key, client: reqwest::Client::new() };
    let limit = smart_tags_core::limits::Limits::default().max_bytes;
    let big = vec![0u8; limit + 1];
    let (status, body, _) = api
        .send(api.client.post(format!("{}/api/v1/backend/assets/tag?asset_id=big", api.base)).body(big.clone()))
        .await;
    assert_eq!((status, body["code"].as_str()), (413, Some("too_large")), "{body}");
    let (status, body) = api.create(&[("small", png(3)), ("big", big)], None).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("too_large")), "{body}");
    let spool: Vec<String> = std::fs::read_dir(dir.path().join("spool"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(spool.iter().all(|name| !name.starts_with(".tmp-")), "no partial file is left: {spool:?}");
    // An empty body is core's `empty` error, a 400.
    let (status, body, _) =
        api.send(api.client.post(format!("{}/api/v1/backend/assets/tag?asset_id=empty", api.base))).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_image")), "{body}");
}

#[tokio::test]
async fn webhooks_never_follow_redirects_and_give_up_after_their_tries() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A receiver under the allowed prefix that redirects to a path outside it.
    let hits = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = listener.local_addr().unwrap();
    let (h1, h2) = (hits.clone(), hits.clone());
    let app = axum::Router::new()
        .route(
            "/hooks/x",
            axum::routing::post(move || async move {
                h1.0.fetch_add(1, Ordering::SeqCst);
                (axum::http::StatusCode::FOUND, [("location", "/internal/admin")])
            }),
        )
        .route(
            "/internal/admin",
            axum::routing::any(move || async move {
                h2.1.fetch_add(1, Ordering::SeqCst);
                "never"
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let (mut config, key) = config(dir.path());
    config.webhook_allow = vec![format!("http://{hook}/hooks/")];
    config.webhook_backoff = vec![Duration::from_millis(100), Duration::from_millis(100)];
    let base = start(Some(config), true).await;
    let api = Api { base, key, client: reqwest::Client::new() };
    let (status, created) = api
        .create(
            &[("broken", b"not an image".to_vec())],
            Some(&json!({"webhook_url": format!("http://{hook}/hooks/x")})),
        )
        .await;
    assert_eq!(status, 202, "{created}");
    let id = created["job_id"].as_str().unwrap().to_owned();
    let started = Instant::now();
    let job = loop {
        let job = api.job(&id, 5).await;
        if job["deliveries"][0]["state"] == "failed" {
            break job;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{job}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(job["status"], "failed");
    assert_eq!(
        (job["deliveries"][0]["attempts"].as_i64(), job["deliveries"][0]["last_status"].as_i64()),
        (Some(3), Some(302)),
        "{job}"
    );
    assert_eq!(job["deliveries"][0]["event"], "job.failed");
    assert_eq!(hits.0.load(Ordering::SeqCst), 3, "1 try + 2 retries");
    assert_eq!(hits.1.load(Ordering::SeqCst), 0, "the redirect is never followed");
}

#[tokio::test]
async fn the_browser_api_does_not_take_a_backend_key() {
    let dir = tempfile::tempdir().unwrap();
    let (config, key) = config(dir.path());
    let keys =
        smart_tags_proxy::client_auth::widget_token::WidgetKeys::parse("the-dam-and-the-proxy-share-this-secret-0123")
            .unwrap();
    let browser = smart_tags_proxy::config::BrowserAccess {
        widget_keys: Some(Arc::new(keys)),
        rate_per_second: 0.0,
        rate_burst: 1,
        ..Default::default()
    };
    let base = start_with(Some(config), false, browser).await;
    let client = reqwest::Client::new();
    let answer = client.get(format!("{base}/api/v1/assets?asset_id=a")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 401, "a back-end key is not a widget token");
    let answer = client
        .get(format!("{base}/api/v1/assets?asset_id=a"))
        .header(smart_tags_proxy::client_auth::TOKEN_HEADER, &key)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    // …while the back-end API takes it.
    let answer = client.get(format!("{base}/api/v1/backend/jobs/job_x")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 404);
}

#[tokio::test]
async fn jobs_are_listed_and_only_ended_ones_are_deleted_with_the_spool_files_no_other_job_needs() {
    let dir = tempfile::tempdir().unwrap();
    let (mut config, key) = config(dir.path());
    // Jobs end (failed) at once against the down service.
    config.job_outage_wait = Duration::ZERO;
    let base = start(Some(config), true).await;
    let api = Api { base, key, client: reqwest::Client::new() };
    let spooled =
        |bytes: &[u8]| dir.path().join("spool").join(smart_tags_core::preprocess::sha256_hex(bytes)).is_file();
    let (shared, own) = (png(50), png(51));
    let (_, first) = api.create(&[("shared-1", shared.clone()), ("own", own.clone())], None).await;
    let first = first["job_id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (_, second) = api.create(&[("shared-2", shared.clone())], None).await;
    let second = second["job_id"].as_str().unwrap().to_owned();
    let list = |query: &str| api.send(api.client.get(format!("{}/api/v1/backend/jobs{query}", api.base)));
    let delete = |id: &str| api.send(api.client.delete(format!("{}/api/v1/backend/jobs/{id}", api.base)));

    // Newest first, in pages; the worker takes the oldest job first.
    let (status, page, _) = list("").await;
    assert_eq!(status, 200, "{page}");
    let ids: Vec<&str> = page["jobs"].as_array().unwrap().iter().map(|j| j["job_id"].as_str().unwrap()).collect();
    assert_eq!((ids, &page["next"]), (vec![second.as_str(), first.as_str()], &Value::Null));
    let (_, page, _) = list("?limit=1").await;
    assert_eq!(page["jobs"][0]["job_id"], second.as_str());
    let (_, rest, _) = list(&format!("?limit=1&after={}", page["next"].as_str().unwrap())).await;
    assert_eq!(
        (rest["jobs"][0]["job_id"].as_str(), rest["jobs"][0]["total"].as_i64(), &rest["next"]),
        (Some(first.as_str()), Some(2), &Value::Null),
        "{rest}"
    );
    let (_, retags, _) = list("?kind=retag").await;
    assert_eq!(retags["jobs"], json!([]));
    for bad in ["?limit=0", "?limit=201", "?limit=x", "?status=done", "?kind=x", "?after=nonsense", "?state=running"] {
        let (status, body, _) = list(bad).await;
        assert_eq!((status, body["code"].as_str()), (400, Some("invalid_request")), "{bad}: {body}");
    }

    // The down service keeps the first job running ≥ 1.5 s (its retries); the second is queued.
    let started = Instant::now();
    while api.job(&first, 0).await["status"] != "running" {
        assert!(started.elapsed() < Duration::from_secs(10), "the worker takes the job");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, running, _) = list("?status=running").await;
    assert_eq!(running["jobs"].as_array().unwrap().len(), 1, "{running}");
    assert_eq!(running["jobs"][0]["job_id"], first.as_str());
    for id in [&first, &second] {
        let (status, body, _) = delete(id).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("conflict")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("cancel it first"), "{body}");
    }
    let (status, body, _) = delete("job_0123456789abcdef").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("unknown_job")));

    // Once ended: 204, gone from the store and the listing; its own file leaves the spool, the
    // file the second job shares stays until that one is deleted too.
    for id in [&first, &second] {
        assert_eq!(api.job(id, 30).await["status"], "failed");
    }
    assert!(spooled(&shared) && spooled(&own));
    let (status, _, _) = delete(&first).await;
    assert_eq!(status, 204);
    assert!(!spooled(&own), "only the deleted job had it");
    assert!(spooled(&shared), "the second job still needs it");
    let (status, body, _) = api.send(api.client.get(format!("{}/api/v1/backend/jobs/{first}", api.base))).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("unknown_job")));
    let (_, page, _) = list("?status=failed").await;
    assert_eq!(
        page["jobs"].as_array().unwrap().iter().map(|j| j["job_id"].as_str().unwrap()).collect::<Vec<_>>(),
        [second.as_str()]
    );
    let (status, _, _) = delete(&first).await;
    assert_eq!(status, 404, "once");
    let (status, _, _) = delete(&second).await;
    assert_eq!(status, 204);
    assert!(!spooled(&shared));
    let (_, page, _) = list("").await;
    assert_eq!((&page["jobs"], &page["next"]), (&json!([]), &Value::Null));
}

#[tokio::test]
async fn the_sweep_at_start_up_deletes_old_ended_jobs_and_prunes_the_spool() {
    use smart_tags_proxy::backend::jobs::store::{JobStore, NewItem};
    let dir = tempfile::tempdir().unwrap();
    let day = Duration::from_secs(24 * 3600);
    let (long_ago, now) = (std::time::SystemTime::now() - 3 * day, std::time::SystemTime::now());
    std::fs::create_dir_all(dir.path().join("spool")).unwrap();
    // Four spool files: two of jobs, two no job references (one of them old).
    let file = |bytes: &[u8], modified: std::time::SystemTime| {
        let hash = smart_tags_core::preprocess::sha256_hex(bytes);
        std::fs::write(dir.path().join("spool").join(&hash), bytes).unwrap();
        std::fs::File::options()
            .write(true)
            .open(dir.path().join("spool").join(&hash))
            .unwrap()
            .set_modified(modified)
            .unwrap();
        hash
    };
    let (old_job, new_job, old_orphan, new_orphan) = (
        file(b"old job", long_ago),
        file(b"new job", long_ago),
        file(b"old orphan", long_ago),
        file(b"new orphan", now),
    );
    let store = JobStore::open(&dir.path().join("jobs.sqlite3")).unwrap();
    for (id, hash) in [("job_old", &old_job), ("job_new", &new_job)] {
        store
            .create(
                id,
                "tag",
                &json!({}),
                None,
                &[NewItem { asset_id: Some(id.to_owned()), content_hash: Some(hash.clone()), spooled: true }],
            )
            .unwrap();
    }
    drop(store);
    let at = |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let db = rusqlite::Connection::open(dir.path().join("jobs.sqlite3")).unwrap();
    db.execute("UPDATE jobs SET status = 'completed', updated_at = ?1 WHERE id = 'job_old'", [at(long_ago)]).unwrap();
    db.execute("UPDATE jobs SET status = 'completed', updated_at = ?1 WHERE id = 'job_new'", [at(now - day / 2)])
        .unwrap();
    drop(db);

    let (mut config, key) = config(dir.path());
    config.job_retention = Some(day);
    let base = start(Some(config), true).await;
    let api = Api { base, key, client: reqwest::Client::new() };
    let spooled = |hash: &str| dir.path().join("spool").join(hash).is_file();
    // Pruning orphans is the sweep's last step.
    let started = Instant::now();
    while spooled(&old_orphan) {
        assert!(started.elapsed() < Duration::from_secs(10), "the sweep runs at start-up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, gone, _) = api.send(api.client.get(format!("{}/api/v1/backend/jobs/job_old", api.base))).await;
    assert_eq!((status, gone["code"].as_str()), (404, Some("unknown_job")), "ended three days ago: deleted");
    let (status, kept, _) = api.send(api.client.get(format!("{}/api/v1/backend/jobs/job_new", api.base))).await;
    assert_eq!((status, kept["status"].as_str()), (200, Some("completed")), "ended half a day ago: kept");
    assert!(!spooled(&old_job), "only the deleted job referenced it");
    assert!(spooled(&new_job) && spooled(&new_orphan), "a kept job's file and a file younger than an hour stay");
}
