//! `GET /metrics` (Prometheus text format): behind the admin token like the admin routes, since
//! the proxy faces the network (Prometheus sends it with `authorization: { credentials_file }`).
//! Besides the request metrics every server records (`smart_tags_telemetry`) and the token
//! exchanges (`token::manager`), gauges read at each scrape: back-end jobs queued or running
//! and their items left, and the memory images in flight hold (`backend::memory`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::routes::admin::authorize;
use crate::{request_id, AppState};

pub fn describe() {
    metrics::describe_counter!(
        "smart_tags_token_requests_total",
        "Access tokens asked for: cached (the cached token served) or exchanged (a token exchange ran)"
    );
    metrics::describe_counter!(
        "smart_tags_token_exchanges_total",
        "Token exchanges with the authorization server, by outcome (ok, failed)"
    );
    metrics::describe_gauge!("smart_tags_backend_jobs_active", "Back-end jobs queued or running");
    metrics::describe_gauge!(
        "smart_tags_backend_items_pending",
        "Items of queued or running back-end jobs still to tag"
    );
    metrics::describe_gauge!(
        "smart_tags_image_memory_bytes",
        "Memory charged to images in flight, by pool (uploads, decodes)"
    );
    metrics::describe_gauge!("smart_tags_image_memory_limit_bytes", "Size of each image memory pool");
}

pub async fn metrics(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(refused) = authorize(&state, &headers) {
        return refused.with_request_id(request_id()).into_response();
    }
    if let Some(backend) = &state.backend {
        match backend.jobs.call(|jobs| jobs.backlog()).await {
            Ok((jobs, items)) => {
                metrics::gauge!("smart_tags_backend_jobs_active").set(jobs as f64);
                metrics::gauge!("smart_tags_backend_items_pending").set(items as f64);
            }
            Err(error) => tracing::warn!(%error, "cannot count the back-end jobs for /metrics"),
        }
        let pool = backend.memory.pool_kib();
        let (bodies, decodes) = backend.memory.free_kib();
        metrics::gauge!("smart_tags_image_memory_bytes", "pool" => "uploads")
            .set((pool.saturating_sub(bodies) * 1024) as f64);
        metrics::gauge!("smart_tags_image_memory_bytes", "pool" => "decodes")
            .set((pool.saturating_sub(decodes) * 1024) as f64);
        metrics::gauge!("smart_tags_image_memory_limit_bytes").set((pool * 1024) as f64);
    }
    smart_tags_telemetry::exposition().await
}
