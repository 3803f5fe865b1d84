//! The console's bearers: the configured admin token, compared in constant time (as SHA-256
//! digests, so not even its length shows), which opens every console route; and an integration's
//! certificate token, which opens only the routes of that integration's certificates
//! ([`ConsoleCaller`]). No admin token: the console is off (404), for both.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use smart_tags_credentials::secret::{constant_time_eq, verify_secret};
use smart_tags_credentials::sha256;

use super::error::AccessError;
use super::issuing::CERTIFICATE_TOKEN_PREFIX;
use super::middleware::bearer;
use super::server::AuthServer;
use crate::store::IntegrationStatus;

/// A request that carried the admin token.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl AuthServer {
    /// Whether `token` is the admin token. `Err(ConsoleOff)` when there is none.
    pub fn check_admin(&self, token: Option<&str>) -> Result<Admin, AccessError> {
        let Some(expected) = self.config.admin_token.as_deref() else {
            return Err(AccessError::ConsoleOff);
        };
        let Some(token) = token else {
            return Err(AccessError::Unauthorized(
                "the console needs the admin token: Authorization: Bearer <admin token>".to_owned(),
            ));
        };
        if token.starts_with(CERTIFICATE_TOKEN_PREFIX) {
            return Err(AccessError::Forbidden(
                "a certificate token opens only its integration's certificates: this route needs the admin token"
                    .to_owned(),
            ));
        }
        if !constant_time_eq(&sha256(token.as_bytes()), &sha256(expected.as_bytes())) {
            return Err(AccessError::Unauthorized("wrong admin token".to_owned()));
        }
        Ok(Admin)
    }
}

impl FromRequestParts<Arc<AuthServer>> for Admin {
    type Rejection = AccessError;

    async fn from_request_parts(parts: &mut Parts, auth: &Arc<AuthServer>) -> Result<Admin, AccessError> {
        auth.check_admin(bearer(&parts.headers))
    }
}

/// Who called a console route that an integration's certificate token may open too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleCaller {
    /// The admin token: every integration.
    Admin,
    /// The certificate token of this integration: its certificates only.
    Certificates { client_id: String },
}

impl ConsoleCaller {
    /// Refuses (403) a certificate token of another integration than `client_id`.
    pub fn may_manage_certificates_of(&self, client_id: &str) -> Result<(), AccessError> {
        match self {
            ConsoleCaller::Admin => Ok(()),
            ConsoleCaller::Certificates { client_id: own } if own == client_id => Ok(()),
            ConsoleCaller::Certificates { .. } => Err(AccessError::Forbidden(
                "this certificate token opens the certificates of its own integration only".to_owned(),
            )),
        }
    }
}

impl AuthServer {
    /// The admin token, or a certificate token of an active integration.
    pub fn check_console_caller(&self, token: Option<&str>) -> Result<ConsoleCaller, AccessError> {
        let certificate_token = token.and_then(|t| t.strip_prefix(CERTIFICATE_TOKEN_PREFIX)).filter(|t| t.len() <= 256);
        let Some((client_id, _)) = certificate_token.and_then(|t| t.split_once('.')) else {
            return self.check_admin(token).map(|Admin| ConsoleCaller::Admin);
        };
        if self.config.admin_token.is_none() {
            return Err(AccessError::ConsoleOff);
        }
        let refused = || AccessError::Unauthorized("wrong, replaced or revoked certificate token".to_owned());
        let integration = self.store.integration(client_id)?.ok_or_else(refused)?;
        let matches = integration
            .certificate_token_hash
            .as_deref()
            .is_some_and(|hash| token.is_some_and(|token| verify_secret(token, hash)));
        if !matches || integration.status == IntegrationStatus::Revoked {
            return Err(refused());
        }
        Ok(ConsoleCaller::Certificates { client_id: integration.client_id })
    }
}

impl FromRequestParts<Arc<AuthServer>> for ConsoleCaller {
    type Rejection = AccessError;

    async fn from_request_parts(parts: &mut Parts, auth: &Arc<AuthServer>) -> Result<ConsoleCaller, AccessError> {
        let auth = Arc::clone(auth);
        let token = bearer(&parts.headers).map(str::to_owned);
        // It reads the store: on the blocking pool.
        tokio::task::spawn_blocking(move || auth.check_console_caller(token.as_deref()))
            .await
            .map_err(|_| AccessError::Internal)?
    }
}
