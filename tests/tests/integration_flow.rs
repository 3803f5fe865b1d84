//! The whole integration flow of docs/credentials.md across the real processes, from empty data
//! directories: the proxy creates a key pair and certificate → the service's console registers an
//! integration from the certificate → the proxy is configured with the API key, the secret file
//! and the JWT payload file → `proxy health` says healthy → a real photo is tagged through the
//! proxy, which exchanges a signed JWT for an access token. Then the certificate is renewed under
//! continuous traffic (no request may fail), and every response and log line of the run is
//! scanned for the private key and the client secret.
//!
//! Needs the release binaries of the service and the proxy (`cargo test --release --workspace`
//! builds them) and the cached models (`scripts/setup.sh --test`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_tests::processes::{binary, free_port, wait_for, Process};
use smart_tags_tests::{cache_dir, fixture, model_dir, read};

/// Access tokens live this long in the test, so the proxy refreshes several times during it.
const TOKEN_SECONDS: u64 = 6;

/// Everything the run printed or answered, for the leak scan at the end.
#[derive(Default)]
struct Transcript(Mutex<String>);

impl Transcript {
    fn add(&self, text: &str) {
        self.0.lock().unwrap().push_str(text);
        self.0.lock().unwrap().push('\n');
    }
    fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }
}

struct Flow {
    root: tempfile::TempDir,
    service_port: u16,
    proxy_port: u16,
    transcript: Transcript,
    admin_token: String,
}

impl Flow {
    fn new() -> Flow {
        let root = tempfile::tempdir().unwrap();
        let admin_token = "an-admin-token-for-the-service-console".to_owned();
        std::fs::write(root.path().join("service-admin-token"), &admin_token).unwrap();
        Flow {
            root,
            service_port: free_port(),
            proxy_port: free_port(),
            transcript: Transcript::default(),
            admin_token,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.service_port)
    }

    /// The proxy's environment: its data directory and, once registered, the integration.
    fn proxy_env(&self, command: &mut Command) {
        command.env("SMART_TAGS_PROXY_DATA_DIR", self.path("proxy-data"));
        command.env("SMART_TAGS_SERVICE_URL", self.issuer());
        command.env("SMART_TAGS_AUTH_URL", self.issuer());
        for var in [
            "SMART_TAGS_CLIENT_SECRET",
            "SMART_TAGS_JWT_PAYLOAD",
            "SMART_TAGS_KEY_PASSPHRASE",
            "SMART_TAGS_ADMIN_TOKEN_FILE",
        ] {
            command.env_remove(var);
        }
        if let Ok(api_key) = std::fs::read_to_string(self.path("api-key")) {
            command.env("SMART_TAGS_API_KEY", api_key.trim());
            command.env("SMART_TAGS_CLIENT_SECRET_FILE", self.path("client-secret"));
            command.env("SMART_TAGS_JWT_PAYLOAD_FILE", self.path("jwt-payload.json"));
        } else {
            command.env_remove("SMART_TAGS_API_KEY");
        }
    }

    /// Runs `smart-tags-proxy <args>` to completion; its output joins the transcript.
    fn proxy_cli(&self, args: &[&str]) -> Output {
        let mut command = Command::new(binary("smart-tags-proxy"));
        self.proxy_env(&mut command);
        let output = command.args(args).output().unwrap();
        self.transcript.add(&String::from_utf8_lossy(&output.stdout));
        self.transcript.add(&String::from_utf8_lossy(&output.stderr));
        output
    }

