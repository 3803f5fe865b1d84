//! The service's error answers: `{code, message}` with a status; messages are lowercase. An
//! invalid taxonomy adds `problems`, one object per problem (`kind`, its fields and a `message`);
//! an invalid workflow too (`message` only).
//! Storage failures answer a fixed message; their details go to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use smart_tags_core::taxonomy::ImportReport;

use crate::auth::issuing::IssueError;
use crate::engine::EngineError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// 400 `bad_input`.
    #[error("{0}")]
    BadInput(String),
    /// 500 `inference_failed`.
    #[error("the model failed on this input")]
    Inference(#[source] EngineError),
    /// 503 `busy`.
    #[error("the service is busy")]
    Busy,
    /// 413 `too_large`.
    #[error("the request body is too large")]
    TooLarge,
    /// 415 `unsupported_format`.
    #[error("{0}")]
    UnsupportedFormat(String),
    /// 422 `invalid_taxonomy`, with the problems (an import, or a change that would break the
    /// taxonomy).
    #[error("the taxonomy has {} problem(s); nothing changed", .0.problems.len())]
    InvalidTaxonomy(ImportReport),
    /// 404, 409, 400 or 500 depending on the store's error.
    #[error(transparent)]
    Store(StoreError),
    /// 422 `invalid_workflow`, with every problem of the definition.
    #[error("the workflow has {} problem(s); nothing changed", .0.len())]
    InvalidWorkflow(Vec<String>),
    /// 409 `smart_tags_off`: the asset's folder has smart tagging switched off (and the request did
    /// not set `ignore_smart_tag_flag`).
    #[error("{0}")]
    SmartTagsOff(String),
    /// 503 `not_ready`: the smart-tag engine (WordNet, text model) is not loaded.
    #[error("the smart-tag engine is not loaded")]
    NotReady,
    /// 409 `not_tagged`: the asset has no embedding under the current image model.
    #[error("the asset has no embedding under the current image model: tag it from its image first")]
    NotTagged,
    /// 409 `other_pixels`: an unnamed asset (known by its content hash alone, shared by every
    /// caller naming those bytes) whose stored outputs came from another model input
    /// (`store::content_inputs`): it is not overwritten.
    #[error("these bytes are stored from another model input: name the asset (asset_id) to tag it from yours")]
    OtherPixels,
    /// 503 `storage_failing` (`GET /healthz`): a write in the data directory fails.
    #[error("{0}")]
    StorageFailing(String),
    /// 404 `not_found`: no route has this path (`routes::unknown`).
    #[error("no such route: {method} {path}")]
    UnknownRoute { method: String, path: String },
    /// 405 `method_not_allowed`: the path exists, but not with this method.
    #[error("{method} is not allowed on {path}")]
    MethodNotAllowed { method: String, path: String },
    /// 500 `internal`: a blocking task panicked or was cancelled.
    #[error("internal error")]
    Internal,
}

