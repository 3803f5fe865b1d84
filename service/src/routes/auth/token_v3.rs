//! `POST /ims/token/v3`: the OAuth 2.0 client-credentials grant. `expires_in` is in seconds.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::{blocking, required, ImsForm};
use crate::auth::client_credentials::ClientCredentialsRequest;
use crate::auth::{AuthError, AuthServer};

#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

pub async fn token_v3(
    State(auth): State<Arc<AuthServer>>,
    ImsForm(form): ImsForm<TokenForm>,
) -> Result<Response, AuthError> {
    let token = blocking(move || {
        let request = ClientCredentialsRequest {
            grant_type: required(form.grant_type.as_deref(), "grant_type")?,
            client_id: required(form.client_id.as_deref(), "client_id")?,
            client_secret: required(form.client_secret.as_deref(), "client_secret")?,
            scope: form.scope.as_deref(),
        };
        auth.client_credentials(&request)
    })
    .await?;
    let body =
        json!({ "token_type": "bearer", "access_token": token.access_token, "expires_in": token.expires_in_seconds });
    Ok(([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(body)).into_response())
}
