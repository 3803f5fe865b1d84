//! `GET /console/integrations`: every integration with its certificates, secrets (when made,
//! until when), status, tokens issued and last exchange.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::on_auth;
use crate::auth::admin::Admin;
use crate::auth::issuing::IntegrationView;
use crate::auth::AuthServer;
use crate::error::ServiceError;

#[derive(Serialize)]
pub struct Integrations {
    integrations: Vec<IntegrationView>,
}

pub async fn list(_: Admin, State(auth): State<Arc<AuthServer>>) -> Result<Json<Integrations>, ServiceError> {
    let integrations = on_auth(&auth, |auth| auth.integrations()).await?;
    Ok(Json(Integrations { integrations }))
}
