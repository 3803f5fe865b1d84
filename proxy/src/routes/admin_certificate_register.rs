//! `POST /api/v1/admin/certificates/{id}/register` (admin token): adds the certificate to the
//! integration the proxy signs for, through the authorization server's console
//! (`token::console`, needs SMART_TAGS_CONSOLE_TOKEN_FILE: 409 `console_not_configured`
//! otherwise), as `smart-tags-service integration add-certificate` does; then it can be activated.
//! A retired certificate is refused (409). Answers the list, each certificate marked registered
//! or not.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;

use super::certificate_store::{now, with_registration, with_store};
use crate::error::{ErrorResponse, ProxyError};
use crate::keys::{CertificateInfo, CertificateStatus, KeyStoreError};
use crate::token::console::{Console, ConsoleError};
use crate::{request_id, AppState};

pub async fn register(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<CertificateInfo>>, ErrorResponse> {
    let pem = {
        let id = id.clone();
        with_store(&state, &headers, move |store| {
            let info = store.list(now())?.into_iter().find(|c| c.id == id);
            match info {
                None => Err(KeyStoreError::UnknownCertificate(id)),
                Some(info) if info.status == CertificateStatus::Retired => Err(KeyStoreError::Retired(id)),
                Some(_) => Ok(store.download(Some(&id))?.1),
            }
        })
        .await?
    };
    let console = Console::of(&state.health.auth, state.health.timeout).map_err(console_error)?;
    console.register(&pem).await.map_err(console_error)?;
    tracing::info!(id = %id, "certificate registered for the integration from the admin page");
    let list = with_store(&state, &headers, |store| store.list(now())).await?;
    Ok(Json(with_registration(&state, list).await))
}

fn console_error(error: ConsoleError) -> ErrorResponse {
    let proxy_error = match &error {
        ConsoleError::NotConfigured => ProxyError::ConsoleNotConfigured(error.to_string()),
        ConsoleError::Refused { status: 409, message } if !message.is_empty() => {
            ProxyError::CertificateConflict(message.clone())
        }
        ConsoleError::Refused { status: 409, .. } => {
            ProxyError::CertificateConflict("the integration already lists this certificate".to_owned())
        }
        ConsoleError::Refused { .. } => {
            tracing::warn!(%error, "the console did not register the certificate");
            ProxyError::ConsoleFailed(error.to_string())
        }
        // The service's address stays in the log (the browser never learns it).
        ConsoleError::Unreachable { .. } => {
            tracing::warn!(%error, "the console did not register the certificate");
            ProxyError::ConsoleFailed(
                "the authorization server's console cannot be reached: the proxy's log says why".to_owned(),
            )
        }
    };
    proxy_error.with_request_id(request_id())
}
