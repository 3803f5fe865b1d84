//! `POST /api/v1/backend/assets/xmp-jpeg?asset_id=..` with a JPEG's bytes: the same JPEG with
//! the asset's final tags (from the service) embedded as XMP.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::backend_asset_export::final_tags;
use super::backend_asset_tag::body_bytes;
use crate::backend::error::BackendError;
use crate::backend::export::jpeg_with_xmp;
use crate::backend::Backend;

#[derive(Debug, Deserialize)]
pub struct XmpJpegQuery {
    asset_id: Option<String>,
    content_hash: Option<String>,
}

pub async fn xmp_jpeg(State(backend): State<Arc<Backend>>, Query(query): Query<XmpJpegQuery>, body: Result<Bytes, BytesRejection>) -> Result<Response, BackendError> {
    let body = body_bytes(body)?;
    let one = final_tags(&backend, query.asset_id.as_deref(), query.content_hash.as_deref()).await?;
    jpeg_with_xmp(&body, &one)
}
