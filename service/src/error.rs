//! The service's error answers: `{code, message}` with a status; messages are lowercase.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::engine::EngineError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    BadInput(String),
    #[error("the model failed on this input")]
    Inference(#[source] EngineError),
    #[error("the service is busy")]
    Busy,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: String,
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ServiceError::BadInput(_) => (StatusCode::BAD_REQUEST, "bad_input"),
            ServiceError::Inference(e) => {
                tracing::error!(error = %e, "inference failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "inference_failed")
            }
            ServiceError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        };
        (status, Json(Body { code, message: self.to_string() })).into_response()
    }
}
