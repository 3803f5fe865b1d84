//! What the store routes share: extractors whose rejections are our JSON errors, the actor
//! header, and running a store call on the blocking pool.

use std::sync::Arc;

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;
use smart_tags_core::taxonomy::TagId;

use crate::error::ServiceError;
use crate::store::{check_actor, Store, StoreError};

/// The header naming who makes a change. Until authentication exists (the integration issue)
/// the caller says who it is; the proxy or the DAM integration must set it.
pub const ACTOR_HEADER: &str = "x-smart-tags-actor";
/// The actor of the proxy's back-end API, which hashes the bytes it tags itself: its content
/// hashes are verified (`store::content_inputs`).
pub const BACKEND_ACTOR: &str = "backend";
/// The actor recorded when the header is missing.
pub const DEFAULT_ACTOR: &str = "admin";

/// Runs `call` on the blocking pool (SQLite calls block).
pub(crate) async fn on_store<T: Send + 'static>(
    store: &Arc<Store>,
    call: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ServiceError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || call(&store))
        .await
        .map_err(|_| ServiceError::Internal)?
        .map_err(ServiceError::from)
}

/// Parses a tag id from a path or a body.
pub(crate) fn tag_id(text: &str) -> Result<TagId, ServiceError> {
    TagId::parse(text).map_err(|e| ServiceError::BadInput(e.to_string()))
}

/// The inner error's text, or the rejection's own.
fn detail(rejection: &dyn std::error::Error) -> String {
    rejection.source().map_or_else(|| rejection.to_string(), ToString::to_string)
}

/// Who makes the change: the [`ACTOR_HEADER`] header, or [`DEFAULT_ACTOR`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Actor, ServiceError> {
        let Some(value) = parts.headers.get(ACTOR_HEADER) else {
            return Ok(Actor(DEFAULT_ACTOR.to_owned()));
        };
        let actor = value
            .to_str()
            .map_err(|_| ServiceError::BadInput(format!("the {ACTOR_HEADER} header is not visible ascii")))?
            .trim();
        check_actor(actor).map_err(|e| ServiceError::BadInput(format!("the {ACTOR_HEADER} header: {e}")))?;
        Ok(Actor(actor.to_owned()))
    }
}

/// A JSON body; a bad one is a 400 `bad_input`, an oversized one a 413 `too_large`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ServiceError;

    async fn from_request(request: Request, state: &S) -> Result<JsonBody<T>, ServiceError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ServiceError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ServiceError::UnsupportedFormat("expected content-type application/json".to_owned())
        }
        JsonRejection::BytesRejection(bytes) => bytes_rejection(bytes),
        JsonRejection::JsonSyntaxError(e) => {
            ServiceError::BadInput(format!("the body is not valid json: {}", detail(e)))
        }
        other => ServiceError::BadInput(format!("bad json body: {}", detail(other))),
    }
}

/// Maps a failure to read the body.
pub(crate) fn bytes_rejection(rejection: &BytesRejection) -> ServiceError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ServiceError::TooLarge
    } else {
        ServiceError::BadInput(format!("cannot read the body: {}", detail(rejection)))
    }
}

/// Query parameters; bad ones are a 400 `bad_input`.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<QueryParams<T>, ServiceError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(QueryParams(value)),
            Err(rejection) => Err(query_rejection(&rejection)),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> ServiceError {
    ServiceError::BadInput(format!("bad query: {}", detail(rejection)))
}

/// A tag id given as the rest of the path (`/v1/taxonomy/tags/products:apparel/shoes`).
pub struct PathTagId(pub TagId);

impl<S: Send + Sync> FromRequestParts<S> for PathTagId {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<PathTagId, ServiceError> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e: PathRejection| ServiceError::BadInput(format!("bad path: {}", detail(&e))))?;
        Ok(PathTagId(tag_id(&text)?))
    }
}

/// Path parameters; bad ones are a 400 `bad_input`.
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<PathParams<T>, ServiceError> {
        let Path(value) = Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e: PathRejection| ServiceError::BadInput(format!("bad path: {}", detail(&e))))?;
        Ok(PathParams(value))
    }
}
