//! The console's admin bearer: the configured admin token, compared in constant time (as
//! SHA-256 digests, so not even its length shows). No admin token: the console is off (404).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use smart_tags_credentials::secret::constant_time_eq;
use smart_tags_credentials::sha256;

use super::error::AccessError;
use super::middleware::bearer;
use super::server::AuthServer;

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
