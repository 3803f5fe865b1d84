//! `POST /console/integrations` `{name, certificate, scopes?}`: registers an integration; answers
//! it with its `client_secret` (the only time it is shown) and `jwt_payload`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::on_auth;
use crate::auth::admin::Admin;
use crate::auth::issuing::{Registration, WithSecret};
use crate::auth::AuthServer;
use crate::error::ServiceError;
use crate::routes::support::JsonBody;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateIntegration {
    name: String,
    /// The proxy's certificate, PEM.
    certificate: String,
    scopes: Option<Vec<String>>,
}

pub async fn create(
    _: Admin,
    State(auth): State<Arc<AuthServer>>,
    JsonBody(body): JsonBody<CreateIntegration>,
) -> Result<(StatusCode, Json<WithSecret>), ServiceError> {
    let created = on_auth(&auth, move |auth| {
        auth.register(&Registration {
            name: &body.name,
            certificate_pem: &body.certificate,
            scopes: body.scopes.as_deref(),
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
