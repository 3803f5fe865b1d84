//! Answers for API requests no route takes, in the error shape (never the upload page's HTML):
//! 404 `not_found` for a path under `/api/` that no route has, 405 `method_not_allowed` (axum
//! adds `Allow`) for a known path with another method.

use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};

use crate::error::ProxyError;
use crate::request_id;

pub async fn unknown_route(method: Method, uri: Uri) -> Response {
    ProxyError::UnknownRoute { method: method.to_string(), path: uri.path().to_owned() }
        .with_request_id(request_id())
        .into_response()
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    ProxyError::MethodNotAllowed { method: method.to_string(), path: uri.path().to_owned() }
        .with_request_id(request_id())
        .into_response()
}
