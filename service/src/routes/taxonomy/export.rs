//! `GET /v1/taxonomy?format=json|csv|skos`: the whole taxonomy in an import format; the taxonomy version
//! is in the `x-smart-tags-taxonomy-version` header.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderName;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use smart_tags_core::taxonomy::{csv, json, skos};

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

pub async fn export(
    State(store): State<Arc<Store>>,
    QueryParams(query): QueryParams<ExportQuery>,
) -> Result<Response, ServiceError> {
    let (taxonomy, version) = on_store(&store, Store::taxonomy_with_version).await?;
    let (content_type, body) = match query.format {
        TaxonomyFormat::Json => ("application/json", json::export(&taxonomy)),
        TaxonomyFormat::Csv => ("text/csv; charset=utf-8", csv::export(&taxonomy)),
        TaxonomyFormat::Skos => ("text/turtle; charset=utf-8", skos::export(&taxonomy, &skos::SkosOptions::default())),
    };
    let headers =
        [(CONTENT_TYPE, content_type.to_owned()), (HeaderName::from_static(VERSION_HEADER), version.to_string())];
    Ok((headers, body).into_response())
}
