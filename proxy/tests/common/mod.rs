//! A stand-in authorization server and tagging service on one loopback port, implementing the
//! contract of docs/credentials.md: `POST /ims/exchange/jwt` (RS256/ES256 checked against the
//! registered certificates, `aud`, `exp`, single-use `jti`; `expires_in` in milliseconds),
//! `POST /ims/token/v3` (seconds), `GET /v1/auth/check`, `POST /v1/predict`, `GET /v1/assets`.
//! It counts exchanges and can fail them with 503, answer slowly, and revoke issued tokens.

#![allow(clippy::unwrap_used, clippy::result_large_err, dead_code, unreachable_pub)]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use smart_tags_credentials::jwt::{self, Claims, Expectations, VerifyingKey};
use smart_tags_credentials::Certificate;
use smart_tags_proxy::config::auth::{AuthConfig, Grant, Secret};
use smart_tags_proxy::config::Config;
use smart_tags_proxy::keys::{CreateOptions, KeyStore};
use tokio::net::TcpListener;

pub const API_KEY: &str = "0123456789abcdef0123456789abcdef";
pub const SECRET: &str = "stcs_thisIsTheClientSecretOfTheTests-0123456789";
pub const ADMIN_TOKEN: &str = "admin-token-for-the-tests";

#[derive(Default)]
pub struct StandIn {
    pub url: String,
    certificates: Mutex<Vec<Certificate>>,
    /// Exchanges answered (any outcome), both grants.
    pub exchanges: AtomicU64,
    /// The next this many exchanges answer 503.
    pub fail_next: AtomicU32,
    /// Each exchange waits this long, in milliseconds.
    pub delay_ms: AtomicU64,
    /// `expires_in` of issued tokens, in milliseconds.
    pub lifetime_ms: AtomicU64,
    valid: Mutex<HashSet<String>>,
    jtis: Mutex<HashSet<String>>,
    /// The kid of each accepted JWT, in order.
    pub kids: Mutex<Vec<String>>,
    /// Requests that reached a `/v1/...` route, with the token they carried.
    pub service_requests: AtomicU64,
    pub unauthorized: AtomicU64,
    next: AtomicU64,
}

impl StandIn {
    pub fn register(&self, pem: &str) {
        self.certificates.lock().unwrap().push(Certificate::from_pem(pem).unwrap());
    }

    /// Every issued token stops working.
    pub fn revoke_all(&self) {
        self.valid.lock().unwrap().clear();
    }

    pub fn exchanges(&self) -> u64 {
        self.exchanges.load(Ordering::SeqCst)
    }

    fn issue(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let token = format!("access-token-{n}");
        self.valid.lock().unwrap().insert(token.clone());
        token
    }

    fn audience(&self) -> String {
        format!("{}/c/{API_KEY}", self.url)
    }
}

fn ims_error(status: StatusCode, code: &str, description: &str) -> Response {
    (status, Json(json!({"error": code, "error_description": description}))).into_response()
}

