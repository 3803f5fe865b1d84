//! The process's Prometheus recorder ([`install`]: the first call installs it, later calls share
//! it), with latency buckets for every metric named `*_seconds` and a thread that drains the
//! recorded samples every few seconds so memory stays flat when nobody scrapes; and the answer
//! of `GET /metrics` ([`exposition`], Prometheus text format 0.0.4).

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Histogram buckets of every `*_seconds` metric, in seconds: 1 ms to 30 s.
pub const LATENCY_BUCKETS: &[f64] =
    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// How often recorded samples are drained into the histograms when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus recorder, installed on the first call. `None` when another
/// `metrics` recorder was installed first (metrics then go there; `/metrics` says so).
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), LATENCY_BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            ::metrics::set_global_recorder(recorder).ok()?;
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
    ::metrics::describe_counter!(
        "http_requests_total",
        "HTTP requests answered, by server, route template, method and status"
    );
    ::metrics::describe_histogram!(
        "http_request_duration_seconds",
        ::metrics::Unit::Seconds,
        "Time from a request's arrival to its response head, by server, route template and method"
    );
}

/// `GET /metrics`: every metric of this process in Prometheus text format.
pub async fn exposition() -> Response {
    match install() {
        Some(handle) => {
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, "this process records its metrics with another recorder\n")
            .into_response(),
    }
}
