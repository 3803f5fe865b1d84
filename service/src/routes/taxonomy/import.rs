//! `PUT /v1/taxonomy?format=json|csv|skos&mode=replace|merge`: imports a whole taxonomy, all or nothing.
//! `mode` defaults to `replace` (the body becomes the whole taxonomy); `merge` adds and updates
//! the given tags and keeps the others. Answers what changed and the new taxonomy version; an
//! invalid taxonomy is a 422 `invalid_taxonomy` listing every problem, and nothing changes. The
//! body may be up to 10 MiB ([`super::IMPORT_BODY_LIMIT`]). An import that changes more than
//! [`crate::linker::BACKGROUND_RELINK_TAGS`] tags answers 202 without waiting for the relinking.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::TaxonomyFormat;
use crate::error::ServiceError;
use crate::linker::RelinkInBackground;
use crate::routes::support::{bytes_rejection, on_store, Actor, QueryParams};
use crate::store::{ImportMode, Store, StoreError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default)]
    pub format: TaxonomyFormat,
    #[serde(default)]
    pub mode: ImportMode,
}

pub async fn import(
    State(store): State<Arc<Store>>,
    actor: Actor,
    QueryParams(query): QueryParams<ImportQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ServiceError> {
    let format = query.format;
    let body = body.map_err(|e| bytes_rejection(&e))?;
    let summary = on_store(&store, move |s| {
        let text = std::str::from_utf8(&body)
            .map_err(|e| StoreError::BadValue(format!("the taxonomy is not utf-8 text: {e}")))?;
        let taxonomy = super::parse_taxonomy(format, text).map_err(StoreError::Invalid)?;
        s.import_taxonomy(&taxonomy, query.mode, &actor.0)
    })
    .await?;
    // A large import does not wait for its relinking (the first linking of thousands of new tags
    // embeds each one's texts: minutes on two cores): 202, and the links follow.
    if summary.added + summary.updated + summary.removed > crate::linker::BACKGROUND_RELINK_TAGS {
        return Ok((StatusCode::ACCEPTED, Extension(RelinkInBackground), Json(summary)).into_response());
    }
    Ok(Json(summary).into_response())
}
