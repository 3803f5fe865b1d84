//! [`ImageUpload`]: the body of the back-end routes that take an image's bytes, charged to the
//! image memory budget ([`super::memory`]) by its `Content-Length` before it is read (the file
//! limit when it has none), read into one buffer of that size, and holding that charge until
//! the decode is done with it.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header;
use bytes::BytesMut;
use http_body_util::BodyExt;

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
        let bytes = read_body(request.into_body(), declared.unwrap_or(limit)).await?;
        Ok(ImageUpload { bytes, charge })
    }
}

/// Reads the frames into one buffer of `capacity` bytes (nothing is copied a second time),
/// refusing more than the file limit. A body that breaks off or stalls past the body timeout is
/// the caller's mistake: 400.
async fn read_body(body: Body, capacity: u64) -> Result<Bytes, BackendError> {
    let limit = max_image_bytes();
    let mut body = body;
    let mut buffer = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(limit).min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BackendError::BadRequest("the request body could not be read".to_owned()))?;
        if let Some(data) = frame.data_ref() {
            if buffer.len() + data.len() > limit {
                return Err(too_large());
            }
            buffer.extend_from_slice(data);
        }
    }
    Ok(buffer.freeze())
}
