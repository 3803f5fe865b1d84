//! The service's `GET /metrics`: the request metrics every server records
//! (`smart_tags_telemetry`), the figures recorded where they happen — image model time
//! (`smart_tags_inference_seconds`), detector time (`smart_tags_detectors_seconds`), mapping
//! cache hits (`smart_tags_mapping_cache_total`) — and gauges read from the state at each scrape:
//! requests holding an inference slot, training jobs running, stored predictions the apply pass
//! has left.

use std::sync::Arc;

use axum::response::Response;

use crate::{AppState, MAX_QUEUED_INFERENCES};

pub fn describe() {
    metrics::describe_histogram!(
        "smart_tags_inference_seconds",
        metrics::Unit::Seconds,
        "Time the image model ran for one request (a batch), waiting for the session excluded"
    );
    metrics::describe_counter!("smart_tags_images_inferred_total", "Images the image model ran on");
    metrics::describe_histogram!(
        "smart_tags_detectors_seconds",
        metrics::Unit::Seconds,
        "Time the people detectors and the text reader took on one image, together"
    );
    metrics::describe_counter!(
        "smart_tags_mapping_cache_total",
        "Taxonomy mapping lookups: hit (the cached mapping) or rebuild (the taxonomy changed)"
    );
    metrics::describe_gauge!(
        "smart_tags_inference_queue",
        "Requests holding one of the inference slots (queued or running); at the limit new ones get 503 busy"
    );
    metrics::describe_gauge!("smart_tags_inference_queue_limit", "Inference slots");
    metrics::describe_gauge!("smart_tags_training_jobs_running", "Training jobs running in this process");
    metrics::describe_gauge!(
        "smart_tags_apply_left",
        "Stored predictions the pass applying the active tag models has still to look at"
    );
}

/// `GET /metrics`.
pub async fn metrics(state: Arc<AppState>) -> Response {
    let held = MAX_QUEUED_INFERENCES.saturating_sub(state.inference_slots.available_permits());
    metrics::gauge!("smart_tags_inference_queue").set(held as f64);
    metrics::gauge!("smart_tags_inference_queue_limit").set(MAX_QUEUED_INFERENCES as f64);
    metrics::gauge!("smart_tags_training_jobs_running").set(state.trainer.running() as f64);
    metrics::gauge!("smart_tags_apply_left").set(state.applier.progress().left as f64);
    smart_tags_telemetry::exposition().await
}
