//! [`ImageUpload`]: the body of the back-end routes that take an image's bytes, charged to the
//! image memory budget ([`super::memory`]) by its `Content-Length` before it is read (the file
//! limit when it has none), and holding that charge until the handler is done with it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};

use super::error::BackendError;
use super::memory::{Charge, Wait};
use super::tagging::max_image_bytes;
use super::Backend;

#[derive(Debug)]
pub struct ImageUpload {
    pub bytes: Bytes,
    /// Given back when the upload is dropped.
    pub charge: Charge,
}

fn too_large() -> BackendError {
    BackendError::TooLarge(format!("the file is larger than {} bytes", max_image_bytes()))
}

impl FromRequest<Arc<Backend>> for ImageUpload {
    type Rejection = BackendError;

    async fn from_request(request: Request, backend: &Arc<Backend>) -> Result<ImageUpload, BackendError> {
        let limit = max_image_bytes() as u64;
        let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let charge = backend.memory.body(declared.unwrap_or(limit), Wait::Bounded).await?;
        // The route's `DefaultBodyLimit` (the file limit) bounds what is read.
        let bytes = Bytes::from_request(request, &()).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                BackendError::BadRequest("the request body could not be read".to_owned())
            }
        })?;
        Ok(ImageUpload { bytes, charge })
    }
}
