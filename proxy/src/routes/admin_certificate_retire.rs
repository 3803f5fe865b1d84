//! `POST /api/v1/admin/certificates/{id}/retire` (admin token): deletes the private key and keeps
//! the certificate for the record, like `cert retire ID`; never the active one (409). When the
//! proxy holds the console token, the certificate also leaves the integration (`token::console`;
//! a console that fails is logged, and the list still marks it registered). Answers the list.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;

use super::certificate_store::{now, with_registration, with_store};
use crate::error::ErrorResponse;
use crate::keys::CertificateInfo;
use crate::token::console::Console;
use crate::AppState;

pub async fn retire(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<CertificateInfo>>, ErrorResponse> {
    let retired = id.clone();
    let list = with_store(&state, &headers, move |store| {
        store.retire(&id)?;
        tracing::info!(id = %id, "certificate retired from the admin page");
        store.list(now())
    })
    .await?;
    if let Ok(console) = Console::of(&state.health.auth, state.health.timeout) {
        match console.unregister(&retired).await {
            Ok(()) => tracing::info!(id = %retired, "retired certificate removed from the integration"),
            Err(error) => {
                tracing::warn!(id = %retired, %error, "cannot remove the retired certificate from the integration")
            }
        }
    }
    Ok(Json(with_registration(&state, list).await))
}
