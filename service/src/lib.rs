//! The tagging service: loads the image model once and answers prediction requests; keeps the
//! customer's taxonomy, concept links, assets and settings in SQLite.
//!
//! With an [`auth::AuthServer`] in its state, every `/v1/...` route (but `/v1/openapi.json`)
//! needs an access token from the authorization server's token endpoints
//! (docs/credentials.md), and the binary may listen on any address; without one (open mode,
//! `--open`) nothing is checked and the binary listens on loopback only. Changes are attributed
//! to the `x-smart-tags-actor` header (default `admin`).
//!
//! # Layout
//! - [`auth`]: the authorization server: integrations, token endpoints, access-token checks.
//! - [`engine`]: ONNX Runtime session, batch inference, top-k prediction.
//! - [`detectors`]: the face and person detectors run on an asset's thumbnail.
//! - [`scenes`]: the built-in scene model (sky, sea, mountains, city…) on the image embedding.
//! - [`text_engine`]: the MiniLM text model: sentence embeddings of tag names.
//! - [`labels`]: class index -> WordNet id and name.
//! - [`store`]: the SQLite store.
//! - [`search_catch_up`]: brings the search index up to the thresholds after they change.
//! - [`training`]: Enhanced Smart Tags: example imports, background training, active models.
//! - [`routes`]: one file per HTTP route.
//! - [`error`]: the JSON error answers.

pub mod auth;
pub mod config_file;
pub mod detectors;
pub mod engine;
pub mod error;
pub mod keyed_locks;
pub mod labels;
pub mod linker;
pub mod mapping_cache;
pub mod routes;
pub mod scene_training;
pub mod scenes;
pub mod search_catch_up;
pub mod similar;
pub mod store;
pub mod tagger;
pub mod telemetry;
pub mod text_engine;
pub mod training;
pub mod workflow_file;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use auth::AuthServer;
use engine::Engine;
use linker::{relink_after_change, Relinker};
use mapping_cache::MappingCache;
use routes::{assets, links};
use routes::{settings, taxonomy};
use store::{Store, StoreError};
use tagger::Tagger;

/// Requests waiting for the model beyond this are refused with 503 rather than queued forever.
pub const MAX_QUEUED_INFERENCES: usize = 64;

/// Largest JSON body of the store routes other than the taxonomy import.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// The file name of the database inside the data directory.
pub const DATABASE_FILE: &str = "smart-tags.sqlite3";

pub struct AppState {
    pub engine: Arc<Engine>,
    pub inference_slots: Semaphore,
    pub store: Arc<Store>,
    /// The smart-tag engine (WordNet hierarchy, text model); the asset routes need it.
    pub tagger: Option<Arc<Tagger>>,
    /// The face and person detectors; `None`: not installed, pictures get no people tags.
    pub detectors: Option<Arc<detectors::Detectors>>,
    /// The text detector and recogniser; `None`: not installed, no words are read.
    pub text_reader: Option<Arc<detectors::TextReader>>,
    /// The shipped scene model file, as loaded at start-up (installed in the store as a version
    /// of the tag model `scenes`, which is what tagging uses); `None`: not installed.
    pub scenes: Option<Arc<scenes::SceneModel>>,
    pub mapping: MappingCache,
    /// The active trained model versions, as of the store's trained version.
    pub trained: training::active::ActiveModels,
    /// The passes that bring stored predictions to the active tag models
    /// ([`training::apply::wake`] after every change).
    pub applier: training::apply::Applier,
    /// The running training jobs.
    pub trainer: Arc<training::jobs::Trainer>,
    /// The authorization server; `None`: open mode (no token is checked).
    pub auth: Option<Arc<AuthServer>>,
    /// One lock per content hash while an asset is tagged (the same bytes are never run twice at once).
    pub tagging_locks: keyed_locks::KeyedLocks,
    /// The nearest-neighbour index of the stored embeddings ("find similar", duplicates), saved
    /// next to the database.
    pub similar: similar::SimilarIndex,
}

