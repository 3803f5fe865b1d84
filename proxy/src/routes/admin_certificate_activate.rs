//! `POST /api/v1/admin/certificates/{id}/activate` (admin token): the proxy signs with `id` from its
//! next token refresh, like `cert activate ID`; the previous one stays, inactive, until retired.
//! Answers the list.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;

use super::certificate_store::{now, with_store};
use crate::error::ErrorResponse;
use crate::keys::CertificateInfo;
use crate::AppState;

pub async fn activate(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Result<Json<Vec<CertificateInfo>>, ErrorResponse> {
    let list = with_store(&state, &headers, move |store| {
        store.activate(&id)?;
        tracing::info!(id = %id, "certificate activated from the admin page");
        store.list(now())
    })
    .await?;
    Ok(Json(list))
}
