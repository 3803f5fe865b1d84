//! `GET /console/integrations/{client_id}`: one integration.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::{on_auth, ConsoleRefusal};
use crate::auth::admin::ConsoleCaller;
use crate::auth::issuing::IntegrationView;
use crate::auth::AuthServer;
use crate::routes::support::PathParams;

pub async fn show(
    caller: ConsoleCaller,
    State(auth): State<Arc<AuthServer>>,
    PathParams(client_id): PathParams<String>,
) -> Result<Json<IntegrationView>, ConsoleRefusal> {
    caller.may_manage_certificates_of(&client_id)?;
    Ok(Json(on_auth(&auth, move |auth| auth.integration(&client_id)).await?))
}
