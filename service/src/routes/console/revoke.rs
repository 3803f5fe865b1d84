//! `POST /console/integrations/{client_id}/revoke`: revokes an integration; its access tokens
//! stop working at once and it gets no new ones.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::on_auth;
use crate::auth::admin::Admin;
use crate::auth::issuing::IntegrationView;
use crate::auth::AuthServer;
use crate::error::ServiceError;
use crate::routes::support::PathParams;

pub async fn revoke(
    _: Admin,
    State(auth): State<Arc<AuthServer>>,
    PathParams(client_id): PathParams<String>,
) -> Result<Json<IntegrationView>, ServiceError> {
    Ok(Json(on_auth(&auth, move |auth| auth.revoke(&client_id)).await?))
}
