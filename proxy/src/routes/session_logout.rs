//! `DELETE /api/v1/session`: signs the upload page out: the session's id is revoked (until it
//! would have expired, or the proxy restarts) and the `smart_tags_session` cookie is cleared.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::client_auth::{session, unix_now, ClientAuth, ClientAuthError};

pub async fn logout(State(auth): State<Arc<ClientAuth>>, headers: HeaderMap) -> Response {
    let Some(sessions) = &auth.sessions else {
        return ClientAuthError::LoginUnavailable.into_response();
    };
    // Another site must not sign the user out either.
    if let Err(e) = session::origin_allowed(&headers, &auth.cors) {
        return ClientAuthError::Session(e).into_response();
    }
    if let Some(token) = session::presented_cookie(&headers) {
        sessions.revoke(token, unix_now());
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(value) = HeaderValue::from_str(&sessions.clear_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