impl AppState {
    /// State with a store in memory, lost at exit: for callers that keep nothing (tests of the
    /// prediction routes). The binary uses [`AppState::with_store`].
    pub fn new(engine: Arc<Engine>) -> AppState {
        // Opening an empty in-memory database depends on no input; failing here is a bug.
        #[allow(clippy::expect_used)]
        let store = Store::open_in_memory().expect("an in-memory sqlite database opens");
        AppState::with_store(engine, Arc::new(store))
    }

    /// State with the given store (usually [`Store::open`] on `<data-dir>/smart-tags.sqlite3`).
    pub fn with_store(engine: Arc<Engine>, store: Arc<Store>) -> AppState {
        AppState {
            engine,
            inference_slots: Semaphore::new(MAX_QUEUED_INFERENCES),
            tagger: None,
            detectors: None,
            text_reader: None,
            scenes: None,
            mapping: MappingCache::default(),
            trained: training::active::ActiveModels::default(),
            trainer: Arc::default(),
            applier: training::apply::Applier::default(),
            auth: None,
            tagging_locks: keyed_locks::KeyedLocks::default(),
            similar: similar::SimilarIndex::new(store.path().and_then(std::path::Path::parent)),
            store,
        }
    }

    /// State with a store and the smart-tag engine: what the binary runs.
    pub fn with_tagger(engine: Arc<Engine>, store: Arc<Store>, tagger: Arc<Tagger>) -> AppState {
        AppState { tagger: Some(tagger), ..AppState::with_store(engine, store) }
    }

    /// The same state with the face and person detectors.
    pub fn with_detectors(self, detectors: Arc<detectors::Detectors>) -> AppState {
        AppState { detectors: Some(detectors), ..self }
    }

    /// The same state with the text reader.
    pub fn with_text_reader(self, reader: Arc<detectors::TextReader>) -> AppState {
        AppState { text_reader: Some(reader), ..self }
    }

    /// The same state with the built-in scene model installed in its store as the tag model
    /// `scenes` ([`scenes::install`]; a store that already has it keeps its own versions).
    pub fn with_scenes(self, scenes: Arc<scenes::SceneModel>) -> AppState {
        if let Err(error) = scenes::install(&self.store, self.engine.version(), &scenes) {
            tracing::error!(%error, "cannot install the built-in scene model");
        }
        AppState { scenes: Some(scenes), ..self }
    }

    /// The scene confidences of an embedding when the workflow's scenes step runs and a scene
    /// model version is active (`active`: the active models of this tagging).
    pub fn scene_confidences(
        &self,
        active: &training::active::ActiveSet,
        workflow: &smart_tags_core::workflow::Workflow,
        embedding: &[f32],
    ) -> Option<[f32; smart_tags_core::detect::classes::SCENE_CLASSES.len()]> {
        let model = active.scenes().filter(|_| workflow.runs(smart_tags_core::workflow::StepKind::Scenes))?;
        smart_tags_core::scenes::confidences(&model.model, embedding).ok()
    }

    /// The same state with the authorization server on: every `/v1/...` route needs a token.
    pub fn with_auth(self, auth: Arc<AuthServer>) -> AppState {
        AppState { auth: Some(auth), ..self }
    }
}

/// Opens the store in a data directory (creating both when missing).
pub fn open_store(data_dir: &std::path::Path) -> Result<Store, StoreError> {
    Store::open(&data_dir.join(DATABASE_FILE))
}

/// Largest `POST /v1/assets/tag` body: the model input, the thumbnail for the detectors, the
/// metadata and the multipart framing.
pub const TAG_BODY_LIMIT: usize =
    smart_tags_core::model_input::BYTES + smart_tags_core::detect::THUMBNAIL_LIMITS.max_bytes + 64 * 1024;

