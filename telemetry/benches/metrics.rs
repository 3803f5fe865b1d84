//! What the request middleware costs: one request through a router without and with
//! `track_requests` (metrics only; metrics and the access line as text; as JSON), same handler
//! and runtime, one after the other in one run; and one `GET /metrics` render with a server's
//! worth of series recorded.
//!
//! `cargo bench -p smart_tags_telemetry --bench metrics`

// A benchmark: a failed setup should stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use smart_tags_telemetry::{install, track_requests, Server};
use tower::ServiceExt;

fn routes() -> Router {
    Router::new()
        .route("/api/v1/taxonomy/suggest", get(|| async { "[]" }))
        .route("/api/v1/things/{id}", get(|| async { "a thing" }))
}

fn request() -> Request<Body> {
    Request::builder().uri("/api/v1/things/42").body(Body::empty()).unwrap()
}

fn bench(c: &mut Criterion) {
    let handle = install().expect("the recorder");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let plain = routes();
    let tracked = routes().layer(axum::middleware::from_fn_with_state(Server("proxy"), track_requests));
    let mut group = c.benchmark_group("request");
    group.bench_function("without the middleware", |b| {
        b.iter(|| runtime.block_on(plain.clone().oneshot(request())).unwrap())
    });
    group.bench_function("with metrics, log off", |b| {
        b.iter(|| runtime.block_on(tracked.clone().oneshot(request())).unwrap())
    });
    // The access line formatted and written (to a sink: the formatting is the cost measured).
    let text = tracing_subscriber::fmt().with_writer(std::io::sink).with_ansi(false).finish();
    tracing::subscriber::with_default(text, || {
        group.bench_function("with metrics, text log line", |b| {
            b.iter(|| runtime.block_on(tracked.clone().oneshot(request())).unwrap())
        });
    });
    let json = tracing_subscriber::fmt().json().flatten_event(true).with_writer(std::io::sink).finish();
    tracing::subscriber::with_default(json, || {
        group.bench_function("with metrics, JSON log line", |b| {
            b.iter(|| runtime.block_on(tracked.clone().oneshot(request())).unwrap())
        });
    });
    group.finish();

    // A server's worth of series: 60 routes x 3 statuses, each with a latency histogram.
    for route in 0..60 {
        for status in ["200", "400", "503"] {
            let route = format!("/api/v1/route-{route}");
            metrics::counter!("http_requests_total", "server" => "proxy", "route" => route.clone(), "method" => "GET", "status" => status).increment(1);
            metrics::histogram!("http_request_duration_seconds", "server" => "proxy", "route" => route, "method" => "GET").record(0.002);
        }
    }
    let size = handle.render().len();
    c.bench_function(&format!("render /metrics ({size} bytes)"), |b| b.iter(|| handle.render()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
