//! The server-to-server API for DAM back ends (`/api/v1/backend/...`, docs/backend-api.md): tag
//! an image's bytes with the workflow, batch jobs (spooled uploads, bulk re-tags) that survive a
//! restart, signed webhooks, exports. Off (every route 404 `backend_off`) unless the proxy has a
//! back-end keys file.
//!
//! - [`keys`], [`auth`]: `stbk_` API keys (stored as SHA-256), per-key rate limit.
//! - [`config`]: the settings and the webhook allow-list.
//! - [`service`]: the calls to the tagging service (through [`Upstream`]) and the workflow cache.
//! - [`memory`]: the image memory budget (uploads and decodes in flight).
//! - [`upload`]: an image upload, charged to the memory budget before it is read.
//! - [`tagging`]: one image through the workflow's steps → the per-asset result.
//! - [`jobs`]: the job store, the spool, the worker and the retention sweep.
//! - [`webhook`]: signed deliveries with retries.
//! - [`export`]: final tags as JSON, CSV, XMP and a JPEG with the XMP embedded.

pub mod auth;
pub mod config;
pub mod error;
pub mod export;
pub mod extract;
pub mod jobs;
pub mod keys;
pub mod memory;
pub mod service;
pub mod tagging;
pub mod upload;
pub mod webhook;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::Router;
use tokio::sync::Notify;

use crate::client_auth::rate_limit::RateLimiter;
use crate::routes;
use crate::upstream::Upstream;
use config::BackendConfig;
use error::BackendError;
use jobs::spool::Spool;
use jobs::store::JobStore;
use service::Service;

/// The back-end API's state.
#[derive(Debug)]
pub struct Backend {
    pub config: BackendConfig,
    pub limiter: RateLimiter,
    pub service: Service,
    /// Async code reaches it through [`JobStore::call`] (the blocking pool).
    pub jobs: Arc<JobStore>,
    pub spool: Spool,
    /// Wakes the job worker (a new or resumed job).
    pub wake: Notify,
    /// Wakes the webhook sender (a job ended).
    pub wake_webhooks: Notify,
    /// Counts jobs that ended (completed, failed, cancelled): long polls wait on it.
    pub ended: tokio::sync::watch::Sender<u64>,
    pub webhook_client: reqwest::Client,
    /// What images in flight may hold ([`memory`]).
    pub memory: memory::MemoryBudget,
}

/// Why the back-end API cannot start.
#[derive(Debug, thiserror::Error)]
pub enum BackendStartError {
    #[error("cannot open the job store {path}: {error}")]
    Store { path: String, error: rusqlite::Error },
    #[error("cannot open the spool {path}: {error}")]
    Spool { path: String, error: std::io::Error },
    #[error("cannot make the webhook client: {0}")]
    Client(#[from] reqwest::Error),
}

impl Backend {
    /// Opens `<data-dir>/jobs.sqlite3` and `<data-dir>/spool/`. Call [`Backend::start`] (inside
    /// the runtime) to run the worker and the webhook sender.
    pub fn open(config: BackendConfig, upstream: Upstream) -> Result<Arc<Backend>, BackendStartError> {
        let spool_dir = config.data_dir.join("spool");
        let spool = Spool::open(&spool_dir)
            .map_err(|error| BackendStartError::Spool { path: spool_dir.display().to_string(), error })?;
        let db = config.data_dir.join("jobs.sqlite3");
        let jobs =
            JobStore::open(&db).map_err(|error| BackendStartError::Store { path: db.display().to_string(), error })?;
        Ok(Arc::new(Backend {
            limiter: RateLimiter::new(config.rate_per_second, config.rate_burst),
            service: Service::new(upstream, config.workflow_ttl),
            jobs: Arc::new(jobs),
            spool,
            wake: Notify::new(),
            wake_webhooks: Notify::new(),
            ended: tokio::sync::watch::Sender::new(0),
            webhook_client: webhook::client()?,
            memory: memory::MemoryBudget::new(config.image_memory, config.image_memory_wait),
            config,
        }))
    }

    /// Says a job ended: wakes the webhook sender and the long polls.
    pub fn job_ended(&self) {
        self.wake_webhooks.notify_one();
        self.ended.send_modify(|n| *n += 1);
    }

    /// Runs the job worker, the webhook sender and the retention sweep (at once, then every 10
    /// minutes) on the current runtime; jobs left running by a previous process go on at once.
    pub fn start(self: &Arc<Backend>) {
        tokio::spawn(jobs::worker::run(Arc::clone(self)));
        tokio::spawn(webhook::run(Arc::clone(self)));
        tokio::spawn(jobs::retention::run(Arc::clone(self)));
    }
}

async fn off() -> BackendError {
    BackendError::Off
}

/// The `/api/v1/backend/...` routes; all of them answer 404 `backend_off` without a backend.
pub fn router(backend: Option<Arc<Backend>>) -> Router {
    let Some(backend) = backend else {
        return Router::new().route("/api/v1/backend", any(off)).route("/api/v1/backend/{*path}", any(off));
    };
    let image_limit = DefaultBodyLimit::max(tagging::max_image_bytes());
    Router::new()
        .route("/api/v1/backend/assets/tag", post(routes::backend_asset_tag::tag).layer(image_limit))
        .route("/api/v1/backend/assets/export", get(routes::backend_asset_export::export))
        .route(
            "/api/v1/backend/assets/similar",
            get(routes::backend_asset_similar::similar)
                .post(routes::backend_asset_similar::similar_to_image)
                .layer(image_limit),
        )
        .route("/api/v1/backend/assets/duplicates", get(routes::backend_asset_similar::duplicates))
        .route("/api/v1/backend/assets/search", get(routes::backend_asset_similar::search))
        .route("/api/v1/backend/assets/xmp-jpeg", post(routes::backend_asset_xmp_jpeg::xmp_jpeg).layer(image_limit))
        .route(
            "/api/v1/backend/jobs",
            post(routes::backend_job_create::create)
                .layer(DefaultBodyLimit::disable())
                .get(routes::backend_job_list::list),
        )
        .route(
            "/api/v1/backend/jobs/{id}",
            get(routes::backend_job_get::get).delete(routes::backend_job_delete::delete),
        )
        .route("/api/v1/backend/jobs/{id}/results", get(routes::backend_job_results::results))
        .route("/api/v1/backend/jobs/{id}/assets/{asset_id}/jpeg", get(routes::backend_job_jpeg::jpeg))
        .route("/api/v1/backend/jobs/{id}/cancel", post(routes::backend_job_cancel::cancel))
        .route("/api/v1/backend/jobs/{id}/resume", post(routes::backend_job_resume::resume))
        .route("/api/v1/backend/jobs/{id}/apply", post(routes::backend_job_apply::apply))
        .route("/api/v1/backend/{*path}", any(|| async { BackendError::NoRoute }))
        .route_layer(axum::middleware::from_fn_with_state(Arc::clone(&backend), auth::require_key))
        .with_state(backend)
}