/// The whole service: the model routes, the asset and link routes, and the store routes (which
/// relink the taxonomy after every write when the smart-tag engine is loaded). With an
/// authorization server, also its routes ([`auth_routes`]), and every `/v1/...` route checks
/// the bearer token ([`auth::middleware`]).
pub fn app(state: Arc<AppState>) -> Router {
    let store = Arc::clone(&state.store);
    let mut taxonomy = store_routes(Arc::clone(&store));
    if let Some(tagger) = &state.tagger {
        let relinker = Relinker::new(store, Arc::clone(tagger));
        let status =
            Router::new().route("/v1/taxonomy/relinking", get(linker::relinking)).with_state(Arc::clone(&relinker));
        taxonomy = taxonomy.merge(status).layer(axum::middleware::from_fn_with_state(relinker, relink_after_change));
    }
    let api = Router::new()
        .route("/healthz", get(routes::health::health))
        .route(
            "/v1/predict",
            post(routes::predict::predict).layer(DefaultBodyLimit::max(smart_tags_core::model_input::BYTES + 1024)),
        )
        .route("/v1/assets/tag", post(assets::tag::tag).layer(DefaultBodyLimit::max(TAG_BODY_LIMIT)))
        .route("/v1/assets", get(assets::get::get))
        .route("/v1/assets/moderation", post(assets::moderate::moderate))
        .route("/v1/assets/retag", post(assets::retag::retag))
        .route(
            "/v1/assets/similar",
            get(assets::similar::similar)
                .post(assets::similar_image::similar_to_image)
                .layer(DefaultBodyLimit::max(smart_tags_core::model_input::BYTES + 16 * 1024)),
        )
        .route("/v1/assets/duplicates", get(assets::duplicates::duplicates))
        .route("/v1/assets/search", get(assets::search::search))
        .route("/v1/taxonomy/suggest", get(routes::taxonomy::suggest::suggest))
        .route("/v1/links", get(links::list::list).post(links::change::change))
        .route("/v1/links/preview", post(links::preview::preview))
        .route("/v1/settings/thresholds/preview", post(routes::settings::preview_thresholds::preview_thresholds))
        .route("/v1/concepts", get(links::concepts::concepts))
        .route("/v1/scenes", get(routes::scenes::scenes))
        .route("/v1/openapi.json", get(routes::openapi::openapi))
        .merge(training_routes())
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .with_state(Arc::clone(&state))
        .merge(taxonomy)
        // Before the bearer check: a wrong path or method under /v1/ without a token is a 401,
        // like every route there, so the answers map no routes for strangers.
        .fallback(routes::unknown::unknown_route)
        .method_not_allowed_fallback(routes::unknown::method_not_allowed);
    let app = match &state.auth {
        None => api,
        Some(auth) => auth::middleware::protect(api, Arc::clone(auth)).merge(auth_routes(Arc::clone(auth))),
    };
    if smart_tags_telemetry::install().is_some() {
        telemetry::describe();
    }
    let scraped = Arc::clone(&state);
    // Open like /healthz (outside /v1/): keep the service on an internal address.
    app.route("/metrics", get(move || telemetry::metrics(Arc::clone(&scraped)))).layer(
        axum::middleware::from_fn_with_state(
            smart_tags_telemetry::Server("service"),
            smart_tags_telemetry::track_requests,
        ),
    )
}

/// The authorization server's routes: the token endpoints (`/ims/...`), the token check
/// (`GET /v1/auth/check`, behind the bearer check) and the console (`/console/...`). Bodies are
/// limited to [`routes::auth::FORM_BODY_LIMIT`].
pub fn auth_routes(auth: Arc<AuthServer>) -> Router {
    use axum::routing::delete;
    use routes::{auth as ims, console};
    let check = Router::new()
        .route("/v1/auth/check", get(ims::check::check))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&auth), auth::middleware::require_token));
    Router::new()
        .route("/ims/exchange/jwt", post(ims::exchange_jwt::exchange_jwt))
        .route("/ims/token/v3", post(ims::token_v3::token_v3))
        .route("/console/integrations", get(console::list::list).post(console::create::create))
        .route("/console/integrations/{client_id}", get(console::show::show))
        .route("/console/integrations/{client_id}/certificates", post(console::add_certificate::add_certificate))
        .route(
            "/console/integrations/{client_id}/certificates/{certificate_id}",
            delete(console::remove_certificate::remove_certificate),
        )
        .route("/console/integrations/{client_id}/secret", post(console::rotate_secret::rotate_secret))
        .route(
            "/console/integrations/{client_id}/certificate-token",
            post(console::certificate_token::certificate_token),
        )
        .route("/console/integrations/{client_id}/revoke", post(console::revoke::revoke))
        .merge(check)
        .layer(DefaultBodyLimit::max(routes::auth::FORM_BODY_LIMIT))
        .with_state(auth)
}

