//! The back-end API across real processes: the service and the proxy binaries on loopback ports
//! from empty data directories, a back-end key made by `smart-tags-proxy backend-key add`.
//! - a batch job over the fixture photos; the proxy is `kill -9`ed when some but not all items are
//!   done, restarted, and the job goes on by itself to the end: every asset has a result and the
//!   service ran the model exactly once per asset (`inference_count == 1`);
//! - its webhook reaches a receiver in this test that answers 500 once, then (after another
//!   `kill -9` and restart: deliveries are stored) 200, and checks the
//!   signature with the Python and Node.js snippets of docs/backend-api.md, as written there;
//! - a webhook URL outside the allow-list is refused (SSRF), keys are required, a corrupt image is
//!   400 with nothing stored;
//! - exports: the JPEG copy of a job's photo carries its final tags, read back by exiftool;
//! - a bulk re-tag: dry run (a new taxonomy tag shows in `added`, nothing saved), then apply;
//! - the single-image route under the workflow: all steps, a folder switched off (skipped, nothing
//!   stored), Ignore Smart Tag Flag, a sources filter and a disabled colour step.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{json, Value};
use smart_tags_tests::backend::{job_body, photos, Setup, WEBHOOK_SECRET};
use smart_tags_tests::{exiftool, exiftool_list, sha256_hex};

/// The code block of `language` under `heading` in docs/backend-api.md.
fn doc_snippet(heading: &str, language: &str) -> String {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/backend-api.md")).unwrap();
    let section = &doc[doc.find(heading).unwrap_or_else(|| panic!("no {heading} in the docs"))..];
    let start = section.find(&format!("```{language}\n")).unwrap() + language.len() + 4;
    section[start..start + section[start..].find("```").unwrap()].to_owned()
}

/// Runs the docs' snippets on one delivery: (python says valid, node says valid).
fn verify_with_snippets(signature: &str, body: &[u8]) -> (bool, bool) {
    let python = format!("{}\nimport os, sys\nsys.exit(0 if verify(os.environ['SECRET'], os.environ['SIG'], sys.stdin.buffer.read()) else 1)\n", doc_snippet("### Verifying in Python", "python"));
    let node = format!(
        "{}\nconst chunks = []; process.stdin.on('data', (c) => chunks.push(c)); process.stdin.on('end', () => process.exit(verify(process.env.SECRET, process.env.SIG, Buffer.concat(chunks)) ? 0 : 1));\n",
        doc_snippet("### Verifying in Node.js", "js")
    );
    let run = |program: &str, args: &[&str]| {
        let mut child = Command::new(program)
            .args(args)
            .env("SECRET", WEBHOOK_SECRET)
            .env("SIG", signature)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), body).unwrap();
        drop(child.stdin.take());
        child.wait().unwrap().success()
    };
    (run("python3", &["-c", &python]), run("node", &["-e", &node]))
}

#[derive(Default)]
struct Hooks {
    /// (delivery id, event, python ok, node ok, answered status)
    seen: Vec<(String, String, bool, bool, u16)>,
}

async fn hook(State(hooks): State<Arc<Mutex<Hooks>>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let signature = header("x-smart-tags-signature");
    let body_vec = body.to_vec();
    let (python, node) =
        tokio::task::spawn_blocking(move || verify_with_snippets(&signature, &body_vec)).await.unwrap();
    let mut hooks = hooks.lock().unwrap();
    // The first delivery attempt fails on purpose; valid signatures get 200 after that.
    let status = if hooks.seen.is_empty() {
        500
    } else if python && node {
        200
    } else {
        401
    };
    hooks.seen.push((header("x-smart-tags-delivery"), header("x-smart-tags-event"), python, node, status));
    StatusCode::from_u16(status).unwrap()
}

async fn start_hooks() -> (SocketAddr, Arc<Mutex<Hooks>>) {
    let hooks = Arc::new(Mutex::new(Hooks::default()));
    let app = axum::Router::new().route("/hooks/smart-tags", post(hook)).with_state(hooks.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, hooks)
}

