//! `GET /api/v1/backend/assets/export?asset_id=..&format=json|csv|xmp` (or `content_hash`): one
//! asset's final tags as the service answers them now (manual tags, smart tags after thresholds
//! and moderation), without a job.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use crate::backend::error::BackendError;
use crate::backend::export::{asset, render, Format};
use crate::backend::extract::BackendQuery;
use crate::backend::Backend;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    asset_id: Option<String>,
    content_hash: Option<String>,
    format: Option<String>,
}

/// The service's answer for the asset, and the name its export carries.
pub(crate) async fn final_tags(
    backend: &Backend,
    asset_id: Option<&str>,
    content_hash: Option<&str>,
) -> Result<smart_tags_core::export::ExportAsset, BackendError> {
    if asset_id.is_none() && content_hash.is_none() {
        return Err(BackendError::BadRequest("name the asset with asset_id or content_hash".to_owned()));
    }
    let answer = backend.service.asset(asset_id, content_hash).await?;
    let hash = answer.pointer("/asset/content_hash").and_then(Value::as_str).or(content_hash);
    let name = asset_id.or(hash).unwrap_or("asset");
    Ok(asset(name, hash, answer.get("tags"), answer.get("text")))
}

pub async fn export(
    State(backend): State<Arc<Backend>>,
    BackendQuery(query): BackendQuery<ExportQuery>,
) -> Result<Response, BackendError> {
    let format = Format::parse(query.format.as_deref())?;
    let one = final_tags(&backend, query.asset_id.as_deref(), query.content_hash.as_deref()).await?;
    render(&[one], format)
}
