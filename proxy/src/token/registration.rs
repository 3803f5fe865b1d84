//! Whether the authorization server accepts a certificate of the key store, asked before the
//! proxy signs with it: a JWT signed with that key is exchanged once (the access token is
//! dropped). Activating a certificate the integration does not list would make every token
//! refresh fail from then on (Check Health's "exchange accepted" step), so the admin page and
//! `cert activate` refuse it.

use std::time::Duration;

use super::{assertion, exchange, unix_now, RetryPolicy, TokenError};
use crate::config::auth::{AuthConfig, Grant};
use crate::keys::ActiveKey;

/// What the check found, when it does not refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// The authorization server issued a token for a JWT signed with the key.
    Accepted,
    /// The proxy signs nothing with this grant (client credentials, none): any certificate does.
    NotSigned,
    /// No integration is configured yet (no JWT payload): there is nothing to check against.
    NotConfigured,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("the authorization server refuses a jwt signed with certificate {id} ({reason}): register the certificate for the integration first (smart-tags-service integration add-certificate, or its console), then activate it; if the reason names the client secret or api key, fix those instead")]
    Refused { id: String, reason: String },
    #[error(
        "cannot check certificate {id} with the authorization server ({reason}): activate it once the server answers"
    )]
    Unchecked { id: String, reason: String },
}

/// Exchanges one JWT signed with `key`, as `auth` would sign it, trying once.
pub async fn check(auth: &AuthConfig, key: &ActiveKey, timeout: Duration) -> Result<Registration, RegistrationError> {
    if auth.grant != Grant::Jwt {
        return Ok(Registration::NotSigned);
    }
    let Some(payload) = &auth.jwt_payload else {
        return Ok(Registration::NotConfigured);
    };
    let unchecked = |reason: String| RegistrationError::Unchecked { id: key.id.clone(), reason };
    let jwt = assertion::sign(payload, key, unix_now()).map_err(|e| unchecked(e.to_string()))?;
    let client = reqwest::Client::builder().timeout(timeout).build().map_err(|e| unchecked(e.to_string()))?;
    let once = RetryPolicy { tries: 1, ..RetryPolicy::default() };
    match exchange::request(&client, auth, Some(&jwt), once).await {
        Ok(_) => Ok(Registration::Accepted),
        Err(refused @ TokenError::Rejected { .. }) => {
            Err(RegistrationError::Refused { id: key.id.clone(), reason: refused.to_string() })
        }
        Err(other) => Err(unchecked(other.to_string())),
    }
}
