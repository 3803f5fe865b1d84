//! The tagging service: loads the image model once and answers prediction requests.
//!
//! Until service credentials exist (the integration issue) it listens on loopback only, and the
//! proxy is its one client.
//!
//! # Layout
//! - [`engine`]: ONNX Runtime session, batch inference, top-k prediction.
//! - [`text_engine`]: the MiniLM text model: sentence embeddings of tag names.
//! - [`labels`]: class index -> WordNet id and name.
//! - [`routes`]: one file per HTTP route.
//! - [`error`]: the JSON error answers.

pub mod engine;
pub mod error;
pub mod labels;
pub mod routes;
pub mod text_engine;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use engine::Engine;

/// Requests waiting for the model beyond this are refused with 503 rather than queued forever.
pub const MAX_QUEUED_INFERENCES: usize = 64;

pub struct AppState {
    pub engine: Arc<Engine>,
    pub inference_slots: Semaphore,
}

impl AppState {
    pub fn new(engine: Arc<Engine>) -> AppState {
        AppState { engine, inference_slots: Semaphore::new(MAX_QUEUED_INFERENCES) }
    }
}

pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(routes::health::health))
        .route("/v1/predict", post(routes::predict::predict))
        .layer(DefaultBodyLimit::max(smart_tags_core::model_input::BYTES + 1024))
        .with_state(state)
}

pub async fn run(listener: TcpListener, state: Arc<AppState>, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown).await
}
