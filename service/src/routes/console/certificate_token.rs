//! `POST /console/integrations/{client_id}/certificate-token`: a new certificate token (shown this
//! once; the one before stops working). It opens only this integration's `show`,
//! `add_certificate` and `remove_certificate`, what the proxy needs to rotate its key, so the
//! proxy never holds the admin token. Admin token only.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

use super::on_auth;
use crate::auth::admin::Admin;
use crate::auth::AuthServer;
use crate::error::ServiceError;
use crate::routes::support::PathParams;

#[derive(Serialize)]
pub struct CertificateToken {
    client_id: String,
    certificate_token: String,
}

pub async fn certificate_token(
    _: Admin,
    State(auth): State<Arc<AuthServer>>,
    PathParams(client_id): PathParams<String>,
) -> Result<(StatusCode, Json<CertificateToken>), ServiceError> {
    let id = client_id.clone();
    let token = on_auth(&auth, move |auth| auth.new_certificate_token(&id)).await?;
    Ok((StatusCode::CREATED, Json(CertificateToken { client_id, certificate_token: token })))
}
