//! The Smart Tags proxy: the browser's one server. It serves the upload page and the wasm module,
//! takes tag requests (size-limited, time-limited), forwards them to the tagging service and
//! answers the tags. The browser never learns the service's address.
//!
//! # Layout
//! - [`client_auth`]: who may call the browser API (widget tokens, page sessions, open mode), CORS,
//!   rate limits.
//! - [`config`]: settings, validated all at once (the auth settings in [`config::auth`]).
//! - [`routes`]: one file per browser API route.
//! - [`upstream`]: the client of the tagging service, with the access token.
//! - [`keys`]: the key store (`<data-dir>/keys/`): private keys, certificates, which one signs.
//! - [`token`]: the cached access token, its single-flight refresh and the exchange.
//! - [`health`]: Check Health, every link of the credential chain.
//! - [`error`]: the JSON errors the browser sees.
//! - [`backend`]: the server-to-server API for DAM back ends (API keys, jobs, webhooks, exports).

pub mod backend;
pub mod client_auth;
pub mod config;
pub mod connections;
pub mod error;
pub mod health;
pub mod keys;
pub mod page_headers;
pub mod routes;
pub mod site;
pub mod token;
pub mod upstream;
pub mod workflow_cache;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{any, get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

use config::auth::AuthConfig;
use config::Config;
use upstream::Upstream;

pub struct AppState {
    pub upstream: Upstream,
    /// The admin token; admin routes are off without one.
    pub admin_token: Option<String>,
    /// What `GET /api/v1/admin/health` checks.
    pub health: health::HealthInput,
    /// The key store of the configured data directory and passphrase (the certificate routes).
    pub keys: keys::KeyStore,
    /// The back-end API (`/api/v1/backend/...`); `None`: off, every route answers 404.
    pub backend: Option<Arc<backend::Backend>>,
    /// The last workflow the service answered (`GET /api/v1/workflow` while it is down).
    pub workflow_cache: workflow_cache::WorkflowCache,
}

impl AppState {
    /// A proxy without a grant (the service in open mode).
    pub fn new(config: &Config) -> Result<AppState, reqwest::Error> {
        AppState::with_auth(config, &AuthConfig::none(&config.service_url))
    }

    /// A proxy that gets its access tokens as `auth` says.
    pub fn with_auth(config: &Config, auth: &AuthConfig) -> Result<AppState, reqwest::Error> {
        let tokens = token::TokenManager::new(auth, config.service_timeout)?.map(Arc::new);
        AppState::with_tokens(config, auth, tokens)
    }

