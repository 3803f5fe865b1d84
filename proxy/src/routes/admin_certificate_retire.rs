//! `POST /api/v1/admin/certificates/{id}/retire` (admin token): deletes the private key and keeps
//! the certificate for the record, like `cert retire ID`; never the active one (409). Answers the
//! list.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;

use super::certificate_store::{now, with_store};
use crate::error::ErrorResponse;
use crate::keys::CertificateInfo;
use crate::AppState;

pub async fn retire(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<CertificateInfo>>, ErrorResponse> {
    let list = with_store(&state, &headers, move |store| {
        store.retire(&id)?;
        tracing::info!(id = %id, "certificate retired from the admin page");
        store.list(now())
    })
    .await?;
    Ok(Json(list))
}
