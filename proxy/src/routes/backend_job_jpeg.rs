//! `GET /api/v1/backend/jobs/{id}/assets/{asset_id}/jpeg`: a copy of the spooled JPEG with the
//! asset's final tags embedded as XMP (core's `xmp_jpeg::embed`; the image data untouched).

use std::sync::Arc;

use crate::backend::error::BackendError;
use crate::backend::export::{asset, jpeg_with_xmp};
use crate::backend::extract::BackendPath;
use crate::backend::Backend;
use axum::extract::State;
use axum::response::Response;

pub async fn jpeg(
    State(backend): State<Arc<Backend>>,
    BackendPath((id, asset_id)): BackendPath<(String, String)>,
) -> Result<Response, BackendError> {
    let (item, result) = backend
        .jobs
        .call({
            let asset_id = asset_id.clone();
            move |store| {
                store.known_job(&id)?;
                store.item_by_asset(&id, &asset_id)?.ok_or(BackendError::UnknownAsset(asset_id))
            }
        })
        .await?;
    let result = result.ok_or_else(|| BackendError::Conflict(format!("asset {asset_id} has no result yet")))?;
    let hash = item
        .content_hash
        .filter(|_| item.spooled)
        .ok_or_else(|| BackendError::Conflict(format!("asset {asset_id} has no uploaded file in this job")))?;
    let bytes = backend
        .spool
        .read(&hash)
        .await
        .ok_or_else(|| BackendError::Conflict(format!("the file of asset {asset_id} is no longer in the spool")))?;
    let one = asset(&asset_id, Some(&hash), result.get("tags").filter(|t| !t.is_null()), result.get("text"));
    jpeg_with_xmp(&bytes, &one).map_err(|e| match e {
        BackendError::BadImage(message) => {
            BackendError::BadImage(format!("asset {asset_id} is not a jpeg the xmp can be embedded in: {message}"))
        }
        other => other,
    })
}
