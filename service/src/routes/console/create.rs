//! `POST /console/integrations` `{name, credential?, certificate?, scopes?}`: registers an
//! integration — `jwt` (the default) from the proxy's certificate, or `oauth_server_to_server`
//! with none; answers it with its `client_secret` (the only time it is shown) and, for a JWT
//! one, its `jwt_payload`.

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
    /// `jwt` (default) or `oauth_server_to_server`.
    credential: Option<String>,
    /// The proxy's certificate, PEM: a JWT integration's, refused for an OAuth one.
    certificate: Option<String>,
    scopes: Option<Vec<String>>,
}

pub async fn create(
    _: Admin,
    State(auth): State<Arc<AuthServer>>,
    JsonBody(body): JsonBody<CreateIntegration>,
) -> Result<(StatusCode, Json<WithSecret>), ServiceError> {
    let oauth = match body.credential.as_deref() {
        None | Some("jwt") => false,
        Some("oauth_server_to_server") => true,
        Some(_) => return Err(ServiceError::BadInput("credential must be jwt or oauth_server_to_server".to_owned())),
    };
    let certificate = match (oauth, body.certificate) {
        (false, None) => {
            return Err(ServiceError::BadInput(
                "a jwt integration needs the certificate its key signs with (or credential oauth_server_to_server)"
                    .to_owned(),
            ))
        }
        (true, Some(_)) => {
            return Err(ServiceError::BadInput(
                "an oauth server-to-server integration has no certificate: leave it out".to_owned(),
            ))
        }
        (_, certificate) => certificate,
    };
    let created = on_auth(&auth, move |auth| {
        auth.register(&Registration {
            name: &body.name,
            certificate_pem: certificate.as_deref(),
            scopes: body.scopes.as_deref(),
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
