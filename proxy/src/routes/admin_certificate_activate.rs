//! `POST /api/v1/admin/certificates/{id}/activate` (admin token): the proxy signs with `id` from its
//! next token refresh, like `cert activate ID`; the previous one stays, inactive, until retired.
//! Refused (409 `certificate_not_registered`) when the authorization server does not accept a
//! JWT signed with it, and 503 `certificate_unchecked` when it cannot be asked
//! (`token::registration`): activating it would break every token refresh. Answers the list.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;

use super::certificate_store::{now, with_registration, with_store};
use crate::error::{ErrorResponse, ProxyError};
use crate::keys::CertificateInfo;
use crate::token::registration::{self, RegistrationError};
use crate::{request_id, AppState};

pub async fn activate(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<CertificateInfo>>, ErrorResponse> {
    let candidate = {
        let id = id.clone();
        with_store(&state, &headers, move |store| store.candidate(&id)).await?
    };
    match registration::check(&state.health.auth, &candidate, state.health.timeout).await {
        Ok(found) => tracing::info!(id = %id, ?found, "certificate checked with the authorization server"),
        Err(refused @ RegistrationError::Refused { .. }) => {
            return Err(ProxyError::CertificateNotRegistered(refused.to_string()).with_request_id(request_id()))
        }
        Err(unchecked) => {
            return Err(ProxyError::CertificateUnchecked(unchecked.to_string()).with_request_id(request_id()))
        }
    }
    let list = with_store(&state, &headers, move |store| {
        store.activate(&id)?;
        tracing::info!(id = %id, "certificate activated from the admin page");
        store.list(now())
    })
    .await?;
    Ok(Json(with_registration(&state, list).await))
}
