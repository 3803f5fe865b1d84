//! What the certificate routes share: the admin check, running a key store operation off the
//! async workers (files, and RSA key generation, are blocking work), and turning a
//! [`KeyStoreError`] into the browser's error. Paths and key material stay in the log.

use std::sync::Arc;

use axum::http::HeaderMap;

use super::admin::authorize;
use crate::error::{ErrorResponse, ProxyError};
use crate::keys::{CertificateInfo, KeyStore, KeyStoreError};
use crate::token::console::Console;
use crate::{request_id, AppState};

/// Checks the admin token, then runs `operation` on the proxy's key store in `spawn_blocking`.
pub(crate) async fn with_store<T, F>(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    operation: F,
) -> Result<T, ErrorResponse>
where
    T: Send + 'static,
    F: FnOnce(&KeyStore) -> Result<T, KeyStoreError> + Send + 'static,
{
    authorize(state, headers).map_err(|e| e.with_request_id(request_id()))?;
    let store = state.keys.clone();
    let result = tokio::task::spawn_blocking(move || operation(&store)).await;
    let id = request_id();
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(store_error(error).with_request_id(id)),
        Err(join) => {
            tracing::error!(request_id = %id, error = %join, "a key store operation did not finish");
            Err(ProxyError::KeyStoreFailed.with_request_id(id))
        }
    }
}

/// The browser's view of a key store error.
fn store_error(error: KeyStoreError) -> ProxyError {
    match error {
        KeyStoreError::UnknownCertificate(id) => ProxyError::UnknownCertificate(id),
        KeyStoreError::Empty => ProxyError::NoCertificate,
        KeyStoreError::Credential(smart_tags_credentials::CredentialError::Validity(days)) => {
            ProxyError::CertificateValidity(days)
        }
        e @ (KeyStoreError::NextTaken(_) | KeyStoreError::Retired(_) | KeyStoreError::RetireActive(_)) => {
            ProxyError::CertificateConflict(e.to_string())
        }
        e @ (KeyStoreError::PassphraseNeeded(_) | KeyStoreError::WrongPassphrase(_)) => {
            ProxyError::CertificateConflict(e.to_string())
        }
        other => {
            // Paths and reasons are for the administrator's log only; never key material.
            tracing::error!(error = %other, "key store operation failed");
            ProxyError::KeyStoreFailed
        }
    }
}

/// Marks each certificate of `list` registered or not, when the proxy can ask the integration's
/// console (`token::console`); left unmarked when it cannot (logged), so a console that is down
/// never hides the list.
pub(crate) async fn with_registration(state: &AppState, mut list: Vec<CertificateInfo>) -> Vec<CertificateInfo> {
    let Ok(console) = Console::of(&state.health.auth, state.health.timeout) else { return list };
    match console.registered().await {
        Ok(registered) => {
            for certificate in &mut list {
                certificate.registered = Some(registered.contains(&certificate.id));
            }
        }
        Err(error) => tracing::warn!(%error, "cannot read the integration's certificates from the console"),
    }
    list
}

/// Seconds since the epoch (a clock before 1970 counts as 0).
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
