//! `POST /api/v1/backend/jobs`: creates a batch job; answers 202 `{job_id, status, total}`.
//! - `multipart/form-data`: `file` parts (the file name is the DAM's asset id; repeated), each
//!   streamed chunk by chunk into the spool — the body is never held whole — at most core's file
//!   limit each and [`MAX_TOTAL_BYTES`] in all; an optional `options` part
//!   `{"folder": "/a", "webhook_url": "...", "force": false}`.
//! - `application/json` `{"kind": "retag", "folder": "/a" | null, "dry_run": true,
//!   "ignore_smart_tag_flag": false}`: a bulk re-tag of every stored asset under the folder (all
//!   when null), from stored model outputs; assets in folders with smart tagging switched off are
//!   skipped (`smart_tags_off`) unless the flag is set.

use std::sync::Arc;

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::backend::error::BackendError;
use crate::backend::jobs::new_job_id;
use crate::backend::jobs::spool::SpoolError;
use crate::backend::jobs::store::NewItem;
use crate::backend::tagging::{check_folder, max_image_bytes};
use crate::backend::Backend;

/// Largest upload of one job.
pub const MAX_TOTAL_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Most files in one job.
pub const MAX_FILES: usize = 10_000;
/// Largest `options` part or JSON body.
pub const MAX_OPTIONS_BYTES: usize = 64 * 1024;
/// Longest asset id (the service's limit).
pub const MAX_ASSET_ID: usize = 512;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagOptions {
    folder: Option<String>,
    webhook_url: Option<String>,
    #[serde(default)]
    force: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetagOptions {
    kind: String,
    folder: Option<String>,
    #[serde(default = "yes")]
    dry_run: bool,
    locale: Option<String>,
    webhook_url: Option<String>,
    /// Re-tag assets in folders with smart tagging switched off too.
    #[serde(default)]
    ignore_smart_tag_flag: bool,
}

fn yes() -> bool {
    true
}

fn bad(message: impl Into<String>) -> BackendError {
    BackendError::BadRequest(message.into())
}

fn check_webhook(backend: &Backend, url: Option<&str>) -> Result<(), BackendError> {
    let Some(url) = url else { return Ok(()) };
    if !backend.config.webhook_allowed(url) {
        return Err(BackendError::WebhookNotAllowed);
    }
    if backend.config.webhook_secret.is_none() {
        return Err(BackendError::WebhookNotConfigured);
    }
    Ok(())
}

fn check_asset_id(id: &str) -> Result<(), BackendError> {
    if id.trim().is_empty() || id.len() > MAX_ASSET_ID || id.chars().any(char::is_control) {
        return Err(bad(format!(
            "each file part needs a file name (the asset id) of 1 to {MAX_ASSET_ID} bytes without control characters"
        )));
    }
    Ok(())
}

pub async fn create(
    State(backend): State<Arc<Backend>>,
    request: Request,
) -> Result<(StatusCode, Json<Value>), BackendError> {
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (id, total) = if content_type.starts_with("application/json") {
        create_retag(&backend, request).await?
    } else if content_type.starts_with("multipart/form-data") {
        create_tag(&backend, request).await?
    } else {
        return Err(bad("send the files as multipart/form-data, or a re-tag job as application/json"));
    };
    backend.wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(json!({"job_id": id, "status": "queued", "total": total}))))
}

async fn create_retag(backend: &Backend, request: Request) -> Result<(String, usize), BackendError> {
    let body = axum::body::to_bytes(request.into_body(), MAX_OPTIONS_BYTES)
        .await
        .map_err(|_| bad(format!("the body must be json of at most {MAX_OPTIONS_BYTES} bytes")))?;
    let options: RetagOptions =
        serde_json::from_slice(&body).map_err(|e| bad(format!("the body is not valid: {e}")))?;
    if options.kind != "retag" {
        return Err(bad("a json job must have \"kind\": \"retag\" (upload files as multipart/form-data)"));
    }
    let folder = check_folder(options.folder.as_deref())?;
    check_webhook(backend, options.webhook_url.as_deref())?;
    let assets = backend.service.list_all(folder.as_deref()).await?;
    let items: Vec<NewItem> = assets
        .iter()
        .map(|a| NewItem {
            asset_id: a.get("asset_id").and_then(Value::as_str).map(str::to_owned),
            content_hash: a.get("content_hash").and_then(Value::as_str).map(str::to_owned),
            spooled: false,
        })
        .filter(|i| i.asset_id.is_some() || i.content_hash.is_some())
        .collect();
    let stored = json!({
        "folder": folder, "dry_run": options.dry_run, "locale": options.locale, "webhook_url": options.webhook_url,
        "ignore_smart_tag_flag": options.ignore_smart_tag_flag,
    });
    let (id, total) = (new_job_id(), items.len());
    backend
        .jobs
        .call({
            let id = id.clone();
            move |store| store.create(&id, "retag", &stored, None, &items)
        })
        .await?;
    Ok((id, total))
}

