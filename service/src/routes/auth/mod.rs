//! The authorization server's token endpoints (Adobe IMS compatible) and the token check. Their
//! forms are read by [`ImsForm`], whose refusals are IMS errors.

pub mod check;
pub mod exchange_jwt;
pub mod token_v3;

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::Form;
use serde::de::DeserializeOwned;

use crate::auth::AuthError;

/// Largest form or console body read, in bytes.
pub const FORM_BODY_LIMIT: usize = 32 * 1024;

/// An `application/x-www-form-urlencoded` body; an unreadable one is a 400 `invalid_request`.
pub struct ImsForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ImsForm<T> {
    type Rejection = AuthError;

    async fn from_request(request: Request, state: &S) -> Result<ImsForm<T>, AuthError> {
        match Form::<T>::from_request(request, state).await {
            Ok(Form(value)) => Ok(ImsForm(value)),
            Err(rejection) => Err(form_rejection(&rejection)),
        }
    }
}

fn form_rejection(rejection: &FormRejection) -> AuthError {
    match rejection {
        FormRejection::InvalidFormContentType(_) => {
            AuthError::InvalidRequest("expected content-type application/x-www-form-urlencoded".to_owned())
        }
        FormRejection::BytesRejection(bytes) if bytes.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            AuthError::TooLarge(FORM_BODY_LIMIT)
        }
        FormRejection::FailedToDeserializeForm(e) => bad_form(e),
        FormRejection::FailedToDeserializeFormBody(e) => bad_form(e),
        _ => AuthError::InvalidRequest("cannot read the form".to_owned()),
    }
}

fn bad_form(error: &dyn std::error::Error) -> AuthError {
    let detail = error.source().map_or_else(|| error.to_string(), ToString::to_string);
    AuthError::InvalidRequest(format!("bad form: {}", detail.chars().take(200).collect::<String>()))
}

/// A required form field: missing or blank is a 400 `invalid_request`.
pub(crate) fn required<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, AuthError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| AuthError::InvalidRequest(format!("the form field {name} is missing")))
}

/// Runs an authorization-server call on the blocking pool (it reads and writes the store).
pub(crate) async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, AuthError> + Send + 'static,
) -> Result<T, AuthError> {
    tokio::task::spawn_blocking(call).await.map_err(|_| AuthError::Internal)?
}
