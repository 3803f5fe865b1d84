//! The Smart Tags proxy: the browser's one server. It serves the upload page and the wasm module,
//! takes tag requests (size-limited, time-limited), forwards them to the tagging service and
//! answers the tags. The browser never learns the service's address.
//!
//! # Layout
//! - [`config`]: settings, validated all at once.
//! - [`routes`]: one file per browser API route.
//! - [`upstream`]: the client of the tagging service.
//! - [`error`]: the JSON errors the browser sees.

pub mod config;
pub mod error;
pub mod routes;
pub mod upstream;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{any, get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use config::Config;
use upstream::Upstream;

pub struct AppState {
    pub upstream: Upstream,
    /// The admin token; admin routes are off without one.
    pub admin_token: Option<String>,
}

impl AppState {
    pub fn new(config: &Config) -> Result<AppState, reqwest::Error> {
        Ok(AppState {
            upstream: Upstream::new(&config.service_url, config.service_timeout)?,
            admin_token: config.admin_token.clone(),
        })
    }
}

pub fn app(state: Arc<AppState>, config: &Config) -> Router {
    let api = Router::new()
        .route(
            "/api/v1/tag",
            post(routes::tag::tag)
                .layer(DefaultBodyLimit::max(smart_tags_core::model_input::BYTES)),
        )
        .route(
            "/api/v1/assets/tag",
            post(routes::asset_tag::asset_tag)
                .layer(DefaultBodyLimit::max(routes::asset_tag::MAX_BYTES)),
        )
        .route("/api/v1/assets", get(routes::asset::asset))
        .route(
            "/api/v1/assets/moderation",
            post(routes::moderation::moderation)
                .layer(DefaultBodyLimit::max(routes::moderation::MAX_BYTES)),
        )
        .route("/api/v1/taxonomy/suggest", get(routes::suggest::suggest))
        .route(
            "/api/v1/admin/{*path}",
            any(routes::admin::admin).layer(DefaultBodyLimit::max(routes::admin::MAX_BYTES)),
        )
        .route("/api/v1/health", get(routes::health::health));
    let api = routes::admin::UPLOAD_PATHS
        .iter()
        .fold(api, |api, path| {
            api.route(
                &format!("/api/v1/admin/{path}"),
                any(routes::admin::upload)
                    .layer(DefaultBodyLimit::max(routes::admin::MAX_UPLOAD_BYTES)),
            )
        })
        .layer(DefaultBodyLimit::max(0))
        .with_state(state);
    let www = ServeDir::new(&config.www_dir)
        .not_found_service(ServeFile::new(config.www_dir.join("index.html")));
    api.fallback_service(www)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

pub async fn run(
    listener: TcpListener,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = Arc::new(AppState::new(config)?);
    axum::serve(listener, app(state, config))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// A request id shared by an error answer and its log line.
pub(crate) fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{:08x}{:08x}", nanos, n as u32)
}