async fn common_checks(s: &StandIn, form: &HashMap<String, String>) -> Result<(), Response> {
    s.exchanges.fetch_add(1, Ordering::SeqCst);
    let delay = s.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if s.fail_next.load(Ordering::SeqCst) > 0 {
        s.fail_next.fetch_sub(1, Ordering::SeqCst);
        return Err((StatusCode::SERVICE_UNAVAILABLE, "busy").into_response());
    }
    let (Some(id), Some(secret)) = (form.get("client_id"), form.get("client_secret")) else {
        return Err(ims_error(StatusCode::BAD_REQUEST, "invalid_request", "client_id and client_secret are required"));
    };
    if id != API_KEY || secret != SECRET {
        return Err(ims_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client id or wrong client secret"));
    }
    Ok(())
}

async fn exchange_jwt(State(s): State<Arc<StandIn>>, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(refusal) = common_checks(&s, &form).await {
        return refusal;
    }
    let Some(token) = form.get("jwt_token") else {
        return ims_error(StatusCode::BAD_REQUEST, "invalid_request", "jwt_token is required");
    };
    let parsed = match jwt::parse(token) {
        Ok(parsed) => parsed,
        Err(e) => return ims_error(StatusCode::BAD_REQUEST, e.code(), &e.to_string()),
    };
    let certificates = s.certificates.lock().unwrap().clone();
    let keys: Vec<VerifyingKey<'_>> =
        certificates.iter().map(|c| VerifyingKey { kid: c.kid(), key: &c.public_key }).collect();
    let kid = match parsed.verify(&keys) {
        Ok(kid) => kid.to_owned(),
        Err(e) => return ims_error(StatusCode::BAD_REQUEST, e.code(), &e.to_string()),
    };
    let audience = s.audience();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let expect = Expectations {
        now,
        leeway: 60,
        max_lifetime: 86_400,
        audience: Some(&audience),
        issuer: Some("0123456789ABCDEF01234567@Org"),
    };
    let checked = match jwt::check_claims(&parsed.claims, &expect) {
        Ok(checked) => checked,
        Err(e) => return ims_error(StatusCode::BAD_REQUEST, e.code(), &e.to_string()),
    };
    let Some(jti) = checked.jti else {
        return ims_error(StatusCode::BAD_REQUEST, "invalid_token", "the jti claim is missing");
    };
    if !s.jtis.lock().unwrap().insert(jti.clone()) {
        return ims_error(StatusCode::BAD_REQUEST, "invalid_token", &format!("jti {jti} was already used"));
    }
    if parsed.claims.get(&format!("{}/s/smart_tags", s.url)) != Some(&Value::Bool(true)) {
        return ims_error(StatusCode::BAD_REQUEST, "invalid_scope", "no metascope");
    }
    s.kids.lock().unwrap().push(kid);
    let expires_in = s.lifetime_ms.load(Ordering::SeqCst);
    Json(json!({"token_type": "bearer", "access_token": s.issue(), "expires_in": expires_in})).into_response()
}

async fn token_v3(State(s): State<Arc<StandIn>>, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(refusal) = common_checks(&s, &form).await {
        return refusal;
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return ims_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "only client_credentials");
    }
    let seconds = s.lifetime_ms.load(Ordering::SeqCst) / 1000;
    Json(json!({"token_type": "bearer", "access_token": s.issue(), "expires_in": seconds})).into_response()
}

/// The bearer token, when it is one the stand-in issued and did not revoke.
fn authorized(s: &StandIn, headers: &HeaderMap) -> Result<String, Response> {
    s.service_requests.fetch_add(1, Ordering::SeqCst);
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if s.valid.lock().unwrap().contains(token) {
        Ok(token.to_owned())
    } else {
        s.unauthorized.fetch_add(1, Ordering::SeqCst);
        Err((
            StatusCode::UNAUTHORIZED,
            [("www-authenticate", "Bearer error=\"invalid_token\"")],
            Json(json!({"code": "unauthorized", "message": "the access token is not valid"})),
        )
            .into_response())
    }
}

async fn auth_check(State(s): State<Arc<StandIn>>, headers: HeaderMap) -> Response {
    match authorized(&s, &headers) {
        Ok(_) => Json(json!({"client_id": API_KEY, "org_id": "0123456789ABCDEF01234567@Org", "technical_account_id": "X@techacct.smart-tags", "scopes": ["smart_tags"], "expires_at": 0})).into_response(),
        Err(refusal) => refusal,
    }
}

async fn predict(State(s): State<Arc<StandIn>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(refusal) = authorized(&s, &headers) {
        return refusal;
    }
    if body.len() != smart_tags_core::model_input::BYTES {
        return (StatusCode::BAD_REQUEST, Json(json!({"code": "wrong_size", "message": "wrong size"}))).into_response();
    }
    Json(json!({"model": "stand-in", "tags": [{"index": 970, "wnid": "n09193705", "label": "alp", "confidence": 0.5}]}))
        .into_response()
}