fn spool_error(error: SpoolError) -> BackendError {
    match error {
        SpoolError::TooLarge { limit } => BackendError::TooLarge(format!("a file is larger than {limit} bytes")),
        SpoolError::Io(e) => {
            tracing::error!(error = %e, "the spool cannot be written");
            BackendError::Store
        }
    }
}

/// Spools the files and stores the job. A job that is not stored (a bad part, a broken-off upload,
/// a full disk, a dropped request) leaves nothing behind: its files that no other job needs are
/// removed at once ([`Unstored`]), so the space is back for the next upload.
async fn create_tag(backend: &Arc<Backend>, request: Request) -> Result<(String, usize), BackendError> {
    let mut unstored = Unstored { backend: Arc::clone(backend), hashes: Vec::new() };
    let created = spool_and_store(backend, request, &mut unstored.hashes).await;
    if created.is_ok() {
        unstored.hashes.clear();
    }
    created
}

/// The spooled files of an upload whose job is not stored (yet): removed when it is dropped, on
/// the blocking pool, unless another job references them or another upload pins them.
struct Unstored {
    backend: Arc<Backend>,
    hashes: Vec<String>,
}

impl Drop for Unstored {
    fn drop(&mut self) {
        let hashes = std::mem::take(&mut self.hashes);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        if hashes.is_empty() {
            return;
        }
        let backend = Arc::clone(&self.backend);
        runtime.spawn_blocking(move || {
            let removed = hashes
                .iter()
                .filter(|hash| {
                    matches!(backend.spool.remove_unreferenced(hash, |h| backend.jobs.references(h)), Ok(true))
                })
                .count();
            tracing::info!(removed, "the spool files of a job upload that was not stored are removed");
        });
    }
}

async fn spool_and_store(
    backend: &Backend,
    request: Request,
    spooled: &mut Vec<String>,
) -> Result<(String, usize), BackendError> {
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| bad(e.body_text()))?;
    let mut options = TagOptions::default();
    let mut items: Vec<NewItem> = Vec::new();
    // Held until the job is stored, so deleting another job never takes these files meanwhile.
    let mut pins = Vec::new();
    let mut total: u64 = 0;
    let part_error =
        |e: axum::extract::multipart::MultipartError| bad(format!("bad multipart body: {}", e.body_text()));
    while let Some(mut field) = multipart.next_field().await.map_err(part_error)? {
        match field.name() {
            Some("file") => {
                let asset_id = field.file_name().unwrap_or_default().to_owned();
                check_asset_id(&asset_id)?;
                if items.len() >= MAX_FILES {
                    return Err(BackendError::TooLarge(format!("a job takes at most {MAX_FILES} files")));
                }
                let mut writer = backend.spool.writer(max_image_bytes()).await.map_err(spool_error)?;
                loop {
                    let chunk = match field.chunk().await {
                        Ok(Some(chunk)) => chunk,
                        Ok(None) => break,
                        Err(e) => {
                            writer.discard().await;
                            return Err(part_error(e));
                        }
                    };
                    total += chunk.len() as u64;
                    if total > MAX_TOTAL_BYTES {
                        writer.discard().await;
                        return Err(BackendError::TooLarge(format!(
                            "a job's files are at most {MAX_TOTAL_BYTES} bytes in all"
                        )));
                    }
                    if let Err(error) = writer.write(&chunk).await {
                        writer.discard().await;
                        return Err(spool_error(error));
                    }
                }
                let (hash, size, pin) = writer.finish().await.map_err(spool_error)?;
                pins.push(pin);
                spooled.push(hash.clone());
                if size == 0 {
                    return Err(bad(format!("the file {asset_id} is empty")));
                }
                items.push(NewItem { asset_id: Some(asset_id), content_hash: Some(hash), spooled: true });
            }
            Some("options") => {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(part_error)? {
                    text.extend_from_slice(&chunk);
                    if text.len() > MAX_OPTIONS_BYTES {
                        return Err(bad(format!("the options part is larger than {MAX_OPTIONS_BYTES} bytes")));
                    }
                }
                options =
                    serde_json::from_slice(&text).map_err(|e| bad(format!("the options part is not valid: {e}")))?;
            }
            Some(other) => {
                return Err(bad(format!("unknown part {other:?}: send file parts and an optional options part")))
            }
            None => return Err(bad("a part has no name: send file parts and an optional options part")),
        }
    }
    if items.is_empty() {
        return Err(bad("the job has no file part"));
    }
    let folder = check_folder(options.folder.as_deref())?;
    check_webhook(backend, options.webhook_url.as_deref())?;
    let stored = json!({"folder": folder, "webhook_url": options.webhook_url, "force": options.force});
    let (id, total) = (new_job_id(), items.len());
    // The pins go with the store's task: even if the request is dropped meanwhile, the files stay
    // pinned until the job's transaction has ended.
    backend
        .jobs
        .call({
            let id = id.clone();
            move |store| {
                let created = store.create(&id, "tag", &stored, None, &items);
                drop(pins);
                created
            }
        })
        .await?;
    Ok((id, total))
}
