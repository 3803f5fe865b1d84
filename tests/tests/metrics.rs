//! `GET /metrics` on both servers (real proxy, real service, real inference): the proxy's needs
//! the admin token; a photo tagged through the proxy moves the request counters of both servers,
//! the service's inference histogram and its image count, by exactly one request each. And the
//! request id: a caller's `x-request-id` comes back, reaches the service, and both servers log
//! one access line with it.

use std::net::SocketAddr;

use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_proxy::config::Config;
use smart_tags_telemetry::logging::CapturedLog;
use smart_tags_tests::{fixture, in_process, read};

const ADMIN: &str = "metrics-test-admin-token";

async fn start() -> (SocketAddr, String) {
    let service = in_process::start_service().await;
    let proxy =
        in_process::start_proxy(Config { admin_token: Some(ADMIN.to_owned()), ..in_process::proxy_config(service) })
            .await;
    (service, proxy)
}

/// The value of the sample line starting with `series` (0 when absent).
fn sample(text: &str, series: &str) -> f64 {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().parse().ok())).unwrap_or(0.0)
}

async fn scrape(client: &reqwest::Client, url: String, token: Option<&str>) -> (u16, String) {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    if status == 200 {
        assert_eq!(kind.as_deref(), Some("text/plain; version=0.0.4; charset=utf-8"));
    }
    (status, text)
}

// One test: the recorder and the log subscriber are the process's, and counts must not move
// under another test's requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_servers_expose_metrics_and_log_each_request_with_its_id() {
    let logs = CapturedLog::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt().json().flatten_event(true).with_writer(move || sink.clone()).finish();
    // Global: the servers' tasks run on other threads.
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let (service, proxy) = start().await;
    let client = reqwest::Client::new();
    let input =
        preprocess(&read(&fixture("skimage/coffee.png")), &Options::default()).unwrap().model_input.into_bytes();
    let tag = || {
        client
            .post(format!("{proxy}/api/v1/tag"))
            .header("content-type", "application/octet-stream")
            .body(input.clone())
            .send()
    };

    // The proxy's metrics need the admin token; the service's are open like its /healthz.
    let (status, body) = scrape(&client, format!("{proxy}/metrics"), None).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = scrape(&client, format!("{proxy}/metrics"), Some("wrong")).await;
    assert_eq!(status, 401, "{body}");

    assert_eq!(tag().await.unwrap().status().as_u16(), 200);
    let proxy_tag = r#"http_requests_total{server="proxy",route="/api/v1/tag",method="POST",status="200"}"#;
    let proxy_time = r#"http_request_duration_seconds_count{server="proxy",route="/api/v1/tag",method="POST"}"#;
    let service_predict = r#"http_requests_total{server="service",route="/v1/predict",method="POST",status="200"}"#;
    let inference = "smart_tags_inference_seconds_count";
    let images = "smart_tags_images_inferred_total";
    let (status, before_proxy) = scrape(&client, format!("{proxy}/metrics"), Some(ADMIN)).await;
    assert_eq!(status, 200);
    let (status, before_service) = scrape(&client, format!("http://{service}/metrics"), None).await;
    assert_eq!(status, 200);
    assert!(sample(&before_proxy, proxy_tag) >= 1.0, "{before_proxy}");
    assert!(sample(&before_service, inference) >= 1.0, "{before_service}");
    assert!(before_service.contains("# TYPE smart_tags_inference_seconds histogram"), "{before_service}");
    assert!(before_proxy.contains("# HELP http_requests_total "), "{before_proxy}");

    assert_eq!(tag().await.unwrap().status().as_u16(), 200);
    let (_, after_proxy) = scrape(&client, format!("{proxy}/metrics"), Some(ADMIN)).await;
    let (_, after_service) = scrape(&client, format!("http://{service}/metrics"), None).await;
    for (series, before, after) in [
        (proxy_tag, &before_proxy, &after_proxy),
        (proxy_time, &before_proxy, &after_proxy),
        (service_predict, &before_service, &after_service),
        (inference, &before_service, &after_service),
        (images, &before_service, &after_service),
    ] {
        assert_eq!(sample(after, series) - sample(before, series), 1.0, "{series}\n{after}");
    }
    // The scrapes themselves are counted, the refused one with its status.
    assert!(
        sample(&after_proxy, r#"http_requests_total{server="proxy",route="/metrics",method="GET",status="401"}"#)
            >= 2.0,
        "{after_proxy}"
    );
    assert!(
        sample(&after_service, r#"http_requests_total{server="service",route="/metrics",method="GET",status="200"}"#)
            >= 1.0,
        "{after_service}"
    );

    request_ids_reach_the_service_and_both_logs(&proxy, &logs).await;
}

/// A caller's request id comes back, reaches the service, and both servers log one access line
/// with it; a request without one gets its own, logged the same way.
async fn request_ids_reach_the_service_and_both_logs(proxy: &str, logs: &CapturedLog) {
    let input =
        preprocess(&read(&fixture("skimage/chelsea.png")), &Options::default()).unwrap().model_input.into_bytes();
    let tag = |id: Option<&str>| {
        let request = reqwest::Client::new()
            .post(format!("{proxy}/api/v1/tag"))
            .header("content-type", "application/octet-stream")
            .body(input.clone());
        match id {
            Some(id) => request.header("x-request-id", id),
            None => request,
        }
        .send()
    };
    let answer = tag(Some("dam-7f3a.item-12")).await.unwrap();
    assert_eq!(
        (answer.status().as_u16(), answer.headers()["x-request-id"].to_str().unwrap()),
        (200, "dam-7f3a.item-12")
    );
    let own = tag(None).await.unwrap();
    let own_id = own.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(own_id.len() == 16 && own_id != "dam-7f3a.item-12", "{own_id}");

    let text = logs.text();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|l: &serde_json::Value| l["target"] == "smart_tags::request")
        .collect();
    for id in ["dam-7f3a.item-12", own_id.as_str()] {
        let of_id: Vec<_> = lines.iter().filter(|l| l["request_id"] == id).collect();
        let servers: Vec<(&str, &str)> =
            of_id.iter().map(|l| (l["server"].as_str().unwrap(), l["route"].as_str().unwrap())).collect();
        assert_eq!(servers.len(), 2, "{id}: {text}");
        assert!(
            servers.contains(&("proxy", "/api/v1/tag")) && servers.contains(&("service", "/v1/predict")),
            "{servers:?}"
        );
        assert!(of_id.iter().all(|l| l["status"] == 200 && l["ms"].as_f64().is_some()), "{of_id:?}");
    }
    assert!(!text.contains('\u{1b}'), "no colour codes in a log file: {text}");
}
