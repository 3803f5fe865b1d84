//! `DELETE /console/integrations/{client_id}/certificates/{certificate_id}`: removes one
//! certificate (its id, or its whole fingerprint); never the last one.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::{on_auth, ConsoleRefusal};
use crate::auth::admin::ConsoleCaller;
use crate::auth::issuing::IntegrationView;
use crate::auth::AuthServer;
use crate::routes::support::PathParams;

pub async fn remove_certificate(
    caller: ConsoleCaller,
    State(auth): State<Arc<AuthServer>>,
    PathParams((client_id, certificate_id)): PathParams<(String, String)>,
) -> Result<Json<IntegrationView>, ConsoleRefusal> {
    caller.may_manage_certificates_of(&client_id)?;
    Ok(Json(on_auth(&auth, move |auth| auth.remove_certificate(&client_id, &certificate_id)).await?))
}
