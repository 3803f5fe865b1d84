//! `POST /api/v1/backend/assets/xmp-jpeg?asset_id=..` with a JPEG's bytes: the same JPEG with
//! the asset's final tags (from the service) embedded as XMP.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::backend_asset_export::final_tags;
use crate::backend::error::BackendError;
use crate::backend::export::jpeg_with_xmp;
use crate::backend::extract::BackendQuery;
use crate::backend::upload::ImageUpload;
use crate::backend::Backend;

#[derive(Debug, Deserialize)]
pub struct XmpJpegQuery {
    asset_id: Option<String>,
    content_hash: Option<String>,
}

pub async fn xmp_jpeg(
    State(backend): State<Arc<Backend>>,
    BackendQuery(query): BackendQuery<XmpJpegQuery>,
    upload: ImageUpload,
) -> Result<Response, BackendError> {
    let one = final_tags(&backend, query.asset_id.as_deref(), query.content_hash.as_deref()).await?;
    jpeg_with_xmp(&upload.bytes, &one)
}
