//! The console (the self-hosted "developer console"): integrations registered, listed, shown,
//! their certificates added and removed, secrets rotated, integrations revoked. Every route needs
//! the admin bearer ([`crate::auth::admin::Admin`]), but for `show`, `add_certificate` and
//! `remove_certificate`, which an integration's certificate token opens too for that integration
//! ([`crate::auth::admin::ConsoleCaller`]); `certificate_token` makes one. Errors are the
//! service's `{code, message}`.

pub mod add_certificate;
pub mod certificate_token;
pub mod create;
pub mod list;
pub mod remove_certificate;
pub mod revoke;
pub mod rotate_secret;
pub mod show;

use std::sync::Arc;

use axum::response::{IntoResponse, Response};

use crate::auth::issuing::IssueError;
use crate::auth::AccessError;
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

/// Why a route a certificate token may open refused: the caller (401/403), or the console action.
#[derive(Debug)]
pub enum ConsoleRefusal {
    Access(AccessError),
    Service(ServiceError),
}

impl From<AccessError> for ConsoleRefusal {
    fn from(error: AccessError) -> ConsoleRefusal {
        ConsoleRefusal::Access(error)
    }
}

impl From<ServiceError> for ConsoleRefusal {
    fn from(error: ServiceError) -> ConsoleRefusal {
        ConsoleRefusal::Service(error)
    }
}

impl IntoResponse for ConsoleRefusal {
    fn into_response(self) -> Response {
        match self {
            ConsoleRefusal::Access(error) => error.into_response(),
            ConsoleRefusal::Service(error) => error.into_response(),
        }
    }
}
