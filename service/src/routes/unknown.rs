//! Answers for requests no route takes: 404 `not_found` for a path no route has, 405
//! `method_not_allowed` (with `Allow`, which axum adds) for a known path with another method —
//! in the error shape, never an empty body.

use axum::http::{Method, Uri};

use crate::error::ServiceError;

pub async fn unknown_route(method: Method, uri: Uri) -> ServiceError {
    ServiceError::UnknownRoute { method: method.to_string(), path: uri.path().to_owned() }
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> ServiceError {
    ServiceError::MethodNotAllowed { method: method.to_string(), path: uri.path().to_owned() }
}
