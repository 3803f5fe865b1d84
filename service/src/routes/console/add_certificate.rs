//! `POST /console/integrations/{client_id}/certificates` `{certificate}`: adds a certificate
//! beside the others (the proxy's next key, before it switches).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::{on_auth, ConsoleRefusal};
use crate::auth::admin::ConsoleCaller;
use crate::auth::issuing::IntegrationView;
use crate::auth::AuthServer;
use crate::routes::support::{JsonBody, PathParams};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddCertificate {
    /// PEM.
    certificate: String,
}

pub async fn add_certificate(
    caller: ConsoleCaller,
    State(auth): State<Arc<AuthServer>>,
    PathParams(client_id): PathParams<String>,
    JsonBody(body): JsonBody<AddCertificate>,
) -> Result<(StatusCode, Json<IntegrationView>), ConsoleRefusal> {
    caller.may_manage_certificates_of(&client_id)?;
    let integration = on_auth(&auth, move |auth| auth.add_certificate(&client_id, &body.certificate)).await?;
    Ok((StatusCode::CREATED, Json(integration)))
}
