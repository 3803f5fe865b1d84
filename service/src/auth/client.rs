//! The client check of both grants: a known, active integration and one of its secrets that
//! has not expired.

use smart_tags_credentials::secret::verify_secret;

use super::error::AuthError;
use super::server::AuthServer;
use crate::store::{Integration, IntegrationStatus};

/// Longest client id or secret read, in bytes.
const MAX_CREDENTIAL_BYTES: usize = 256;

impl AuthServer {
    /// The integration of `client_id` when `client_secret` is one of its valid secrets.
    pub fn authenticate_client(&self, client_id: &str, client_secret: &str) -> Result<Integration, AuthError> {
        if client_id.len() > MAX_CREDENTIAL_BYTES || client_secret.len() > MAX_CREDENTIAL_BYTES {
            return Err(AuthError::InvalidClient("unknown client id or wrong client secret".to_owned()));
        }
        let Some(integration) = self.store.integration(client_id)? else {
            return Err(AuthError::InvalidClient("unknown client id".to_owned()));
        };
        if integration.status == IntegrationStatus::Revoked {
            return Err(AuthError::InvalidClient("the integration is revoked".to_owned()));
        }
        let now = self.now();
        // Every valid secret is compared, so the time taken does not say which one matched.
        let matched = integration.secrets.iter().filter(|s| s.is_valid_at(now)).fold(false, |found, s| verify_secret(client_secret, &s.hash) | found);
        if !matched {
            return Err(AuthError::InvalidClient("wrong or expired client secret".to_owned()));
        }
        Ok(integration)
    }
}