/// exiftool's Subject list of a JPEG.
fn exiftool_subjects(path: &Path) -> Vec<String> {
    exiftool_list(&exiftool(&["-XMP-dc:Subject"], path), "Subject")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_survives_kill_9_of_the_proxy_and_nothing_is_tagged_twice() {
    let (hook_addr, hooks) = start_hooks().await;
    let root = tempfile::tempdir().unwrap();
    let setup = Setup::new(root.path(), hook_addr.port());
    let _service = setup.start_service().await;
    let mut proxy = setup.start_proxy(1).await;
    let client = reqwest::Client::new();

    // Keys: none, a browser credential, an unknown key are refused.
    let url = format!("{}/api/v1/backend/jobs/job_none", setup.proxy());
    assert_eq!(client.get(&url).send().await.unwrap().status().as_u16(), 401);
    let refused = client.get(&url).bearer_auth("eyJhbGciOiJIUzI1NiJ9.e30.x").send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    assert_eq!(refused.json::<Value>().await.unwrap()["code"], "backend_key_required");
    let unknown = client.get(&url).bearer_auth("stbk_not-a-key").send().await.unwrap();
    assert_eq!(unknown.json::<Value>().await.unwrap()["code"], "unknown_backend_key");
    assert_eq!(setup.get("/api/v1/backend/jobs/job_none").await.0, 404);

    // SSRF: a webhook outside the allow-list is refused, and no job is made.
    let photos = photos();
    let (content_type, body) =
        job_body(&photos[..1], &json!({"webhook_url": "http://169.254.169.254/latest/meta-data/"}));
    let answer = client
        .post(format!("{}/api/v1/backend/jobs", setup.proxy()))
        .bearer_auth(&setup.key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    assert_eq!(answer.json::<Value>().await.unwrap()["code"], "webhook_not_allowed");

    // A corrupt image: 400 with core's message, nothing stored in the service.
    let jpeg = photos.iter().find(|(n, _)| n.ends_with(".jpg")).expect("a fixture jpeg");
    let truncated = jpeg.1[..jpeg.1.len() / 2].to_vec();
    let answer = client
        .post(format!("{}/api/v1/backend/assets/tag?asset_id=broken", setup.proxy()))
        .bearer_auth(&setup.key)
        .body(truncated)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let error: Value = answer.json().await.unwrap();
    assert_eq!(error["code"], "bad_image", "{error}");
    let stored = client.get(format!("{}/v1/assets?asset_id=broken", setup.service())).send().await.unwrap();
    assert_eq!(stored.status().as_u16(), 404, "nothing is stored for a bad image");

    // The job over every photo.
    let webhook_url = format!("http://127.0.0.1:{}/hooks/smart-tags", hook_addr.port());
    let (content_type, body) = job_body(&photos, &json!({"folder": "/fixtures", "webhook_url": webhook_url}));
    let answer = client
        .post(format!("{}/api/v1/backend/jobs", setup.proxy()))
        .bearer_auth(&setup.key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 202);
    let created: Value = answer.json().await.unwrap();
    let job_id = created["job_id"].as_str().unwrap().to_owned();
    assert_eq!(created["total"], photos.len());

    // kill -9 once some but not all items are done.
    let started = Instant::now();
    loop {
        let (_, job) = setup.get(&format!("/api/v1/backend/jobs/{job_id}")).await;
        let ended = job["done"].as_i64().unwrap() + job["failed"].as_i64().unwrap() + job["skipped"].as_i64().unwrap();
        if ended >= 3 {
            assert!(job["pending"].as_i64().unwrap() > 0, "the job ended before the kill: {job}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "no progress: {job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    proxy.child.kill().unwrap(); // SIGKILL
    proxy.child.wait().unwrap();
    let mut proxy = setup.start_proxy(2).await;

    // The job goes on by itself and ends.
    let started = Instant::now();
    let job = loop {
        let (status, job) = setup.get(&format!("/api/v1/backend/jobs/{job_id}?wait=30")).await;
        assert_eq!(status, 200, "{job}");
        if job["status"] == "completed" {
            break job;
        }
        assert_ne!(job["status"], "failed", "{job}");
        assert!(started.elapsed() < Duration::from_secs(600), "the job did not end: {job}");
    };
    assert_eq!(job["total"], photos.len());
    assert_eq!(job["pending"], 0);

    // Every asset has a result; the service ran the model once per asset.
    let (_, page) = setup.get(&format!("/api/v1/backend/jobs/{job_id}/results?format=json")).await;
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), photos.len(), "every asset has a result");
    let by_id: BTreeMap<&str, &Value> = results.iter().map(|r| (r["asset_id"].as_str().unwrap(), r)).collect();
    let mut tagged = 0;
    for (name, bytes) in &photos {
        let result = by_id.get(name.as_str()).unwrap_or_else(|| panic!("no result for {name}"));
        assert_eq!(result["content_hash"], sha256_hex(bytes), "{result}");
        if result["outcome"] == "failed" {
            // Only a file core cannot read may fail, with core's message.
            assert_eq!(result["steps"][0]["code"], "bad_image", "{result}");
            continue;
        }
        assert_eq!(result["outcome"], "completed", "{result}");
        assert_eq!(result["folder"], "/fixtures");
        let asset: Value = client
            .get(format!("{}/v1/assets?asset_id={name}", setup.service()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(asset["inference_count"], 1, "{name} was tagged {} times: {asset}", asset["inference_count"]);
        tagged += 1;
    }
    assert!(tagged >= 20, "{tagged} photos tagged");
    log_line(&setup, &job, results);

    // The webhook: refused once (500); the proxy is killed before the retry (1 s later) and the
    // restarted one delivers it from jobs.sqlite3, with a valid signature.
    let started = Instant::now();
    loop {
        let (_, job) = setup.get(&format!("/api/v1/backend/jobs/{job_id}")).await;
        if job["deliveries"][0]["attempts"] == 1 {
            assert_eq!(job["deliveries"][0]["state"], "pending", "{job}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the webhook was not tried: {job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    proxy.child.kill().unwrap();
    proxy.child.wait().unwrap();
    let proxy = setup.start_proxy(3).await;
    let started = Instant::now();
    loop {
        let (_, job) = setup.get(&format!("/api/v1/backend/jobs/{job_id}")).await;
        if job["deliveries"][0]["state"] == "delivered" {
            assert_eq!(job["deliveries"][0]["attempts"], 2, "{job}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the webhook was not delivered: {job}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let seen = hooks.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].0, seen[1].0, "a retry keeps the delivery id");
    assert!(
        seen.iter().all(|(_, event, python, node, _)| event == "job.completed" && *python && *node),
        "both snippets accept the signature: {seen:?}"
    );
    assert_eq!((seen[0].4, seen[1].4), (500, 200));
    // The snippets refuse a wrong signature.
    assert_eq!(
        verify_with_snippets(
            &format!(
                "t={},v1={}",
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(),
                "00".repeat(32)
            ),
            b"{}"
        ),
        (false, false)
    );

    // Exports: the JPEG copy carries the final tags, as exiftool reads them.
    let (name, _) = photos
        .iter()
        .find(|(n, _)| n.ends_with(".jpg") && by_id[n.as_str()]["outcome"] == "completed")
        .expect("a tagged jpeg");
    let response = client
        .get(format!("{}/api/v1/backend/jobs/{job_id}/assets/{name}/jpeg", setup.proxy()))
        .bearer_auth(&setup.key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let copy = setup.path("copy.jpg");
    std::fs::write(&copy, response.bytes().await.unwrap()).unwrap();
    let subjects = exiftool_subjects(&copy);
    let expected: Vec<String> = by_id[name.as_str()]["tags"]["smart"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        subjects.iter().collect::<BTreeSet<_>>(),
        expected.iter().collect::<BTreeSet<_>>(),
        "exiftool reads the final tags"
    );
    let csv = client
        .get(format!("{}/api/v1/backend/jobs/{job_id}/results?format=csv", setup.proxy()))
        .bearer_auth(&setup.key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains(name.as_str()) && csv.contains(&expected[0]), "{csv}");
    let sidecar = client
        .get(format!("{}/api/v1/backend/assets/export?asset_id={name}&format=xmp", setup.proxy()))
        .bearer_auth(&setup.key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sidecar.contains("dc:subject") && sidecar.contains(&expected[0]), "{sidecar}");
    let jpeg_bytes = photos.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let response = client
        .post(format!("{}/api/v1/backend/assets/xmp-jpeg?asset_id={name}", setup.proxy()))
        .bearer_auth(&setup.key)
        .body(jpeg_bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    std::fs::write(setup.path("posted.jpg"), response.bytes().await.unwrap()).unwrap();
    assert_eq!(
        exiftool_subjects(&setup.path("posted.jpg")).iter().collect::<BTreeSet<_>>(),
        expected.iter().collect::<BTreeSet<_>>()
    );

    retag_dry_run_then_apply(&setup, &client, tagged).await;
    drop(proxy);
}

/// Waits for a job to end and answers it.
async fn ended(setup: &Setup, job_id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (_, job) = setup.get(&format!("/api/v1/backend/jobs/{job_id}?wait=30")).await;
        if job["status"] != "queued" && job["status"] != "running" {
            return job;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "{job}");
    }
}

/// A new taxonomy tag, a dry-run bulk re-tag (from the stored model outputs: no image, no model
/// run), then its apply: the new tag reaches the cat photo only once applied.
async fn retag_dry_run_then_apply(setup: &Setup, client: &reqwest::Client, tagged: usize) {
    let cat = "skimage-chelsea.png";
    let felines = json!({"id": "demo:animals/felines", "titles": {"en": "Felines"}});
    let created = client.post(format!("{}/v1/taxonomy/tags", setup.service())).json(&felines).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201, "{}", created.text().await.unwrap());
    let create = |body: Value| {
        client.post(format!("{}/api/v1/backend/jobs", setup.proxy())).bearer_auth(&setup.key).json(&body).send()
    };
    let answer = create(json!({"kind": "retag", "folder": "/fixtures", "dry_run": true})).await.unwrap();
    assert_eq!(answer.status().as_u16(), 202);
    let dry: Value = answer.json().await.unwrap();
    assert_eq!(dry["total"], tagged, "every stored asset under /fixtures: {dry}");
    let dry_id = dry["job_id"].as_str().unwrap().to_owned();
    let job = ended(setup, &dry_id).await;
    assert_eq!(job["status"], "completed", "{job}");
    let (_, page) = setup.get(&format!("/api/v1/backend/jobs/{dry_id}/results")).await;
    let results = page["results"].as_array().unwrap();
    let cat_result = results.iter().find(|r| r["asset_id"] == cat).unwrap_or_else(|| panic!("no {cat}: {page}"));
    assert_eq!(cat_result["status"], "changed", "{cat_result}");
    assert!(cat_result["added"].as_array().unwrap().iter().any(|t| t["id"] == "demo:animals/felines"), "{cat_result}");
    assert!(job["summary"]["changed"].as_i64().unwrap() >= 1, "{job}");
    let has_felines =
        |asset: &Value| asset["tags"]["smart"].as_array().unwrap().iter().any(|t| t["id"] == "demo:animals/felines");
    let asset = |id: &str| client.get(format!("{}/v1/assets?asset_id={id}", setup.service())).send();
    let before: Value = asset(cat).await.unwrap().json().await.unwrap();
    assert!(!has_felines(&before), "a dry run saves nothing: {before}");
    // Apply: a new job over the same assets that saves.
    let applied: Value = client
        .post(format!("{}/api/v1/backend/jobs/{dry_id}/apply", setup.proxy()))
        .bearer_auth(&setup.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (applied["total"].as_u64(), applied["source_job"].as_str()),
        (Some(tagged as u64), Some(dry_id.as_str())),
        "{applied}"
    );
    let job = ended(setup, applied["job_id"].as_str().unwrap()).await;
    assert_eq!(job["status"], "completed", "{job}");
    let after: Value = asset(cat).await.unwrap().json().await.unwrap();
    assert!(has_felines(&after), "applied: {after}");
    assert_eq!(after["inference_count"], 1, "a re-tag never runs the model: {after}");
    // A finished apply cannot be applied again.
    let again = client
        .post(format!("{}/api/v1/backend/jobs/{}/apply", setup.proxy(), applied["job_id"].as_str().unwrap()))
        .bearer_auth(&setup.key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 409);

    // Smart tagging switched off for the folder: every asset is skipped with the reason, unless the
    // job includes such folders.
    let folder = |flag: &str| {
        client
            .put(format!("{}/v1/folders", setup.service()))
            .json(&json!({"path": "/fixtures", "smart_tags": flag}))
            .send()
    };
    assert_eq!(folder("disabled").await.unwrap().status().as_u16(), 200);
    let off: Value =
        create(json!({"kind": "retag", "folder": "/fixtures", "dry_run": true})).await.unwrap().json().await.unwrap();
    let job = ended(setup, off["job_id"].as_str().unwrap()).await;
    assert_eq!(
        (job["summary"]["smart_tags_off"].as_u64(), job["summary"]["changed"].as_u64()),
        (Some(tagged as u64), Some(0)),
        "{job}"
    );
    assert_eq!(
        (job["skipped"].as_u64(), job["summary"]["needs_image"].as_u64()),
        (Some(tagged as u64), Some(0)),
        "{job}"
    );
    let (_, page) = setup.get(&format!("/api/v1/backend/jobs/{}/results", off["job_id"].as_str().unwrap())).await;
    let cat_result =
        page["results"].as_array().unwrap().iter().find(|r| r["asset_id"] == cat).cloned().unwrap_or_default();
    assert_eq!(
        (cat_result["status"].as_str(), cat_result["reason"].as_str()),
        (Some("smart_tags_off"), Some("smart tagging is switched off for /fixtures")),
        "{cat_result}"
    );
    let included: Value =
        create(json!({"kind": "retag", "folder": "/fixtures", "dry_run": true, "ignore_smart_tag_flag": true}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let job = ended(setup, included["job_id"].as_str().unwrap()).await;
    assert_eq!(
        (job["summary"]["smart_tags_off"].as_u64(), job["done"].as_u64()),
        (Some(0), Some(tagged as u64)),
        "{job}"
    );
    assert_eq!(folder("inherit").await.unwrap().status().as_u16(), 200);
}

fn log_line(setup: &Setup, job: &Value, results: &[Value]) {
    let reused = results.iter().filter(|r| r["reused"] == true).count();
    println!(
        "job {}: {} items, {} reused after the restart; logs in {}",
        job["job_id"],
        results.len(),
        reused,
        setup.root.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_images_follow_the_workflow_folders_and_sources() {
    let root = tempfile::tempdir().unwrap();
    let setup = Setup::new(root.path(), 9);
    let _service = setup.start_service().await;
    let _proxy = setup.start_proxy(1).await;
    let client = reqwest::Client::new();
    let photos = photos();
    let (name, bytes) = photos.iter().find(|(n, _)| n == "skimage-chelsea.png").expect("chelsea.png");
    let tag = |asset_id: &str, folder: &str, bytes: Vec<u8>| {
        client
            .post(format!("{}/api/v1/backend/assets/tag?asset_id={asset_id}&folder={folder}", setup.proxy()))
            .bearer_auth(&setup.key)
            .body(bytes)
            .send()
    };

    // The default workflow: every step succeeds, the answer is the per-asset result.
    let answer = tag(name, "/cats", bytes.clone()).await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let result: Value = answer.json().await.unwrap();
    assert_eq!(result["outcome"], "completed", "{result}");
    assert_eq!(result["content_hash"], sha256_hex(bytes));
    let steps: Vec<(&str, &str)> = result["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("thumbnails", "succeeded"),
            ("smart_tags", "succeeded"),
            ("scenes", "succeeded"),
            ("people", "succeeded"),
            ("text", "succeeded"),
            ("color_tags", "succeeded")
        ]
    );
    assert_eq!(result["people"]["summary"]["count"], 0, "a cat: {result}");
    let sources: BTreeSet<&str> =
        result["tags"]["smart"].as_array().unwrap().iter().map(|t| t["source"].as_str().unwrap()).collect();
    assert!(sources.contains("generic") && sources.contains("taxonomy") && sources.contains("color"), "{result}");
    assert_eq!(result["reused"], false);
    let again: Value = tag(name, "/cats", bytes.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(again["reused"], true, "the same bytes are not tagged twice: {again}");
    // The same file under a second asset id (one file in two DAM folders): stored apart, not
    // tagged again.
    let copy = tag("chelsea-in-pets", "/pets", bytes.clone()).await.unwrap();
    let status = copy.status().as_u16();
    let copy: Value = copy.json().await.unwrap();
    assert_eq!(status, 200, "{copy}");
    assert_eq!(
        (copy["outcome"].as_str(), copy["asset_id"].as_str(), copy["reused"].as_bool()),
        (Some("completed"), Some("chelsea-in-pets"), Some(true)),
        "{copy}"
    );
    assert_eq!(copy["tags"]["smart"], result["tags"]["smart"], "the same bytes, the same tags");
    assert_eq!(
        copy["duplicates"][0]["asset"]["asset_id"].as_str(),
        Some(name.as_str()),
        "a duplicate of the first: {copy}"
    );
    let (status, similar) = setup.get("/api/v1/backend/assets/similar?asset_id=chelsea-in-pets&limit=3").await;
    assert_eq!(status, 200, "{similar}");
    assert_eq!(
        (similar["similar"][0]["asset"]["asset_id"].as_str(), similar["similar"][0]["similarity"].as_f64()),
        (Some(name.as_str()), Some(1.0)),
        "{similar}"
    );
    // Search by word, in a folder: the copy in /pets only.
    let (status, found) = setup.get("/api/v1/backend/assets/search?q=cat&folder=/pets").await;
    let found_ids: Vec<&str> = found["hits"]
        .as_array()
        .map(|h| h.iter().filter_map(|h| h["asset"]["asset_id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!((status, found_ids), (200, vec!["chelsea-in-pets"]), "{found}");
    let (status, refused) = setup.get("/api/v1/backend/assets/search").await;
    assert_eq!((status, refused["code"].as_str()), (400, Some("bad_input")), "{refused}");
    let (status, groups) = setup.get("/api/v1/backend/assets/duplicates?folder=/&recursive=true").await;
    assert_eq!((status, groups["groups"][0]["assets"].as_array().map(Vec::len)), (200, Some(2)), "{groups}");
    // An image the service does not have: its bytes, preprocessed by the proxy, nothing stored.
    let near: Value = client
        .post(format!("{}/api/v1/backend/assets/similar?limit=2&folder=/&recursive=true", setup.proxy()))
        .bearer_auth(&setup.key)
        .body(bytes.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (near["similar"].as_array().map(Vec::len), near["similar"][0]["similarity"].as_f64().map(|s| s > 0.999)),
        (Some(2), Some(true)),
        "{near}"
    );
    let broken = client
        .post(format!("{}/api/v1/backend/assets/similar", setup.proxy()))
        .bearer_auth(&setup.key)
        .body(b"not an image".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status().as_u16(), 400, "{}", broken.text().await.unwrap());
    let (status, refused) = setup.get("/api/v1/backend/assets/similar?asset_id=chelsea-in-pets&limit=1000").await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (400, Some("bad_input")),
        "the service's own code and message: {refused}"
    );
    for (id, folder, runs) in [(name.as_str(), "/cats", 1), ("chelsea-in-pets", "/pets", 0)] {
        let stored: Value = client
            .get(format!("{}/v1/assets?asset_id={id}", setup.service()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (stored["asset"]["folder"].as_str(), stored["inference_count"].as_i64()),
            (Some(folder), Some(runs)),
            "{stored}"
        );
    }
    assert!(again.get("thumbnail").is_none(), "no thumbnail unless asked for");
    let url = format!("{}/api/v1/backend/assets/tag?asset_id={name}&folder=/cats&thumbnail=true", setup.proxy());
    let with_thumbnail: Value =
        client.post(url).bearer_auth(&setup.key).body(bytes.clone()).send().await.unwrap().json().await.unwrap();
    let thumbnail = &with_thumbnail["thumbnail"];
    assert_eq!(
        (thumbnail["width"].as_u64(), thumbnail["content_type"].as_str()),
        (Some(451), Some("image/jpeg")),
        "chelsea is 451×300: {thumbnail}"
    );
    assert!(thumbnail["base64"].as_str().unwrap().starts_with("/9j/"), "a JPEG in standard base64");

    // The caller's mistakes are 4xx with the API's JSON error, never 502 or plain text: an asset
    // id the service refuses (its own code and message), a malformed query.
    let long_id = "a".repeat(600);
    let refused = tag(&long_id, "/cats", bytes.clone()).await.unwrap();
    let status = refused.status().as_u16();
    let refused: Value = refused.json().await.unwrap();
    assert_eq!((status, refused["code"].as_str()), (400, Some("bad_input")), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("asset"), "{refused}");
    let url = format!("{}/api/v1/backend/assets/tag?asset_id=x&force=maybe", setup.proxy());
    let malformed = client.post(url).bearer_auth(&setup.key).body(bytes.clone()).send().await.unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    let malformed: Value = malformed.json().await.expect("a json error");
    assert_eq!(malformed["code"], "invalid_request", "{malformed}");

    // A sign: the words read go into the asset's exports (JSON `words`, the CSV's last column,
    // IPTC's extended description in the XMP sidecar, which exiftool reads).
    let sign = std::fs::read(smart_tags_tests::fixture("opencv/scenetext06.jpg")).unwrap();
    let read: Value = tag("sign-1", "/signs", sign).await.unwrap().json().await.unwrap();
    let words: Vec<&str> =
        read["text"]["words"].as_array().unwrap().iter().map(|w| w["text"].as_str().unwrap()).collect();
    assert!(!words.is_empty(), "{read}");
    let export = |format: &str| {
        client
            .get(format!("{}/api/v1/backend/assets/export?asset_id=sign-1&format={format}", setup.proxy()))
            .bearer_auth(&setup.key)
            .send()
    };
    let exported: Value = export("json").await.unwrap().json().await.unwrap();
    assert_eq!(exported["assets"][0]["words"][0].as_str(), Some(words[0]), "{exported}");
    let csv = export("csv").await.unwrap().text().await.unwrap();
    assert!(
        csv.starts_with("asset,content_hash,tag_id,title,hierarchy,confidence,source,confirmed,text_in_image\r\n")
            && csv.contains(words[0]),
        "{csv}"
    );
    let sidecar = export("xmp").await.unwrap().text().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sign-1.xmp");
    std::fs::write(&path, sidecar).unwrap();
    let record = exiftool(&["-XMP-iptcCore:ExtDescrAccessibility"], &path);
    assert!(
        record["ExtDescrAccessibility"].as_str().unwrap().starts_with(&format!("Text in the picture: {}", words[0])),
        "{record}"
    );

    // A folder switched off: the smart-tags step is skipped with the service's reason, nothing stored.
    let off = client
        .put(format!("{}/v1/folders", setup.service()))
        .json(&json!({"path": "/private", "smart_tags": "disabled"}))
        .send()
        .await
        .unwrap();
    assert!(off.status().is_success(), "{}", off.text().await.unwrap());
    let other = &photos.iter().find(|(n, _)| n == "skimage-coffee.png").expect("coffee.png").1;
    let answer = tag("coffee", "/private/2026", other.clone()).await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let result: Value = answer.json().await.unwrap();
    let smart = &result["steps"][1];
    assert_eq!(
        (smart["status"].as_str(), smart["code"].as_str()),
        (Some("skipped"), Some("smart_tags_off")),
        "{result}"
    );
    assert!(smart["reason"].as_str().unwrap().contains("/private"), "{result}");
    assert_eq!(result["outcome"], "completed");
    assert!(result["tags"].is_null());
    let stored = client.get(format!("{}/v1/assets?asset_id=coffee", setup.service())).send().await.unwrap();
    assert_eq!(stored.status().as_u16(), 404, "nothing stored in a folder switched off");

    // Face and person detection off for a folder: the people step is skipped with the service's
    // reason, the rest runs.
    let off = client
        .put(format!("{}/v1/folders", setup.service()))
        .json(&json!({"path": "/hr", "people": "disabled"}))
        .send()
        .await
        .unwrap();
    assert!(off.status().is_success(), "{}", off.text().await.unwrap());
    let private: Value = tag("badge-1", "/hr/badges", bytes.clone()).await.unwrap().json().await.unwrap();
    let people = private["steps"].as_array().unwrap().iter().find(|s| s["step"] == "people").unwrap();
    assert_eq!(
        (people["status"].as_str(), people["code"].as_str()),
        (Some("skipped"), Some("people_off")),
        "{private}"
    );
    assert_eq!(people["reason"], "face and person detection is switched off for /hr/badges (set on /hr)");
    assert_eq!((private["outcome"].as_str(), &private["people"]), (Some("completed"), &Value::Null), "{private}");
    assert!(!private["tags"]["smart"].as_array().unwrap().is_empty(), "{private}");

    // Ignore Smart Tag Flag, and a sources filter: taxonomy tags only (and no colour step).
    let workflow = json!({"steps": [
        {"kind": "thumbnails"},
        {"kind": "smart_tags", "ignore_smart_tag_flag": true, "sources": ["taxonomy"]},
        {"kind": "color_tags", "enabled": false}
    ]});
    let put = client.put(format!("{}/v1/workflow", setup.service())).json(&workflow).send().await.unwrap();
    assert!(put.status().is_success(), "{}", put.text().await.unwrap());
    tokio::time::sleep(Duration::from_millis(5200)).await; // the proxy keeps the workflow 5 s
    let result: Value = tag("coffee", "/private/2026", other.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(result["steps"][1]["status"], "succeeded", "{result}");
    assert_eq!(
        (result["steps"][2]["status"].as_str(), result["steps"][2]["code"].as_str()),
        (Some("skipped"), Some("disabled"))
    );
    let sources: BTreeSet<&str> =
        result["tags"]["smart"].as_array().unwrap().iter().map(|t| t["source"].as_str().unwrap()).collect();
    assert_eq!(sources, BTreeSet::from(["taxonomy"]), "{result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_created_while_the_service_is_down_waits_for_it_and_fails_nothing() {
    let root = tempfile::tempdir().unwrap();
    let setup = Setup::new(root.path(), 9);
    let _proxy = setup.start_proxy_alone(1).await;
    let client = reqwest::Client::new();
    let photos = photos();
    let (content_type, body) = job_body(&photos[..4], &json!({}));
    let answer = client
        .post(format!("{}/api/v1/backend/jobs", setup.proxy()))
        .bearer_auth(&setup.key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 202);
    let id = answer.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_owned();
    // The first items meet the down service, go back to the queue, and the job waits.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (_, waiting) = setup.get(&format!("/api/v1/backend/jobs/{id}")).await;
    assert_eq!(
        (waiting["status"].as_str(), waiting["failed"].as_i64(), waiting["pending"].as_i64()),
        (Some("running"), Some(0), Some(4)),
        "{waiting}"
    );
    // The service comes up: the job goes on by itself, and every item is tagged.
    let _service = setup.start_service().await;
    let job = ended(&setup, &id).await;
    assert_eq!(
        (job["status"].as_str(), job["done"].as_i64(), job["failed"].as_i64()),
        (Some("completed"), Some(4), Some(0)),
        "{job}"
    );
}
