//! `GET /api/v1/admin/certificates` (admin token): the key store's certificates, the same JSON as
//! `smart-tags-proxy cert list --json`. Public data only, never a private key.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

use super::certificate_store::{now, with_registration, with_store};
use crate::error::ErrorResponse;
use crate::keys::CertificateInfo;
use crate::AppState;

pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Vec<CertificateInfo>>, ErrorResponse> {
    let list = with_store(&state, &headers, |store| store.list(now())).await?;
    Ok(Json(with_registration(&state, list).await))
}
