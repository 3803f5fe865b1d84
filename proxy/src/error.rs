//! Every error the browser can get: `{code, message, request_id}` with a status. Messages are
//! lowercase, say what to do, and never carry internal detail (the service's address, upstream
//! bodies): that goes to the log, next to the request id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("send the model input as application/octet-stream")]
    WrongContentType,
    #[error("the model input must be exactly {expected} bytes, got {got}")]
    WrongSize { expected: usize, got: usize },
    #[error("send the request body as {expected}")]
    WrongMediaType { expected: &'static str },
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("this route needs the admin token (Authorization: Bearer ...)")]
    AdminTokenRequired,
    #[error("admin routes are switched off: set SMART_TAGS_ADMIN_TOKEN_FILE on the proxy")]
    AdminDisabled,
    #[error("no such route")]
    NotFound,
    #[error("no such API route: {method} {path}")]
    UnknownRoute { method: String, path: String },
    #[error("{method} is not allowed on {path}")]
    MethodNotAllowed { method: String, path: String },
    #[error("the request body could not be read")]
    UnreadableBody,
    #[error("the folder must be a path like /campaigns/2026, at most 1024 bytes")]
    InvalidFolder,
    #[error("the tagging service is unavailable, try again later")]
    ServiceUnavailable,
    #[error("the tagging service did not answer in time, try again later")]
    ServiceTimeout,
    #[error("the tagging service is busy, try again in a moment")]
    ServiceBusy,
    #[error("the tagging service refused the input")]
    ServiceRejected,
    #[error("the tagging service failed")]
    ServiceFailed,
    #[error("the proxy cannot sign in to the tagging service: ask the administrator to run `smart-tags-proxy health`")]
    ServiceAuthorization,
    #[error("{0}")]
    InvalidCertificateRequest(String),
    #[error("the certificate validity must be 1 to 3650 days, not {0}")]
    CertificateValidity(u32),
    #[error("no certificate {0} in the key store")]
    UnknownCertificate(String),
    #[error("the key store has no certificate yet: create one")]
    NoCertificate,
    /// The key store's own words: which certificate, and what to do instead.
    #[error("{0}")]
    CertificateConflict(String),
    #[error("the key store cannot be read or written: the proxy's log says why")]
    KeyStoreFailed,
    /// The authorization server refuses the certificate (`token::registration`).
    #[error("{0}")]
    CertificateNotRegistered(String),
    /// The authorization server could not be asked.
    #[error("{0}")]
    CertificateUnchecked(String),
    /// Registering needs the console token (`token::console`).
    #[error("{0}")]
    ConsoleNotConfigured(String),
    /// The console refused or could not be reached: the proxy's console settings, or the service.
    #[error("{0}")]
    ConsoleFailed(String),
}

impl ProxyError {
    pub(crate) fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ProxyError::WrongContentType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "wrong_content_type"),
            ProxyError::WrongSize { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "wrong_size"),
            ProxyError::WrongMediaType { .. } => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "wrong_content_type"),
            ProxyError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ProxyError::AdminTokenRequired => (StatusCode::UNAUTHORIZED, "admin_token_required"),
            ProxyError::AdminDisabled => (StatusCode::FORBIDDEN, "admin_disabled"),
            ProxyError::NotFound | ProxyError::UnknownRoute { .. } => (StatusCode::NOT_FOUND, "not_found"),
            ProxyError::MethodNotAllowed { .. } => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ProxyError::CertificateNotRegistered(_) => (StatusCode::CONFLICT, "certificate_not_registered"),
            ProxyError::CertificateUnchecked(_) => (StatusCode::SERVICE_UNAVAILABLE, "certificate_unchecked"),
            ProxyError::ConsoleNotConfigured(_) => (StatusCode::CONFLICT, "console_not_configured"),
            ProxyError::ConsoleFailed(_) => (StatusCode::BAD_GATEWAY, "console_failed"),
            ProxyError::UnreadableBody => (StatusCode::BAD_REQUEST, "unreadable_body"),
            ProxyError::InvalidFolder => (StatusCode::BAD_REQUEST, "invalid_folder"),
            ProxyError::ServiceUnavailable => (StatusCode::BAD_GATEWAY, "service_unavailable"),
            ProxyError::ServiceTimeout => (StatusCode::GATEWAY_TIMEOUT, "service_timeout"),
            ProxyError::ServiceBusy => (StatusCode::SERVICE_UNAVAILABLE, "service_busy"),
            ProxyError::ServiceRejected => (StatusCode::BAD_REQUEST, "service_rejected"),
            ProxyError::ServiceFailed => (StatusCode::BAD_GATEWAY, "service_failed"),
            ProxyError::ServiceAuthorization => (StatusCode::BAD_GATEWAY, "service_authorization"),
            ProxyError::InvalidCertificateRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            ProxyError::CertificateValidity(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            ProxyError::UnknownCertificate(_) => (StatusCode::NOT_FOUND, "unknown_certificate"),
            ProxyError::NoCertificate => (StatusCode::NOT_FOUND, "no_certificate"),
            ProxyError::CertificateConflict(_) => (StatusCode::CONFLICT, "certificate_conflict"),
            ProxyError::KeyStoreFailed => (StatusCode::INTERNAL_SERVER_ERROR, "key_store_failed"),
        }
    }

    /// Attaches the request id the answer and the log line share.
    pub fn with_request_id(self, request_id: String) -> ErrorResponse {
        ErrorResponse { error: self, request_id }
    }
}

#[derive(Debug)]
pub struct ErrorResponse {
    pub error: ProxyError,
    pub request_id: String,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: String,
    request_id: &'a str,
}

impl IntoResponse for ErrorResponse {
    fn into_response(self) -> Response {
        let (status, code) = self.error.status_and_code();
        let body = Body { code, message: self.error.to_string(), request_id: &self.request_id };
        (status, Json(body)).into_response()
    }
}
