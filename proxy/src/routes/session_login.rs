//! `POST /api/v1/session`: the upload page's sign-in. JSON `{name, password}`; a match sets the
//! `smart_tags_session` cookie (see [`crate::client_auth::session`]). A wrong name and a wrong
//! password get the same 401 `login_failed`; attempts are limited per IP address (429). Neither
//! the password nor the cookie is ever logged.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::client_auth::{peer_ip, session, unix_now, ClientAuth, ClientAuthError};

/// The largest login body.
pub const MAX_BYTES: usize = 4096;

#[derive(Deserialize)]
pub struct Login {
    pub name: String,
    pub password: String,
}

pub async fn login(
    State(auth): State<Arc<ClientAuth>>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Result<Json<Login>, JsonRejection>,
) -> Response {
    let peer = peer_ip(extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0));
    match sign_in(&auth, &peer, &headers, body).await {
        Ok(cookie) => {
            tracing::info!(peer = %peer, "page user signed in");
            let mut response = (StatusCode::OK, Json(serde_json::json!({ "signed_in": true }))).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => {
            tracing::info!(peer = %peer, error = %error, "sign-in refused");
            error.into_response()
        }
    }
}

/// The `Set-Cookie` value of a successful sign-in.
async fn sign_in(
    auth: &Arc<ClientAuth>,
    peer: &str,
    headers: &HeaderMap,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<String, ClientAuthError> {
    let sessions = auth.sessions.clone().ok_or(ClientAuthError::LoginUnavailable)?;
    auth.login_limiter
        .check(&format!("ip:{peer}"), std::time::Instant::now())
        .map_err(|retry_after| ClientAuthError::RateLimited { retry_after })?;
    session::origin_allowed(headers, &auth.cors).map_err(ClientAuthError::Session)?;
    let Json(Login { name, password }) = body.map_err(|_| ClientAuthError::LoginBody)?;
    // PBKDF2 is slow on purpose: off the async workers.
    let checker = sessions.clone();
    let checked_name = name.clone();
    let ok = tokio::task::spawn_blocking(move || checker.users.check(&checked_name, &password)).await.unwrap_or(false);
    if !ok {
        return Err(ClientAuthError::LoginFailed);
    }
    let token = sessions.mint(&name, unix_now()).map_err(|e| {
        tracing::error!(error = %e, "cannot make a session id");
        ClientAuthError::LoginUnavailable
    })?;
    Ok(sessions.set_cookie(&token))
}
