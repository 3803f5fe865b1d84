//! Prometheus metrics of the proxy and the service.
//!
//! - [`install`]: the process's `metrics` recorder (the first call installs it, later calls share
//!   it), with latency buckets for every metric named `*_seconds`, and a thread that drains the
//!   recorded samples every few seconds so memory stays flat when nobody scrapes.
//! - [`track_requests`]: axum middleware counting every request by route template, method and
//!   status (`http_requests_total`) and timing it to its response head
//!   (`http_request_duration_seconds`). Labels are bounded: the route is the template axum
//!   matched (`/v1/training/jobs/{id}`, `unmatched` for none), unknown methods are `other`, and
//!   `server` keeps two servers in one process (the tests) apart.
//! - [`exposition`]: the answer of `GET /metrics` (Prometheus text format 0.0.4).
//!
//! Each server records its own figures (inference time, token exchanges, queue depth…) with the
//! `metrics` macros where they happen; README.md lists them.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Histogram buckets of every `*_seconds` metric, in seconds: 1 ms to 30 s.
pub const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// How often recorded samples are drained into the histograms when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus recorder, installed on the first call. `None` when another
/// `metrics` recorder was installed first (metrics then go there; `/metrics` says so).
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), LATENCY_BUCKETS).ok()?.build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new().name("metrics-upkeep".to_owned()).spawn(move || loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            });
            if spawned.is_err() {
                // Rendering drains the samples too; without the thread they wait for a scrape.
                eprintln!("smart-tags: cannot start the metrics upkeep thread");
            }
            describe();
            Some(handle)
        })
        .clone()
}

fn describe() {
    metrics::describe_counter!("http_requests_total", "HTTP requests answered, by server, route template, method and status");
    metrics::describe_histogram!("http_request_duration_seconds", metrics::Unit::Seconds, "Time from a request's arrival to its response head, by server, route template and method");
}

/// The `server` label of a server's request metrics: `proxy`, `service`.
#[derive(Debug, Clone, Copy)]
pub struct Server(pub &'static str);

/// Axum middleware (`from_fn_with_state(Server("proxy"), track_requests)`, added with
/// `Router::layer` so the matched route is known): counts and times every request.
pub async fn track_requests(State(server): State<Server>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "server" => server.0, "route" => route.clone(), "method" => method, "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "server" => server.0, "route" => route, "method" => method).record(elapsed);
    response
}

/// The method as a label: the standard ones by name, anything else `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `GET /metrics`: every metric of this process in Prometheus text format.
pub async fn exposition() -> Response {
    match install() {
        Some(handle) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "this process records its metrics with another recorder\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    async fn call(router: &Router, method: &str, uri: &str) -> (StatusCode, String) {
        let request = axum::http::Request::builder().method(method).uri(uri).body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        (status, String::from_utf8(to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap())
    }

    fn line<'a>(text: &'a str, starts: &str) -> Option<&'a str> {
        text.lines().find(|l| l.starts_with(starts))
    }

    #[tokio::test]
    async fn requests_are_counted_by_route_template_and_timed_in_buckets() {
        install().expect("the first recorder");
        let router = Router::new()
            .route("/things/{id}", get(|| async { "a thing" }))
            .route("/metrics", get(exposition))
            .layer(axum::middleware::from_fn_with_state(Server("test"), track_requests));
        for id in ["1", "2", "3"] {
            assert_eq!(call(&router, "GET", &format!("/things/{id}")).await.0, StatusCode::OK);
        }
        assert_eq!(call(&router, "GET", "/nothing/here").await.0, StatusCode::NOT_FOUND);
        assert_eq!(call(&router, "BREW", "/things/4").await.0, StatusCode::METHOD_NOT_ALLOWED);
        let (status, text) = call(&router, "GET", "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        let count = r#"http_requests_total{server="test",route="/things/{id}",method="GET",status="200"} "#;
        assert_eq!(line(&text, count), Some(format!("{count}3").as_str()), "{text}");
        assert!(line(&text, r#"http_requests_total{server="test",route="unmatched",method="GET",status="404"} 1"#).is_some(), "{text}");
        assert!(line(&text, r#"http_requests_total{server="test",route="/things/{id}",method="other",status="405"} 1"#).is_some(), "{text}");
        let inf = r#"http_request_duration_seconds_bucket{server="test",route="/things/{id}",method="GET",le="+Inf"} "#;
        assert_eq!(line(&text, inf), Some(format!("{inf}3").as_str()), "{text}");
        assert!(line(&text, r#"http_request_duration_seconds_bucket{server="test",route="/things/{id}",method="GET",le="0.001"}"#).is_some(), "{text}");
        assert!(text.contains("# TYPE http_request_duration_seconds histogram"), "{text}");
        assert!(text.contains("# HELP http_requests_total "), "{text}");
        // A second install shares the recorder.
        assert!(install().is_some());
    }
}
