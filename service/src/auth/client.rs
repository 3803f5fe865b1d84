//! The client check of both grants: a known, active integration and one of its secrets that
//! has not expired.

use smart_tags_credentials::secret::verify_secret;

use super::error::AuthError;
use super::server::AuthServer;
use crate::store::{Integration, IntegrationStatus};

/// Longest client id or secret read, in bytes.
const MAX_CREDENTIAL_BYTES: usize = 256;

/// The one answer to an unknown client id and to a wrong secret, so that the answer does not say
/// whether a client id exists (the log says which).
const REFUSED: &str = "unknown client id, or a wrong or expired client secret";

impl AuthServer {
    /// The integration of `client_id` when `client_secret` is one of its valid secrets.
    pub fn authenticate_client(&self, client_id: &str, client_secret: &str) -> Result<Integration, AuthError> {
        if client_id.len() > MAX_CREDENTIAL_BYTES || client_secret.len() > MAX_CREDENTIAL_BYTES {
            return Err(AuthError::InvalidClient(REFUSED.to_owned()));
        }
        let Some(integration) = self.store.integration(client_id)? else {
            tracing::info!(reason = "unknown client id", "client credentials refused");
            return Err(AuthError::InvalidClient(REFUSED.to_owned()));
        };
        let now = self.now();
        // Every valid secret is compared, so the time taken does not say which one matched.
        let matched = integration
            .secrets
            .iter()
            .filter(|s| s.is_valid_at(now))
            .fold(false, |found, s| verify_secret(client_secret, &s.hash) | found);
        if !matched {
            tracing::info!(client_id = %integration.client_id, reason = "wrong or expired client secret", "client credentials refused");
            return Err(AuthError::InvalidClient(REFUSED.to_owned()));
        }
        // Said only to a caller holding a valid secret.
        if integration.status == IntegrationStatus::Revoked {
            return Err(AuthError::InvalidClient("the integration is revoked".to_owned()));
        }
        Ok(integration)
    }
}
