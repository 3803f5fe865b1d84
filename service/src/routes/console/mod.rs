//! The console (the self-hosted "developer console"): integrations registered, listed, shown,
//! their certificates added and removed, secrets rotated, integrations revoked. Every route needs
//! the admin bearer ([`crate::auth::admin::Admin`]); errors are the service's `{code, message}`.

pub mod add_certificate;
pub mod create;
pub mod list;
pub mod remove_certificate;
pub mod revoke;
pub mod rotate_secret;
pub mod show;

use std::sync::Arc;

use crate::auth::issuing::IssueError;
use crate::auth::AuthServer;
use crate::error::ServiceError;

/// Runs a console call on the blocking pool (it reads and writes the store).
pub(crate) async fn on_auth<T: Send + 'static>(
    auth: &Arc<AuthServer>,
    call: impl FnOnce(&AuthServer) -> Result<T, IssueError> + Send + 'static,
) -> Result<T, ServiceError> {
    let auth = Arc::clone(auth);
    tokio::task::spawn_blocking(move || call(&auth))
        .await
        .map_err(|_| ServiceError::Internal)?
        .map_err(ServiceError::from)
}
