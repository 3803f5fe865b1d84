//! `POST /console/integrations/{client_id}/secret` `{overlap_seconds?}`: a new client secret
//! (shown this once); the previous ones keep working for the overlap (default 24 h).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::on_auth;
use crate::auth::admin::Admin;
use crate::auth::issuing::WithSecret;
use crate::auth::AuthServer;
use crate::error::ServiceError;
use crate::routes::support::PathParams;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    overlap_seconds: Option<i64>,
}

/// The body is optional: empty means the default overlap.
pub async fn rotate_secret(
    _: Admin,
    State(auth): State<Arc<AuthServer>>,
    PathParams(client_id): PathParams<String>,
    body: Bytes,
) -> Result<Json<WithSecret>, ServiceError> {
    let options: RotateSecret = if body.iter().all(u8::is_ascii_whitespace) {
        RotateSecret::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ServiceError::BadInput(format!("the body is not valid json: {e}")))?
    };
    Ok(Json(on_auth(&auth, move |auth| auth.rotate_secret(&client_id, options.overlap_seconds)).await?))
}
