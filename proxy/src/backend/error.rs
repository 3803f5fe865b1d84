//! The errors of the back-end API (`/api/v1/backend/...`): `{code, message, request_id}` with a
//! status, like the browser API's, but with the codes a DAM's back end acts on.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::error::ProxyError;

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("the back-end api is switched off: start the proxy with --backend-keys FILE")]
    Off,
    #[error("this route needs a back-end api key (Authorization: Bearer stbk_...)")]
    KeyRequired,
    #[error("widget tokens and page sessions are not accepted on the back-end api: use a back-end api key")]
    BrowserCredential,
    #[error("the back-end api key is not known")]
    UnknownKey,
    #[error("too many requests: try again in {0} s")]
    RateLimited(u64),
    #[error("{0}")]
    BadRequest(String),
    /// core's own words about the image (corrupt, truncated, too many pixels...).
    #[error("{0}")]
    BadImage(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("webhook_url must start with one of the allowed prefixes (--webhook-allow)")]
    WebhookNotAllowed,
    #[error("webhooks are not configured: set SMART_TAGS_WEBHOOK_SECRET or --webhook-secret-file")]
    WebhookNotConfigured,
    #[error("no such back-end route")]
    NoRoute,
    #[error("no job {0}")]
    UnknownJob(String),
    #[error("no asset {0} in this job")]
    UnknownAsset(String),
    #[error("{0}")]
    Conflict(String),
    /// The image memory budget stayed full for the whole wait (`--image-memory-mb`).
    #[error("the proxy is holding as many images as its memory budget allows: try again in {0} s")]
    Busy(u64),
    #[error("the job store failed: the proxy's log says why")]
    Store,
    #[error("the proxy failed on this request: its log says why")]
    Internal,
    /// The service's answer about the caller's input, passed on (code and message).
    #[error("{message}")]
    Service { status: u16, code: String, message: String },
    #[error(transparent)]
    Upstream(#[from] ProxyError),
}

impl BackendError {
    fn status_and_code(&self) -> (StatusCode, String) {
        let fixed = |s: StatusCode, c: &str| (s, c.to_owned());
        match self {
            BackendError::Off => fixed(StatusCode::NOT_FOUND, "backend_off"),
            BackendError::KeyRequired => fixed(StatusCode::UNAUTHORIZED, "backend_key_required"),
            BackendError::BrowserCredential => fixed(StatusCode::UNAUTHORIZED, "backend_key_required"),
            BackendError::UnknownKey => fixed(StatusCode::UNAUTHORIZED, "unknown_backend_key"),
            BackendError::RateLimited(_) => fixed(StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            BackendError::BadRequest(_) => fixed(StatusCode::BAD_REQUEST, "invalid_request"),
            BackendError::BadImage(_) => fixed(StatusCode::BAD_REQUEST, "bad_image"),
            BackendError::TooLarge(_) => fixed(StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            BackendError::WebhookNotAllowed => fixed(StatusCode::BAD_REQUEST, "webhook_not_allowed"),
            BackendError::WebhookNotConfigured => fixed(StatusCode::BAD_REQUEST, "webhook_not_configured"),
            BackendError::NoRoute => fixed(StatusCode::NOT_FOUND, "not_found"),
            BackendError::UnknownJob(_) => fixed(StatusCode::NOT_FOUND, "unknown_job"),
            BackendError::UnknownAsset(_) => fixed(StatusCode::NOT_FOUND, "unknown_asset"),
            BackendError::Conflict(_) => fixed(StatusCode::CONFLICT, "conflict"),
            BackendError::Busy(_) => fixed(StatusCode::SERVICE_UNAVAILABLE, "busy"),
            BackendError::Store => fixed(StatusCode::INTERNAL_SERVER_ERROR, "job_store_failed"),
            BackendError::Internal => fixed(StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            BackendError::Service { status, code, .. } => {
                (StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST), code.clone())
            }
            BackendError::Upstream(e) => {
                let (status, code) = e.status_and_code();
                (status, code.to_owned())
            }
        }
    }

    /// The stable code of the error (also what a per-asset step result carries).
    pub fn code(&self) -> String {
        self.status_and_code().1
    }

    /// The HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        self.status_and_code().0
    }
}

impl From<rusqlite::Error> for BackendError {
    fn from(error: rusqlite::Error) -> BackendError {
        tracing::error!(%error, "the job store failed");
        BackendError::Store
    }
}

/// The spool (`<data-dir>/spool/`) is part of the job store.
impl From<std::io::Error> for BackendError {
    fn from(error: std::io::Error) -> BackendError {
        tracing::error!(%error, "the spool cannot be read or changed");
        BackendError::Store
    }
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: String,
    request_id: String,
}

impl IntoResponse for BackendError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = Body { code: &code, message: self.to_string(), request_id: crate::request_id() };
        let mut response = (status, Json(body)).into_response();
        if let BackendError::RateLimited(seconds) | BackendError::Busy(seconds) = self {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
