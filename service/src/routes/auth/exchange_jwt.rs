//! `POST /ims/exchange/jwt`: a proxy's signed JWT for an access token. `expires_in` is in
//! milliseconds, as Adobe IMS's JWT exchange answers.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::{blocking, required, ImsForm};
use crate::auth::exchange::ExchangeRequest;
use crate::auth::{AuthError, AuthServer};

#[derive(Deserialize)]
pub struct ExchangeForm {
    client_id: Option<String>,
    client_secret: Option<String>,
    jwt_token: Option<String>,
}

pub async fn exchange_jwt(
    State(auth): State<Arc<AuthServer>>,
    ImsForm(form): ImsForm<ExchangeForm>,
) -> Result<Response, AuthError> {
    let token = blocking(move || {
        let request = ExchangeRequest {
            client_id: required(form.client_id.as_deref(), "client_id")?,
            client_secret: required(form.client_secret.as_deref(), "client_secret")?,
            jwt_token: required(form.jwt_token.as_deref(), "jwt_token")?,
        };
        auth.exchange_jwt(&request)
    })
    .await?;
    let body = json!({ "token_type": "bearer", "access_token": token.access_token, "expires_in": token.expires_in_seconds * 1_000 });
    Ok(([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(body)).into_response())
}
