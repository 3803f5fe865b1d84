//! `GET /api/v1/workflow?folder=/a/b`: what the browser needs to run the upload workflow for a
//! folder, in one answer: the service's workflow definition (`GET /v1/workflow`) and whether smart
//! tagging is on for that folder (`GET /v1/folders/resolve?path=…`):
//! `{"version", "workflow", "folder": {"path", "enabled", "set_on"}}`. Without `folder` the root
//! `/` is resolved. The service's own refusals (a malformed folder path) pass on as they are.
//! While the service is down (unreachable, timing out, or answering 5xx) the last answer it gave
//! since the proxy started is answered instead, with `"stale": true` ([`crate::workflow_cache`]).

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::error::{ErrorResponse, ProxyError};
use crate::{request_id, AppState};

/// Largest service answer read (a workflow definition is a few hundred bytes).
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Longest folder path accepted (the service's own limit).
const MAX_FOLDER_BYTES: usize = 1024;

pub async fn workflow(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let folder = folder_of(query.as_deref()).map_err(|e| e.with_request_id(request_id()))?;
    let resolve_query = resolve_query(&folder);
    let (definition, resolved) = tokio::join!(
        super::forward::get(&state, "/v1/workflow", None, &headers),
        super::forward::get(&state, "/v1/folders/resolve", Some(&resolve_query), &headers),
    );
    match fresh(&state, &folder, definition, resolved).await {
        Ok(answer) => Ok(answer),
        Err(failed) if failed.status().is_server_error() => match state.workflow_cache.last_known(&folder) {
            Some(known) => {
                tracing::warn!(
                    status = failed.status().as_u16(),
                    "the tagging service is down: answering the last known workflow"
                );
                Ok(Json(known).into_response())
            }
            None => Ok(failed),
        },
        Err(refused) => Ok(refused),
    }
}

/// The service's answers put together (and remembered), or the answer that says why not: the
/// proxy's own error, or the service's refusal as it is (a malformed folder path: 400 with its
/// `{code, message}`).
async fn fresh(
    state: &AppState,
    folder: &str,
    definition: Result<Response, ErrorResponse>,
    resolved: Result<Response, ErrorResponse>,
) -> Result<Response, Response> {
    let definition = definition.map_err(IntoResponse::into_response)?;
    let resolved = resolved.map_err(IntoResponse::into_response)?;
    if !definition.status().is_success() {
        return Err(definition);
    }
    if !resolved.status().is_success() {
        return Err(resolved);
    }
    let id = request_id();
    let definition = read_json(definition, &id).await.map_err(IntoResponse::into_response)?;
    let resolved = read_json(resolved, &id).await.map_err(IntoResponse::into_response)?;
    let version = definition.get("version").cloned().unwrap_or(Value::Null);
    let Some(workflow) = definition.get("workflow").cloned() else {
        tracing::error!(request_id = id, "the tagging service's workflow answer has no workflow");
        return Err(ProxyError::ServiceFailed.with_request_id(id).into_response());
    };
    state.workflow_cache.remember(&version, &workflow, folder, &resolved);
    Ok(Json(json!({ "version": version, "workflow": workflow, "folder": resolved, "stale": false })).into_response())
}

/// The `folder` parameter, decoded; `/` when absent or empty.
fn folder_of(query: Option<&str>) -> Result<String, ProxyError> {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return Ok("/".to_owned());
    };
    let url = reqwest::Url::parse(&format!("http://query.invalid/?{query}")).map_err(|_| ProxyError::InvalidFolder)?;
    let folder = url
        .query_pairs()
        .find(|(name, _)| name == "folder")
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| "/".to_owned());
    if folder.len() > MAX_FOLDER_BYTES {
        return Err(ProxyError::InvalidFolder);
    }
    Ok(folder)
}

/// `path=<folder>`, percent-encoded for the service (every byte but the unreserved ones).
fn resolve_query(folder: &str) -> String {
    let mut query = String::from("path=");
    for byte in folder.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            query.push(char::from(byte));
        } else {
            query.push_str(&format!("%{byte:02X}"));
        }
    }
    query
}

async fn read_json(answer: Response, id: &str) -> Result<Value, ErrorResponse> {
    let bytes = to_bytes(answer.into_body(), MAX_ANSWER_BYTES).await.map_err(|_| {
        tracing::error!(request_id = id, "the tagging service's answer could not be read");
        ProxyError::ServiceFailed.with_request_id(id.to_owned())
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        tracing::error!(request_id = id, error = %e, "the tagging service sent an unreadable answer");
        ProxyError::ServiceFailed.with_request_id(id.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_defaults_to_the_root() {
        assert_eq!(folder_of(None).ok().as_deref(), Some("/"));
        assert_eq!(folder_of(Some("")).ok().as_deref(), Some("/"));
        assert_eq!(folder_of(Some("other=1")).ok().as_deref(), Some("/"));
        assert_eq!(folder_of(Some("folder=")).ok().as_deref(), Some("/"));
    }

    #[test]
    fn the_folder_is_decoded_and_encoded_again_for_the_service() {
        let folder = folder_of(Some("folder=%2Fcampaigns%2F2026%20summer%26co")).ok();
        assert_eq!(folder.as_deref(), Some("/campaigns/2026 summer&co"));
        assert_eq!(resolve_query("/campaigns/2026 summer&co"), "path=%2Fcampaigns%2F2026%20summer%26co");
    }

    #[test]
    fn an_overlong_folder_is_refused() {
        let long = format!("folder=/{}", "a".repeat(MAX_FOLDER_BYTES));
        assert!(matches!(folder_of(Some(&long)), Err(ProxyError::InvalidFolder)));
    }
}
