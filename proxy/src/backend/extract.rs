//! axum's query and path extractors with the back-end API's error: a malformed query string or
//! path segment is 400 `invalid_request` in the API's JSON shape, not axum's plain-text rejection.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::BackendError;

/// [`Query`], refusing with [`BackendError::BadRequest`].
#[derive(Debug)]
pub struct BackendQuery<T>(pub T);

/// [`Path`], refusing with [`BackendError::BadRequest`].
#[derive(Debug)]
pub struct BackendPath<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for BackendQuery<T> {
    type Rejection = BackendError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, BackendError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(BackendQuery(value)),
            Err(rejection) => Err(BackendError::BadRequest(rejection.body_text().to_lowercase())),
        }
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for BackendPath<T> {
    type Rejection = BackendError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, BackendError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(BackendPath(value)),
            Err(rejection) => Err(BackendError::BadRequest(rejection.body_text().to_lowercase())),
        }
    }
}
