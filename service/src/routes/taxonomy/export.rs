//! `GET /v1/taxonomy?format=json`: the whole taxonomy in an import format; the taxonomy version
//! is in the `x-smart-tags-taxonomy-version` header.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderName;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use smart_tags_core::taxonomy::json;

use super::{TaxonomyFormat, VERSION_HEADER};
use crate::error::ServiceError;
use crate::routes::support::{on_store, QueryParams};
use crate::store::Store;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: TaxonomyFormat,
}

pub async fn export(State(store): State<Arc<Store>>, QueryParams(query): QueryParams<ExportQuery>) -> Result<Response, ServiceError> {
    if query.format != TaxonomyFormat::Json {
        return Err(query.format.unsupported());
    }
    let (taxonomy, version) = on_store(&store, Store::taxonomy_with_version).await?;
    let headers = [(CONTENT_TYPE, "application/json".to_owned()), (HeaderName::from_static(VERSION_HEADER), version.to_string())];
    Ok((headers, json::export(&taxonomy)).into_response())
}