impl From<crate::similar::SimilarError> for ServiceError {
    fn from(error: crate::similar::SimilarError) -> ServiceError {
        match error {
            crate::similar::SimilarError::Store(e) => ServiceError::from(e),
            crate::similar::SimilarError::Index(e) => {
                tracing::error!(error = %e, "the similarity index failed");
                ServiceError::Internal
            }
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> ServiceError {
        match error {
            StoreError::Invalid(report) => ServiceError::InvalidTaxonomy(report),
            other => ServiceError::Store(other),
        }
    }
}

impl From<IssueError> for ServiceError {
    fn from(error: IssueError) -> ServiceError {
        match error {
            IssueError::BadInput(message) => ServiceError::BadInput(message),
            IssueError::Store(e) => ServiceError::from(e),
            IssueError::Random(e) => {
                tracing::error!(error = %e, "cannot generate a credential");
                ServiceError::Internal
            }
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<Vec<Value>>,
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _) if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// Status and code of a store error; `None` for the ones whose details must not leave the log.
fn store_status(error: &StoreError) -> Option<(StatusCode, &'static str)> {
    Some(match error {
        StoreError::UnknownTag(_) => (StatusCode::NOT_FOUND, "unknown_tag"),
        StoreError::UnknownLink { .. } => (StatusCode::NOT_FOUND, "unknown_link"),
        StoreError::UnknownAsset => (StatusCode::NOT_FOUND, "unknown_asset"),
        StoreError::NotPredicted { .. } => (StatusCode::NOT_FOUND, "not_predicted"),
        StoreError::UnknownModel(_) => (StatusCode::NOT_FOUND, "unknown_model"),
        StoreError::UnknownVersion { .. } => (StatusCode::NOT_FOUND, "unknown_version"),
        StoreError::UnknownJob(_) => (StatusCode::NOT_FOUND, "unknown_job"),
        StoreError::UnknownIntegration(_) => (StatusCode::NOT_FOUND, "unknown_integration"),
        StoreError::UnknownCertificate(_) => (StatusCode::NOT_FOUND, "unknown_certificate"),
        StoreError::IntegrationRevoked(_) => (StatusCode::CONFLICT, "integration_revoked"),
        StoreError::CertificateExists(_) => (StatusCode::CONFLICT, "certificate_exists"),
        StoreError::LastCertificate => (StatusCode::CONFLICT, "last_certificate"),
        StoreError::NotJwtIntegration(_) => (StatusCode::CONFLICT, "wrong_credential"),
        StoreError::VersionActive { .. } => (StatusCode::CONFLICT, "version_active"),
        StoreError::JobRunning { .. } => (StatusCode::CONFLICT, "job_running"),
        StoreError::BuiltInModel(_) => (StatusCode::CONFLICT, "built_in_model"),
        StoreError::TagExists(_) => (StatusCode::CONFLICT, "tag_exists"),
        StoreError::HasChildren(_) => (StatusCode::CONFLICT, "has_children"),
        StoreError::AmbiguousContent { .. } => (StatusCode::BAD_REQUEST, "ambiguous_asset"),
        StoreError::BadValue(_) => (StatusCode::BAD_REQUEST, "bad_input"),
        StoreError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_taxonomy"),
        StoreError::Database(e) if is_busy(e) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        StoreError::CreateDir { .. }
        | StoreError::Permissions { .. }
        | StoreError::TokenKeys { .. }
        | StoreError::Open { .. }
        | StoreError::NoWal { .. }
        | StoreError::TooNew { .. }
        | StoreError::Database(_)
        | StoreError::Corrupt(_) => return None,
    })
}

fn problems(report: &ImportReport) -> Vec<Value> {
    report
        .problems
        .iter()
        .map(|problem| {
            let mut value = serde_json::to_value(problem).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("message".to_owned(), Value::String(problem.to_string()));
            }
            value
        })
        .collect()
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let mut problem_list = None;
        let (status, code) = match &self {
            ServiceError::BadInput(_) => (StatusCode::BAD_REQUEST, "bad_input"),
            ServiceError::Inference(e) => {
                tracing::error!(error = %e, "inference failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "inference_failed")
            }
            ServiceError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ServiceError::UnknownRoute { .. } => (StatusCode::NOT_FOUND, "not_found"),
            ServiceError::MethodNotAllowed { .. } => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ServiceError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ServiceError::UnsupportedFormat(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_format"),
            ServiceError::InvalidTaxonomy(report) => {
                problem_list = Some(problems(report));
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_taxonomy")
            }
            ServiceError::Store(e) => match store_status(e) {
                Some(status) => status,
                None => {
                    tracing::error!(error = %e, "store failed");
                    let body = Body { code: "storage_failed", message: "the store failed".to_owned(), problems: None };
                    return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
                }
            },
            ServiceError::InvalidWorkflow(list) => {
                problem_list = Some(list.iter().map(|message| serde_json::json!({ "message": message })).collect());
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_workflow")
            }
            ServiceError::SmartTagsOff(_) => (StatusCode::CONFLICT, "smart_tags_off"),
            ServiceError::NotTagged => (StatusCode::CONFLICT, "not_tagged"),
            ServiceError::OtherPixels => (StatusCode::CONFLICT, "other_pixels"),
            ServiceError::StorageFailing(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage_failing"),
            ServiceError::NotReady => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            ServiceError::Internal => {
                tracing::error!("a blocking task failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let message = match (&self, status) {
            (ServiceError::Store(_), StatusCode::SERVICE_UNAVAILABLE) => "the store is busy".to_owned(),
            _ => self.to_string(),
        };
        (status, Json(Body { code, message, problems: problem_list })).into_response()
    }
}
