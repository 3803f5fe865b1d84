//! Browser access to the proxy: widget tokens minted by the documented Node.js and Python
//! snippets (run from `docs/widget-tokens.md` itself, so the documentation cannot rot) open the
//! browser API of a real proxy in front of a real tagging service; a missing, forged, expired,
//! over-long or foreign-origin token is refused; CORS answers only allow-listed origins; the rate
//! limit answers 429 with Retry-After; open mode is refused beyond loopback.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_proxy::client_auth::cors::Cors;
use smart_tags_proxy::client_auth::widget_token::WidgetKeys;
use smart_tags_proxy::config::{BrowserAccess, Config};
use smart_tags_tests::{fixture, in_process, read};

const SECRET: &str = "the-dam-and-the-proxy-share-this-secret-0123";
const ORIGIN: &str = "https://dam.example.com";

fn doc_block(language: &str) -> String {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/widget-tokens.md")).unwrap();
    let start =
        doc.find(&format!("```{language}\n")).unwrap_or_else(|| panic!("no {language} block")) + language.len() + 4;
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_owned()
}

/// Mints a token with the documentation's Node.js snippet.
fn node_token(secret: &str, origin: Option<&str>, seconds: i64) -> String {
    let script = format!(
        "{}\nconsole.log(widgetToken(process.env.SECRET, {{ dam: 'acme-dam', user: 'u-42', origin: process.env.ORIGIN || undefined, seconds: {seconds} }}));\n",
        doc_block("js")
    );
    let mut command = Command::new("node");
    command.args(["-e", &script]).env("SECRET", secret);
    if let Some(origin) = origin {
        command.env("ORIGIN", origin);
    }
    run(command)
}

/// Mints a token with the documentation's Python snippet.
fn python_token(secret: &str) -> String {
    let script =
        format!("{}\nimport os\nprint(widget_token(os.environ['SECRET'], 'acme-dam', 'u-43'))\n", doc_block("python"));
    let mut command = Command::new("python3");
    command.args(["-c", &script]).env("SECRET", secret);
    run(command)
}

fn run(mut command: Command) -> String {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

async fn start(rate_per_second: f64, rate_burst: u32) -> String {
    let service = in_process::start_service().await;
    let browser = BrowserAccess {
        widget_keys: Some(Arc::new(WidgetKeys::parse(SECRET).unwrap())),
        sessions: None,
        cors: Cors::parse(ORIGIN).unwrap(),
        rate_per_second,
        rate_burst,
        frame_ancestors: Vec::new(),
    };
    in_process::start_proxy(Config { browser, ..in_process::proxy_config(service) }).await
}

fn model_input() -> Vec<u8> {
    preprocess(&read(&fixture("skimage/coffee.png")), &Options::default()).unwrap().model_input.into_bytes()
}

async fn tag(proxy: &str, token: Option<&str>, origin: Option<&str>) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{proxy}/api/v1/tag?top=1"))
        .header("content-type", "application/octet-stream")
        .body(model_input());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn tokens_from_the_documented_snippets_open_the_browser_api() {
    let proxy = start(0.0, 1).await;
    let node = node_token(SECRET, Some(ORIGIN), 600);
    let (status, headers, body) = tag(&proxy, Some(&node), Some(ORIGIN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tags"][0]["label"], "espresso");
    assert_eq!(headers.get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some(ORIGIN));

    let python = python_token(SECRET);
    let (status, _, body) = tag(&proxy, Some(&python), None).await;
    assert_eq!(status, 200, "{body}");
    // The other header works too.
    let response = reqwest::Client::new()
        .get(format!("{proxy}/api/v1/taxonomy/suggest?q=ca"))
        .header("x-smart-tags-token", &python)
        .send()
        .await
        .unwrap();
    assert_ne!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn missing_forged_expired_and_foreign_tokens_are_refused() {
    let proxy = start(0.0, 1).await;
    let (status, headers, body) = tag(&proxy, None, None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("widget_token_required")), "{body}");
    assert!(headers.contains_key("www-authenticate"));

    let forged = node_token("a-secret-the-proxy-does-not-know-at-all-xyz", None, 600);
    let (status, _, body) = tag(&proxy, Some(&forged), None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("widget_token_invalid")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("signature"), "{body}");

    let expired = node_token(SECRET, None, -120);
    let (status, _, body) = tag(&proxy, Some(&expired), None).await;
    assert_eq!(status, 401);
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");

    let long_lived = node_token(SECRET, None, 86_400);
    let (status, _, body) = tag(&proxy, Some(&long_lived), None).await;
    assert_eq!(status, 401, "{body}");

    let bound = node_token(SECRET, Some(ORIGIN), 600);
    let (status, _, body) = tag(&proxy, Some(&bound), Some("https://evil.example")).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["message"].as_str().unwrap().contains("origin"), "{body}");

    let (status, _, _) = tag(&proxy, Some("not.a.token"), None).await;
    assert_eq!(status, 401);
    // Nothing the proxy answered carries the secret.
    assert!(!body.to_string().contains(SECRET));
}

#[tokio::test]
async fn cors_preflights_answer_only_allowed_origins() {
    let proxy = start(0.0, 1).await;
    let preflight = |origin: &'static str| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, format!("{proxy}/api/v1/tag"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let allowed = preflight(ORIGIN).await.unwrap();
    assert_eq!(allowed.status().as_u16(), 204);
    assert_eq!(allowed.headers()["access-control-allow-origin"], ORIGIN);
    assert!(allowed.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
    let refused = preflight("https://evil.example").await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(!refused.headers().contains_key("access-control-allow-origin"));
    // A simple request from another origin gets no CORS header, so its page cannot read the answer.
    let token = node_token(SECRET, None, 600);
    let (_, headers, _) = tag(&proxy, Some(&token), Some("https://evil.example")).await;
    assert!(!headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn each_caller_is_rate_limited() {
    let proxy = start(1.0, 3).await;
    let token = node_token(SECRET, None, 600);
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..5 {
        let (status, headers, _) = tag(&proxy, Some(&token), None).await;
        if status == 429 {
            retry_after = headers.get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        }
        statuses.push(status);
    }
    assert_eq!(&statuses[..3], &[200, 200, 200], "{statuses:?}");
    assert!(statuses[3..].contains(&429), "{statuses:?}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    // Another user of the same DAM has a bucket of their own.
    let other = python_token(SECRET);
    assert_eq!(tag(&proxy, Some(&other), None).await.0, 200);
}

#[test]
fn open_mode_is_refused_beyond_loopback() {
    let config = Config {
        listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
        service_url: "http://127.0.0.1:7701".to_owned(),
        www_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www")),
        service_timeout: Duration::from_secs(10),
        connections: Default::default(),
        admin_token: None,
        browser: BrowserAccess::default(),
    };
    let problems = config.validate().unwrap_err();
    assert!(problems.iter().any(|p| p.contains("SMART_TAGS_WIDGET_SECRETS_FILE")), "{problems:?}");
    let with_keys = Config {
        browser: BrowserAccess {
            widget_keys: Some(Arc::new(WidgetKeys::parse(SECRET).unwrap())),
            ..BrowserAccess::default()
        },
        ..config
    };
    with_keys.validate().unwrap();
}
