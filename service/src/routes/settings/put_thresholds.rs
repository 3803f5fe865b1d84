//! `PUT /v1/settings/thresholds` with the whole thresholds object (missing fields take their
//! defaults): `min_confidence` 0 to 1, `max_tags` 1 to 200, `per_tag` values 0 to 1. Answers the
//! stored thresholds with the new settings version in `x-smart-tags-settings-version`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderName;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::VERSION_HEADER;
use crate::error::ServiceError;
use crate::routes::support::{on_store, Actor, JsonBody};
use crate::store::{Store, Thresholds};

pub async fn put_thresholds(
    State(store): State<Arc<Store>>,
    actor: Actor,
    JsonBody(thresholds): JsonBody<Thresholds>,
) -> Result<Response, ServiceError> {
    let stored = thresholds.clone();
    let version = on_store(&store, move |s| s.set_thresholds(&stored, &actor.0)).await?;
    Ok(([(HeaderName::from_static(VERSION_HEADER), version.to_string())], Json(thresholds)).into_response())
}
