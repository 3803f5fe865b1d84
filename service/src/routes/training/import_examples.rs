//! `POST /v1/training/examples/import?strict=false`: bulk import of example images, as
//! - `application/zip`: an archive with one folder per tag, or files plus `manifest.csv`
//!   (`file,tags`, tags `|`-separated) / `manifest.json` (`[{"file", "tags"}]`) at its root;
//! - `multipart/form-data`: parts named `file` whose file name is the path (`cats/a.jpg`), and
//!   optionally a part named `manifest` (file name `manifest.csv` or `manifest.json`).
//!
//! Every file is decoded and embedded first; accepted ones are stored in one transaction. The
//! answer lists every refused file and why (`strict=true` refuses all when one is refused).
//! See [`crate::training::import`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header;
use axum::Json;
use serde::Deserialize;

use super::blocking;
use crate::error::ServiceError;
use crate::routes::support::QueryParams;
use crate::training::import::{import, read_zip, ImportFailure, ImportReport, Upload, UploadedFile};
use crate::AppState;

/// Largest upload (archive or multipart body).
pub const MAX_BYTES: usize = 512 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default)]
    pub strict: bool,
}

fn max_file_bytes() -> usize {
    smart_tags_core::preprocess::Options::default().limits.max_bytes
}

async fn read_multipart(mut multipart: Multipart) -> Result<Upload, ServiceError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ServiceError::TooLarge
        } else {
            ServiceError::BadInput(format!("bad multipart body: {}", e.body_text()))
        }
    };
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().map(str::to_owned);
        let path = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(bad)?.to_vec();
        match (name.as_deref(), path) {
            (Some("file"), Some(path)) => upload.files.push(UploadedFile { path, bytes }),
            (Some("manifest"), path) => {
                let path = path.filter(|p| p.ends_with(".json")).unwrap_or_else(|| "manifest.csv".to_owned());
                upload.manifest = Some(UploadedFile { path, bytes });
            }
            (Some("file"), None) => return Err(ServiceError::BadInput("a file part has no file name".to_owned())),
            (other, _) => {
                return Err(ServiceError::BadInput(format!(
                    "unknown part {other:?}: send parts named file and manifest"
                )))
            }
        }
    }
    Ok(upload)
}

fn failure(error: ImportFailure) -> ServiceError {
    match error {
        ImportFailure::Upload(e) => ServiceError::BadInput(e.to_string()),
        ImportFailure::Store(e) => ServiceError::from(e),
        ImportFailure::Inference(e) => ServiceError::Inference(e),
    }
}

pub async fn import_examples(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<ImportQuery>,
    request: Request,
) -> Result<Json<ImportReport>, ServiceError> {
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let upload = if content_type.starts_with("multipart/form-data") {
        let multipart =
            Multipart::from_request(request, &()).await.map_err(|e| ServiceError::BadInput(e.body_text()))?;
        read_multipart(multipart).await?
    } else if content_type.starts_with("application/zip") {
        let bytes = Bytes::from_request(request, &()).await.map_err(|e| crate::routes::support::bytes_rejection(&e))?;
        tokio::task::spawn_blocking(move || read_zip(&bytes, max_file_bytes()))
            .await
            .map_err(|_| ServiceError::Internal)?
            .map_err(|e| ServiceError::BadInput(e.to_string()))?
    } else {
        return Err(ServiceError::UnsupportedFormat("send application/zip or multipart/form-data".to_owned()));
    };
    let report = blocking(&state, move |state| {
        let mapping = state.mapping.get(&state.store)?;
        import(&state.store, &state.engine, &mapping.taxonomy, &upload, query.strict).map_err(failure)
    })
    .await?;
    Ok(Json(report))
}
