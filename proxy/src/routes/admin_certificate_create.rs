//! `POST /api/v1/admin/certificates` (admin token): JSON `{algorithm?, validity_days?,
//! common_name?}` (the defaults of `cert create`: rsa-2048, 365 days, `smart-tags-proxy`) makes a
//! key pair and its certificate; answers the new entry of the list. The first one becomes active,
//! a later one waits as next; a second next is refused with 409 `certificate_conflict`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use smart_tags_credentials::KeyAlgorithm;

use super::admin::authorize;
use super::certificate_store::{now, with_store};
use crate::error::{ErrorResponse, ProxyError};
use crate::keys::{CertificateInfo, CreateOptions, KeyStoreError};
use crate::{request_id, AppState};

/// The largest request body.
pub const MAX_BYTES: usize = 4096;
/// The longest common name.
const MAX_COMMON_NAME: usize = 64;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    algorithm: Option<String>,
    validity_days: Option<u32>,
    common_name: Option<String>,
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CertificateInfo>), ErrorResponse> {
    // The token first: an unauthorized caller learns nothing about the body's rules.
    authorize(&state, &headers).map_err(|e| e.with_request_id(request_id()))?;
    let options = options(body).map_err(|e| e.with_request_id(request_id()))?;
    let info = with_store(&state, &headers, move |store| {
        let id = store.create(&options, now())?;
        store.list(now())?.into_iter().find(|c| c.id == id).ok_or(KeyStoreError::UnknownCertificate(id))
    })
    .await?;
    tracing::info!(id = %info.id, status = ?info.status, algorithm = info.algorithm, "certificate created from the admin page");
    Ok((StatusCode::CREATED, Json(info)))
}

fn options(body: Result<Bytes, BytesRejection>) -> Result<CreateOptions, ProxyError> {
    let body = body.map_err(|_| ProxyError::TooLarge { limit: MAX_BYTES })?;
    let request: CreateRequest = if body.iter().all(u8::is_ascii_whitespace) {
        CreateRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| {
            ProxyError::InvalidCertificateRequest(
                "send json {algorithm, validity_days, common_name}, each optional".to_owned(),
            )
        })?
    };
    let defaults = CreateOptions::default();
    let algorithm = match request.algorithm.as_deref().map(str::trim) {
        None | Some("") => defaults.algorithm,
        Some(text) => KeyAlgorithm::parse(text).ok_or_else(|| {
            ProxyError::InvalidCertificateRequest("algorithm must be rsa-2048, rsa-3072, rsa-4096 or p256".to_owned())
        })?,
    };
    let common_name = match request.common_name.as_deref().map(str::trim) {
        None | Some("") => defaults.common_name,
        Some(name) if name.chars().count() <= MAX_COMMON_NAME && !name.chars().any(char::is_control) => name.to_owned(),
        Some(_) => {
            return Err(ProxyError::InvalidCertificateRequest(format!(
                "common_name must be 1 to {MAX_COMMON_NAME} printable characters"
            )))
        }
    };
    Ok(CreateOptions { algorithm, validity_days: request.validity_days.unwrap_or(defaults.validity_days), common_name })
}