/// The Enhanced Smart Tags routes (`/v1/training/...`).
fn training_routes() -> Router<Arc<AppState>> {
    use axum::routing::delete;
    use routes::training::*;
    Router::new()
        .route("/v1/training/models", get(list_models::list_models))
        .route(
            "/v1/training/models/import",
            post(import_model::import_model).layer(DefaultBodyLimit::max(import_model::MAX_BYTES)),
        )
        .route(
            "/v1/training/models/{name}",
            axum::routing::put(put_model::put_model).delete(delete_model::delete_model),
        )
        .route("/v1/training/models/{name}/lint", get(lint::lint))
        .route("/v1/training/models/{name}/train", post(train::train))
        .route("/v1/training/models/{name}/deactivate", post(deactivate_model::deactivate_model))
        .route("/v1/training/models/{name}/versions", get(list_versions::list_versions))
        .route("/v1/training/models/{name}/versions/{version}", delete(delete_version::delete_version))
        .route("/v1/training/models/{name}/versions/{version}/activate", post(activate_version::activate_version))
        .route("/v1/training/models/{name}/versions/{version}/export", get(export_version::export_version))
        .route("/v1/training/jobs/{id}", get(get_job::get_job))
        .route("/v1/training/jobs/{id}/cancel", post(cancel_job::cancel_job))
        .route("/v1/training/examples", get(list_examples::list_examples).delete(delete_examples::delete_examples))
        .route(
            "/v1/training/examples/import",
            post(import_examples::import_examples).layer(DefaultBodyLimit::max(import_examples::MAX_BYTES)),
        )
}

/// The taxonomy, settings, workflow and folder routes alone: they need the store but not the model. Bodies are
/// limited to [`JSON_BODY_LIMIT`], except the taxonomy import ([`taxonomy::IMPORT_BODY_LIMIT`]).
pub fn store_routes(store: Arc<Store>) -> Router {
    Router::new()
        .route(
            "/v1/taxonomy",
            get(taxonomy::export::export)
                .put(taxonomy::import::import)
                .layer(DefaultBodyLimit::max(taxonomy::IMPORT_BODY_LIMIT)),
        )
        .route("/v1/taxonomy/tags", post(taxonomy::create_tag::create_tag))
        .route(
            "/v1/taxonomy/tags/{*id}",
            get(taxonomy::get_tag::get_tag)
                .patch(taxonomy::update_tag::update_tag)
                .delete(taxonomy::delete_tag::delete_tag),
        )
        .route("/v1/taxonomy/move", post(taxonomy::move_tag::move_tag))
        .route("/v1/taxonomy/changes", get(taxonomy::changes::changes))
        .route(
            "/v1/settings/thresholds",
            get(settings::get_thresholds::get_thresholds).put(settings::put_thresholds::put_thresholds),
        )
        .route("/v1/workflow", get(routes::workflow::get::get).put(routes::workflow::put::put))
        .route("/v1/folders", get(routes::folders::list::list).put(routes::folders::put::put))
        .route("/v1/folders/resolve", get(routes::folders::resolve::resolve))
        .route("/v1/assets/list", get(assets::list::list))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .with_state(store)
}

pub async fn run(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown).await
}
