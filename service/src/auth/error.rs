//! The authorization server's refusals: IMS-style `{error, error_description}` answers of the
//! token endpoints ([`AuthError`]), and the `{code, message}` answers of a refused access or
//! admin token ([`AccessError`]). Descriptions are lowercase and never contain a secret, a key
//! or a whole token.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use smart_tags_credentials::JwtError;

use crate::store::StoreError;

/// Why a token endpoint refused a request.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// 400 `invalid_request`: a form field is missing or the form is unreadable.
    #[error("{0}")]
    InvalidRequest(String),
    /// 413 `invalid_request`: the form is too large.
    #[error("the form is larger than {0} bytes")]
    TooLarge(usize),
    /// 401 `invalid_client`.
    #[error("{0}")]
    InvalidClient(String),
    /// 400 `invalid_token`.
    #[error("{0}")]
    InvalidToken(String),
    /// 400 `invalid_signature`.
    #[error("{0}")]
    InvalidSignature(String),
    /// 400 `invalid_scope`.
    #[error("{0}")]
    InvalidScope(String),
    /// 400 `unauthorized_client`: the integration's credential type has another grant.
    #[error("{0}")]
    UnauthorizedClient(String),
    /// 400 `unsupported_grant_type`.
    #[error("{0}")]
    UnsupportedGrantType(String),
    /// 500 `server_error` (503 `temporarily_unavailable` when the store is locked).
    #[error("the store failed")]
    Store(#[source] StoreError),
    /// 500 `server_error`.
    #[error("internal error")]
    Internal,
}

impl From<JwtError> for AuthError {
    fn from(error: JwtError) -> AuthError {
        match error {
            JwtError::Signature => AuthError::InvalidSignature(error.to_string()),
            other => AuthError::InvalidToken(other.to_string()),
        }
    }
}

impl From<StoreError> for AuthError {
    fn from(error: StoreError) -> AuthError {
        AuthError::Store(error)
    }
}

fn store_is_busy(error: &StoreError) -> bool {
    matches!(error, StoreError::Database(rusqlite::Error::SqliteFailure(e, _)) if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

impl AuthError {
    /// The IMS error code.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::InvalidRequest(_) | AuthError::TooLarge(_) => "invalid_request",
            AuthError::InvalidClient(_) => "invalid_client",
            AuthError::InvalidToken(_) => "invalid_token",
            AuthError::InvalidSignature(_) => "invalid_signature",
            AuthError::InvalidScope(_) => "invalid_scope",
            AuthError::UnauthorizedClient(_) => "unauthorized_client",
            AuthError::UnsupportedGrantType(_) => "unsupported_grant_type",
            AuthError::Store(e) if store_is_busy(e) => "temporarily_unavailable",
            AuthError::Store(_) | AuthError::Internal => "server_error",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AuthError::InvalidClient(_) => StatusCode::UNAUTHORIZED,
            AuthError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AuthError::Store(e) if store_is_busy(e) => StatusCode::SERVICE_UNAVAILABLE,
            AuthError::Store(_) | AuthError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        if let AuthError::Store(e) = &self {
            tracing::error!(error = %e, "the authorization server's store failed");
        }
        let body = json!({ "error": self.code(), "error_description": self.to_string() });
        (self.status(), [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(body)).into_response()
    }
}

/// Why a request with an access token (or the admin token) was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// 401 `unauthorized`, with `WWW-Authenticate: Bearer error="invalid_token"`.
    #[error("{0}")]
    Unauthorized(String),
    /// 403 `forbidden`: the token lacks the route's scope.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `not_found`: the console is off (no admin token configured).
    #[error("the console is off: the service has no admin token")]
    ConsoleOff,
    /// 500 `storage_failed` (503 `busy` when the store is locked).
    #[error("the store failed")]
    Store(#[source] StoreError),
    /// 500 `internal`.
    #[error("internal error")]
    Internal,
}

impl From<StoreError> for AccessError {
    fn from(error: StoreError) -> AccessError {
        AccessError::Store(error)
    }
}

impl IntoResponse for AccessError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            AccessError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AccessError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AccessError::ConsoleOff => (StatusCode::NOT_FOUND, "not_found"),
            AccessError::Store(e) if store_is_busy(e) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            AccessError::Store(e) => {
                tracing::error!(error = %e, "the store failed while checking a token");
                (StatusCode::INTERNAL_SERVER_ERROR, "storage_failed")
            }
            AccessError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        let message = match (&self, status) {
            (AccessError::Store(_), StatusCode::SERVICE_UNAVAILABLE) => "the store is busy".to_owned(),
            _ => self.to_string(),
        };
        let mut response = (status, Json(json!({ "code": code, "message": message }))).into_response();
        let challenge = match status {
            StatusCode::UNAUTHORIZED => Some(r#"Bearer error="invalid_token""#),
            StatusCode::FORBIDDEN => Some(r#"Bearer error="insufficient_scope""#),
            _ => None,
        };
        if let Some(challenge) = challenge {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        response
    }
}
