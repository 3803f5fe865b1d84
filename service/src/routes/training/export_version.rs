//! `GET /v1/training/models/{name}/versions/{version}/export`: the version's model file
//! (`smart_tags_core::training::artifact`: versioned, checksummed, naming its image model) as an
//! attachment `<name>-v<version>.stmodel`, to import into another installation.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{blocking, VersionPath};
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::AppState;

/// The extension of exported model files.
pub const EXTENSION: &str = "stmodel";

pub async fn export_version(
    State(state): State<Arc<AppState>>,
    PathParams(path): PathParams<VersionPath>,
) -> Result<Response, ServiceError> {
    let file_name = format!("{}-v{}.{EXTENSION}", path.name, path.version);
    let bytes = blocking(&state, move |state| Ok(state.store.artifact(&path.name, path.version)?)).await?;
    let disposition = format!("attachment; filename=\"{file_name}\"");
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}
