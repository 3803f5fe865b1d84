//! `GET /v1/settings/thresholds`: `{"min_confidence", "max_tags", "per_tag": {tag id: value}}`,
//! the defaults when never set; the settings version is in `x-smart-tags-settings-version`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderName;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::VERSION_HEADER;
use crate::error::ServiceError;
use crate::routes::support::on_store;
use crate::store::Store;

pub async fn get_thresholds(State(store): State<Arc<Store>>) -> Result<Response, ServiceError> {
    let (thresholds, version) = on_store(&store, |s| Ok((s.thresholds()?, s.settings_version()?))).await?;
    Ok(([(HeaderName::from_static(VERSION_HEADER), version.to_string())], Json(thresholds)).into_response())
}
