//! `GET /api/v1/admin/certificates/{id}` (admin token): the certificate's PEM as a download
//! (`application/x-pem-file`, attachment `<id>.crt`), what `cert download ID` writes. The public
//! certificate only, never the private key.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::certificate_store::with_store;
use crate::error::ErrorResponse;
use crate::AppState;

pub async fn download(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    // The store checks the id (16 hex digits) before any file is read, so it is safe in a header.
    let (id, pem) = with_store(&state, &headers, move |store| store.download(Some(&id))).await?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{id}.crt\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/x-pem-file")),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pem,
    )
        .into_response())
}