    /// A proxy with its own token manager (tests set its retry policy).
    pub fn with_tokens(
        config: &Config,
        auth: &AuthConfig,
        tokens: Option<Arc<token::TokenManager>>,
    ) -> Result<AppState, reqwest::Error> {
        Ok(AppState {
            upstream: Upstream::new(&config.service_url, config.service_timeout)?.with_tokens(tokens),
            admin_token: config.admin_token.clone(),
            keys: auth.key_store(),
            backend: None,
            workflow_cache: workflow_cache::WorkflowCache::default(),
            health: health::HealthInput {
                auth: auth.clone(),
                problems: Vec::new(),
                service_url: config.service_url.clone(),
                warn_days: 30,
                timeout: config.service_timeout,
                retry: token::RetryPolicy::default(),
            },
        })
    }
}

pub fn app(state: Arc<AppState>, config: &Config) -> Router {
    if smart_tags_telemetry::install().is_some() {
        routes::metrics::describe();
    }
    let backend = backend::router(state.backend.clone());
    let client_auth = Arc::new(client_auth::ClientAuth {
        keys: config.browser.widget_keys.clone(),
        sessions: config.browser.sessions.clone(),
        open: config.browser.is_open(),
        cors: config.browser.cors.clone(),
        limiter: client_auth::rate_limit::RateLimiter::new(config.browser.rate_per_second, config.browser.rate_burst),
        login_limiter: client_auth::login_limiter(),
    });
    // The upload page's sign-in: rate limited per IP address by the route itself.
    let session = Router::new()
        .route(
            "/api/v1/session",
            post(routes::session_login::login)
                .layer(DefaultBodyLimit::max(routes::session_login::MAX_BYTES))
                .delete(routes::session_logout::logout),
        )
        .with_state(client_auth.clone());
    // The browser API: a widget token, a session (or open mode) and the rate limit first.
    let browser = Router::new()
        .route("/api/v1/tag", post(routes::tag::tag).layer(DefaultBodyLimit::max(smart_tags_core::model_input::BYTES)))
        .route(
            "/api/v1/assets/tag",
            post(routes::asset_tag::asset_tag).layer(DefaultBodyLimit::max(routes::asset_tag::MAX_BYTES)),
        )
        .route("/api/v1/assets", get(routes::asset::asset))
        .route("/api/v1/assets/similar", get(routes::asset_similar::similar))
        .route("/api/v1/assets/search", get(routes::asset_search::search))
        .route(
            "/api/v1/assets/moderation",
            post(routes::moderation::moderation).layer(DefaultBodyLimit::max(routes::moderation::MAX_BYTES)),
        )
        .route("/api/v1/taxonomy/suggest", get(routes::suggest::suggest))
        .route("/api/v1/workflow", get(routes::workflow::workflow))
        .route_layer(axum::middleware::from_fn_with_state(client_auth, client_auth::require_client));
    let api = Router::new()
        .merge(browser)
        .merge(session)
        // Proxy-local admin routes (the key store). Registered before the catch-all for the reader;
        // axum matches a static or `{id}` segment before `{*path}` whatever the order.
        .route(
            "/api/v1/admin/certificates",
            get(routes::admin_certificate_list::list)
                .post(routes::admin_certificate_create::create)
                .layer(DefaultBodyLimit::max(routes::admin_certificate_create::MAX_BYTES)),
        )
        .route("/api/v1/admin/certificates/{id}", get(routes::admin_certificate_download::download))
        .route("/api/v1/admin/certificates/{id}/activate", post(routes::admin_certificate_activate::activate))
        .route("/api/v1/admin/certificates/{id}/retire", post(routes::admin_certificate_retire::retire))
        .route("/api/v1/admin/certificates/{id}/register", post(routes::admin_certificate_register::register))
        // Bulk re-tag from the admin page: the back-end API's job machinery, behind the admin token.
        .route("/api/v1/admin/retag-jobs", post(routes::admin_retag_create::create))
        .route("/api/v1/admin/retag-jobs/{id}", get(routes::admin_retag_get::get))
        .route("/api/v1/admin/retag-jobs/{id}/results", get(routes::admin_retag_results::results))
        .route("/api/v1/admin/retag-jobs/{id}/apply", post(routes::admin_retag_apply::apply))
        .route("/api/v1/admin/retag-jobs/{id}/cancel", post(routes::admin_retag_cancel::cancel))
        .route(
            "/api/v1/admin/{*path}",
            any(routes::admin::admin).layer(DefaultBodyLimit::max(routes::admin::MAX_BYTES)),
        )
        .route("/api/v1/admin/health", get(routes::admin_health::admin_health))
        .route("/api/v1/health", get(routes::health::health))
        .route("/metrics", get(routes::metrics::metrics));
    let api = routes::admin::UPLOAD_PATHS
        .iter()
        .fold(api, |api, path| {
            api.route(
                &format!("/api/v1/admin/{path}"),
                any(routes::admin::upload).layer(DefaultBodyLimit::max(routes::admin::MAX_UPLOAD_BYTES)),
            )
        })
        .layer(DefaultBodyLimit::max(0))
        .with_state(state)
        .merge(backend)
        // Under /api/, a path or method no route takes answers JSON, not the page.
        .route("/api/{*rest}", any(routes::unknown::unknown_route))
        .route("/api/", any(routes::unknown::unknown_route))
        .route("/api", any(routes::unknown::unknown_route))
        .method_not_allowed_fallback(routes::unknown::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(Arc::new(config.browser.cors.clone()), client_auth::cors::cors));
    let www = site::service(config.www_dir.as_deref());
    // Every request, the page's files too (route `unmatched`), gets its id, metrics and log line.
    let app = api.fallback_service(www).layer(axum::middleware::from_fn_with_state(
        smart_tags_telemetry::Server("proxy"),
        smart_tags_telemetry::track_requests,
    ));
    page_headers::with_page_headers(app, &config.browser.frame_ancestors, config.www_dir.as_deref())
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
}

/// Serves without a grant (the service in open mode).
pub async fn run(
    listener: TcpListener,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with_state(listener, config, Arc::new(AppState::new(config)?), shutdown).await
}

/// Serves with the access tokens `auth` configures.
pub async fn run_with_auth(
    listener: TcpListener,
    config: &Config,
    auth: &AuthConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with_state(listener, config, Arc::new(AppState::with_auth(config, auth)?), shutdown).await
}

/// Serves with a prepared state.
pub async fn run_with_state(
    listener: TcpListener,
    config: &Config,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    connections::serve(listener, app(state, config), config.connections, shutdown).await?;
    Ok(())
}

/// The id of the request this task serves (`smart_tags_telemetry::request_id`): error answers
/// carry it, the access log line has it, and the service gets it in `x-request-id`.
pub(crate) fn request_id() -> String {
    smart_tags_telemetry::request_id()
}

/// A fresh id no caller chooses (spool temp files, multipart boundaries, and the fallback of the
/// random ids): 16 random hex digits, or the process-unique clock-and-counter id when the OS gives
/// no randomness. Never the request id, which a caller may set.
pub(crate) fn unique_id() -> String {
    smart_tags_credentials::secret::random_hex(8).unwrap_or_else(|_| smart_tags_telemetry::requests::new_request_id())
}