async fn assets(State(s): State<Arc<StandIn>>, headers: HeaderMap) -> Response {
    match authorized(&s, &headers) {
        Ok(token) => Json(json!({"tags": [], "token": token.len()})).into_response(),
        Err(refusal) => refusal,
    }
}

/// Starts the stand-in; tokens live `lifetime_ms`.
pub async fn start_stand_in(lifetime_ms: u64) -> Arc<StandIn> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(StandIn {
        url: format!("http://{addr}"),
        lifetime_ms: AtomicU64::new(lifetime_ms),
        ..StandIn::default()
    });
    let app = Router::new()
        .route("/ims/exchange/jwt", post(exchange_jwt))
        .route("/ims/token/v3", post(token_v3))
        .route("/v1/auth/check", get(auth_check))
        .route("/v1/predict", post(predict))
        .route("/v1/assets", get(assets))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    state
}

/// The console's JWT payload for the stand-in.
pub fn payload(stand_in: &StandIn) -> Claims {
    let mut claims = Claims::new();
    claims.insert("iss".into(), "0123456789ABCDEF01234567@Org".into());
    claims.insert("sub".into(), "0123456789ABCDEF01234567@techacct.smart-tags".into());
    claims.insert("aud".into(), stand_in.audience().into());
    claims.insert(format!("{}/s/smart_tags", stand_in.url), true.into());
    claims
}

/// A data directory with one active P-256 certificate, registered at the stand-in.
pub fn data_dir_with_key(stand_in: &StandIn) -> (tempfile::TempDir, KeyStore, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::new(dir.path(), None);
    let options = CreateOptions { algorithm: smart_tags_credentials::KeyAlgorithm::P256, ..CreateOptions::default() };
    let id = store.create(&options, now()).unwrap();
    stand_in.register(&store.download(Some(&id)).unwrap().1);
    (dir, store, id)
}

pub fn auth_config(stand_in: &StandIn, data_dir: &Path, secret: &str) -> AuthConfig {
    AuthConfig {
        grant: Grant::Jwt,
        auth_url: stand_in.url.clone(),
        api_key: Some(API_KEY.to_owned()),
        client_secret: Some(Secret::new(secret)),
        jwt_payload: Some(payload(stand_in)),
        data_dir: data_dir.to_owned(),
        key_passphrase: None,
        console_token: None,
    }
}

pub fn proxy_config(listen: SocketAddr, service_url: &str) -> Config {
    Config {
        listen,
        service_url: service_url.to_owned(),
        www_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www")),
        service_timeout: Duration::from_secs(10),
        connections: Default::default(),
        admin_token: Some(ADMIN_TOKEN.to_owned()),
        browser: Default::default(),
    }
}

/// A port nothing listens on.
pub fn dead_service() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}")
}

/// Starts a proxy before a tagging service that is down; with `backend`, the back-end API is on
/// with that configuration (and its job worker runs with `run_worker`). Answers its base URL.
pub async fn start_backend(
    backend: Option<smart_tags_proxy::backend::config::BackendConfig>,
    run_worker: bool,
    browser: smart_tags_proxy::config::BrowserAccess,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = proxy_config(addr, &dead_service());
    config.browser = browser;
    let mut state = smart_tags_proxy::AppState::new(&config).unwrap();
    if let Some(backend) = backend {
        let backend = smart_tags_proxy::backend::Backend::open(backend, state.upstream.clone()).unwrap();
        if run_worker {
            backend.start();
        }
        state.backend = Some(backend);
    }
    tokio::spawn(async move {
        smart_tags_proxy::run_with_state(listener, &config, Arc::new(state), std::future::pending()).await
    });
    format!("http://{addr}")
}

/// Starts a proxy with `auth`; answers its base URL.
pub async fn start_proxy(service_url: &str, auth: &AuthConfig) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = proxy_config(addr, service_url);
    config.validate().unwrap();
    let auth = auth.clone();
    tokio::spawn(
        async move { smart_tags_proxy::run_with_auth(listener, &config, &auth, std::future::pending()).await },
    );
    format!("http://{addr}")
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
