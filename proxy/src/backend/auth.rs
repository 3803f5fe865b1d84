//! Who may call the back-end API: `Authorization: Bearer stbk_...` with a key of the keys file,
//! within the key's own rate limit. A widget token or a page session cookie is refused here (they
//! belong to the browser API), and the browser API refuses back-end keys (they are not widget
//! tokens).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::BackendError;
use super::keys::KEY_PREFIX;
use super::Backend;

/// The key's name, as the routes see it (a request extension).
#[derive(Debug, Clone)]
pub struct BackendCaller(pub String);

pub async fn require_key(State(backend): State<Arc<Backend>>, mut request: Request, next: Next) -> Response {
    match check(&backend, &request) {
        Ok(name) => {
            request.extensions_mut().insert(BackendCaller(name));
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

fn check(backend: &Backend, request: &Request) -> Result<String, BackendError> {
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let browser_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("smart_tags_session="));
    let Some(presented) = bearer else {
        if browser_cookie || headers.contains_key(crate::client_auth::TOKEN_HEADER) {
            return Err(BackendError::BrowserCredential);
        }
        return Err(BackendError::KeyRequired);
    };
    if !presented.starts_with(KEY_PREFIX) {
        return Err(BackendError::BrowserCredential);
    }
    let name = backend.config.keys.verify(presented).ok_or(BackendError::UnknownKey)?.to_owned();
    backend.limiter.check(&name, Instant::now()).map_err(BackendError::RateLimited)?;
    Ok(name)
}
