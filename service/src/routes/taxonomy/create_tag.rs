//! `POST /v1/taxonomy/tags` with a tag (`{"id", "titles", "synonyms"?, "description"?}`): creates
//! it; its parent must exist. Answers 201 with the tag and the new taxonomy version.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use smart_tags_core::taxonomy::Tag;

use crate::error::ServiceError;
use crate::routes::support::{on_store, Actor, JsonBody};
use crate::store::Store;

/// The answer of the tag-changing routes.
#[derive(Debug, Serialize)]
pub struct TagChanged {
    pub version: i64,
    pub tag: Tag,
}

pub async fn create_tag(
    State(store): State<Arc<Store>>,
    actor: Actor,
    JsonBody(tag): JsonBody<Tag>,
) -> Result<Response, ServiceError> {
    let created = tag.clone();
    let version = on_store(&store, move |s| s.create_tag(created, &actor.0)).await?;
    let location = format!("/v1/taxonomy/tags/{}", tag.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(TagChanged { version, tag })).into_response())
}