    /// Runs `smart-tags-service --data-dir … <args>`. `secret_output`: the output holds the
    /// client secret by design (shown once) and stays out of the transcript.
    fn service_cli(&self, args: &[&str], secret_output: bool) -> Output {
        let output = Command::new(binary("smart-tags-service"))
            .arg("--data-dir")
            .arg(self.path("service-data"))
            .args(args)
            .output()
            .unwrap();
        if !secret_output {
            self.transcript.add(&String::from_utf8_lossy(&output.stdout));
        }
        self.transcript.add(&String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "service {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        output
    }

    async fn start_service(&self) -> Process {
        let log = self.path("service.log");
        let child = Command::new(binary("smart-tags-service"))
            .args(["--listen", &format!("127.0.0.1:{}", self.service_port), "--threads", "1"])
            .arg("--data-dir")
            .arg(self.path("service-data"))
            .arg("--model-dir")
            .arg(model_dir())
            .arg("--ort-lib")
            .arg(smart_tags_tests::ort_library())
            .arg("--seed-taxonomy")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../taxonomies/demo.ttl"))
            .arg("--admin-token-file")
            .arg(self.path("service-admin-token"))
            .args(["--access-token-seconds", &TOKEN_SECONDS.to_string()])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut process = Process { child, log };
        wait_for(&format!("{}/healthz", self.issuer()), &mut process).await;
        process
    }

    async fn start_proxy(&self) -> Process {
        let log = self.path("proxy.log");
        let mut command = Command::new(binary("smart-tags-proxy"));
        self.proxy_env(&mut command);
        let child = command
            .args(["--listen", &format!("127.0.0.1:{}", self.proxy_port)])
            .arg("--www-dir")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www"))
            .env("RUST_LOG", "debug,hyper=info,reqwest=info,h2=info")
            // The renewal traffic below is faster than the default per-caller limit.
            .env("SMART_TAGS_RATE_LIMIT", "0")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut process = Process { child, log };
        wait_for(&format!("http://127.0.0.1:{}/api/v1/health", self.proxy_port), &mut process).await;
        process
    }

    fn proxy(&self) -> String {
        format!("http://127.0.0.1:{}", self.proxy_port)
    }

    async fn console(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request =
            reqwest::Client::new().request(method, format!("{}{path}", self.issuer())).bearer_auth(&self.admin_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        self.transcript.add(&text);
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn health(flow: &Flow) -> (bool, Value) {
    let output = flow.proxy_cli(&["health", "--json"]);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("health --json is not json ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.success(), report)
}

fn model_input(photo: &str) -> Vec<u8> {
    preprocess(&read(&fixture(photo)), &Options::default()).unwrap().model_input.into_bytes()
}

async fn tag(flow: &Flow, client: &reqwest::Client, body: Vec<u8>) -> (u16, Value) {
    let response = client
        .post(format!("{}/api/v1/tag?top=3", flow.proxy()))
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    flow.transcript.add(&text);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The id of the proxy's certificate with `status` (`active`, `next`, …).
fn cert_with_status(flow: &Flow, status: &str) -> String {
    let output = flow.proxy_cli(&["cert", "list", "--json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = list.as_array().unwrap().iter().find(|c| c["status"] == status);
    found.unwrap_or_else(|| panic!("no {status} certificate in {list}"))["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_register_configure_check_health_tag_and_renew_without_downtime() {
    assert!(cache_dir().exists(), "run scripts/setup.sh --test first");
    let flow = Flow::new();

    // 1. The proxy creates a key pair and a self-signed certificate; only the certificate leaves.
    let created = flow.proxy_cli(&["cert", "create", "--algorithm", "rsa-2048", "--validity-days", "90"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let certificate = flow.path("proxy.crt");
    let downloaded = flow.proxy_cli(&["cert", "download", "--out", certificate.to_str().unwrap()]);
    assert!(downloaded.status.success(), "{}", String::from_utf8_lossy(&downloaded.stderr));
    let pem = std::fs::read_to_string(&certificate).unwrap();
    assert!(pem.contains("BEGIN CERTIFICATE") && !pem.contains("PRIVATE"), "{pem}");
    let key_files: Vec<PathBuf> = std::fs::read_dir(flow.path("proxy-data/keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "key"))
        .collect();
    assert_eq!(key_files.len(), 1);
    let mut private_keys = vec![std::fs::read_to_string(&key_files[0]).unwrap()];
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_files[0]).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Before registering, Check Health names what is missing and fails.
    let (healthy, report) = health(&flow);
    assert!(!healthy, "{report}");

    // 2. The service's console registers an integration from the certificate (on the data
    //    directory, before the service runs: the command loads no model).
    let registered = flow.service_cli(
        &[
            "integration",
            "create",
            "--name",
            "test DAM",
            "--certificate",
            certificate.to_str().unwrap(),
            "--public-url",
            &flow.issuer(),
        ],
        true,
    );
    let integration: Value = serde_json::from_slice(&registered.stdout).unwrap();
    let client_id = integration["client_id"].as_str().unwrap().to_owned();
    let client_secret = integration["client_secret"].as_str().unwrap().to_owned();
    assert!(integration["org_id"].as_str().unwrap().ends_with("@Org"), "{}", integration["org_id"]);
    let payload = &integration["jwt_payload"];
    assert_eq!(payload["aud"], format!("{}/c/{client_id}", flow.issuer()));
    assert_eq!(payload[format!("{}/s/smart_tags", flow.issuer())], true);

    // 3. The proxy is configured: API key, the secret in a 0600 file, the payload.
    std::fs::write(flow.path("api-key"), &client_id).unwrap();
    std::fs::write(flow.path("client-secret"), &client_secret).unwrap();
    std::fs::write(flow.path("jwt-payload.json"), payload.to_string()).unwrap();

    let service = flow.start_service().await;

    // The service refuses anyone without an access token.
    let bare = reqwest::Client::new()
        .post(format!("{}/v1/predict?top=3", flow.issuer()))
        .header("content-type", "application/octet-stream")
        .body(model_input("skimage/coffee.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status().as_u16(), 401);
    // A path or a method no route has answers as the routes do without a token: 401, so a
    // stranger cannot map which routes exist.
    for (method, path) in [(reqwest::Method::GET, "/v1/nothing"), (reqwest::Method::DELETE, "/v1/predict")] {
        let answer = reqwest::Client::new().request(method, format!("{}{path}", flow.issuer())).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 401, "{path}");
    }

    // 4. Check Health: every step passes, with a real prediction.
    let (healthy, report) = health(&flow);
    assert!(healthy, "{report:#}");
    assert_eq!(report["healthy"], true, "{report:#}");
    assert_eq!(report["summary"], "healthy configuration", "{report:#}");
    let steps: Vec<&str> = report["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["configuration", "key", "certificate", "jwt", "exchange", "service_token", "prediction"]);
    assert!(report["steps"].as_array().unwrap().iter().all(|s| s["status"] == "ok"), "{report:#}");

    // 5. A real photo is tagged through the proxy.
    let proxy = flow.start_proxy().await;
    let client = reqwest::Client::new();
    let (status, body) = tag(&flow, &client, model_input("skimage/coffee.png")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tags"][0]["label"], "espresso", "{body}");

    // 6. Certificate renewal under continuous traffic: no request may fail.
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let input = model_input("skimage/chelsea.png");
    let traffic = {
        let (stop, sent, failures, url) = (Arc::clone(&stop), Arc::clone(&sent), Arc::clone(&failures), flow.proxy());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let response = client
                    .post(format!("{url}/api/v1/tag?top=1"))
                    .header("content-type", "application/octet-stream")
                    .body(input.clone())
                    .send()
                    .await;
                sent.fetch_add(1, Ordering::Relaxed);
                match response {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => {
                        let line = format!("{}: {}", r.status(), r.text().await.unwrap_or_default());
                        failures.lock().unwrap().push(line);
                    }
                    Err(e) => failures.lock().unwrap().push(e.to_string()),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let old_id = cert_with_status(&flow, "active");
    let created = flow.proxy_cli(&["cert", "create", "--algorithm", "p256", "--validity-days", "365"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let next_id = cert_with_status(&flow, "next");
    assert_ne!(old_id, next_id);
    private_keys.push(std::fs::read_to_string(flow.path(&format!("proxy-data/keys/{next_id}.key"))).unwrap());
    let next_pem = flow.path("next.crt");
    assert!(flow.proxy_cli(&["cert", "download", &next_id, "--out", next_pem.to_str().unwrap()]).status.success());
    // Activating it before the service knows it would break every token refresh: refused.
    let refused = flow.proxy_cli(&["cert", "activate", &next_id]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && said.contains(&format!("the authorization server refuses a jwt signed with certificate {next_id}")),
        "{said}"
    );
    assert_eq!(cert_with_status(&flow, "next"), next_id);
    let (status, body) = flow
        .console(
            reqwest::Method::POST,
            &format!("/console/integrations/{client_id}/certificates"),
            Some(json!({ "certificate": std::fs::read_to_string(&next_pem).unwrap() })),
        )
        .await;
    assert!(status == 200 || status == 201, "{status} {body}");
    tokio::time::sleep(Duration::from_secs(TOKEN_SECONDS)).await;
    assert!(flow.proxy_cli(&["cert", "activate", &next_id]).status.success());
    // At least one token refresh signed with the new key.
    tokio::time::sleep(Duration::from_secs(TOKEN_SECONDS + 2)).await;
    let (status, body) = flow
        .console(reqwest::Method::DELETE, &format!("/console/integrations/{client_id}/certificates/{old_id}"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(flow.proxy_cli(&["cert", "retire", &old_id]).status.success());
    tokio::time::sleep(Duration::from_secs(TOKEN_SECONDS + 2)).await;
    stop.store(true, Ordering::Relaxed);
    traffic.await.unwrap();
    let failures = failures.lock().unwrap().clone();
    let sent = sent.load(Ordering::Relaxed);
    assert!(failures.is_empty(), "{} of {sent} requests failed during renewal: {failures:?}", failures.len());
    assert!(sent > 50, "only {sent} requests");
    eprintln!("certificate renewal: {sent} requests through the proxy, none failed");

    // Health signs with the new key, which is now the only registered one.
    let (healthy, report) = health(&flow);
    assert!(healthy, "{report:#}");
    let (_, shown) = flow.console(reqwest::Method::GET, &format!("/console/integrations/{client_id}"), None).await;
    let certificates = shown["certificates"].as_array().unwrap();
    assert_eq!(certificates.len(), 1, "{shown}");

    // 7. A wrong client secret is named by Check Health.
    std::fs::write(flow.path("client-secret"), "stcs_not-the-secret").unwrap();
    let (healthy, report) = health(&flow);
    assert!(!healthy);
    assert!(report.to_string().contains("client secret rejected"), "{report:#}");
    std::fs::write(flow.path("client-secret"), &client_secret).unwrap();

    // 8. Nothing the run printed or answered holds the private key or the client secret.
    drop(proxy);
    drop(service);
    let mut everything = flow.transcript.text();
    for log in ["service.log", "proxy.log"] {
        everything.push_str(&std::fs::read_to_string(flow.path(log)).unwrap());
    }
    assert!(!everything.contains(&client_secret), "the client secret leaked");
    assert!(!everything.contains(&client_secret["stcs_".len()..]), "the client secret leaked");
    let mut scanned = 0;
    for key in &private_keys {
        for line in key.lines().filter(|l| !l.starts_with("-----") && l.len() >= 32) {
            assert!(!everything.contains(line), "a line of a private key leaked");
            scanned += 1;
        }
    }
    assert!(scanned > 0, "no private key lines to scan for");
    assert!(everything.contains("espresso"), "the transcript holds the run's answers");
}
