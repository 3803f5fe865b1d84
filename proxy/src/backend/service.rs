//! The back-end API's calls to the tagging service, through [`Upstream`] (which adds the access
//! token): the workflow (kept a few seconds), tagging one asset (multipart, like the browser's),
//! reading an asset, listing assets, re-tagging from the stored model output.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde_json::Value;
use smart_tags_core::workflow::Workflow;

use super::error::BackendError;
use crate::error::ProxyError;
use crate::upstream::{Forward, Upstream};

/// Why a call to the service failed, and whether trying again may help.
#[derive(Debug, Clone)]
pub struct CallError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// 5xx, a timeout or no connection: worth another try.
    pub retryable: bool,
}

impl CallError {
    fn from_proxy(error: &ProxyError) -> CallError {
        let (status, code) = error.status_and_code();
        let retryable = matches!(
            error,
            ProxyError::ServiceBusy
                | ProxyError::ServiceFailed
                | ProxyError::ServiceTimeout
                | ProxyError::ServiceUnavailable
        );
        CallError { status: status.as_u16(), code: code.to_owned(), message: error.to_string(), retryable }
    }

    /// The service refused the request for what the caller sent (a bad asset id, an asset bound
    /// to other bytes, a conflict): 400, 409 or 422. A 401 or 403 is about the proxy's own
    /// credentials, a 404 an unknown route, a 413 or 415 the multipart the proxy built: the
    /// proxy's problem, not the caller's.
    pub fn is_callers_mistake(&self) -> bool {
        matches!(self.status, 400 | 409 | 422)
    }

    /// The service's own `{code, message}` answer about the request.
    fn from_answer(status: u16, body: &[u8]) -> CallError {
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let text = |key: &str, default: &str| value.get(key).and_then(Value::as_str).unwrap_or(default).to_owned();
        CallError {
            status,
            code: text("code", "service_rejected"),
            message: text("message", "the tagging service refused the request"),
            retryable: false,
        }
    }
}

impl From<CallError> for BackendError {
    fn from(error: CallError) -> BackendError {
        BackendError::Service { status: error.status, code: error.code, message: error.message }
    }
}

/// The service, as the back-end API uses it.
#[derive(Debug)]
pub struct Service {
    pub upstream: Upstream,
    ttl: Duration,
    workflow: Mutex<Option<(Instant, i64, Workflow)>>,
}

impl Service {
    pub fn new(upstream: Upstream, ttl: Duration) -> Service {
        Service { upstream, ttl, workflow: Mutex::new(None) }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
        timeout: Option<Duration>,
    ) -> Result<Value, CallError> {
        let request_id = crate::request_id();
        let forwarded = self
            .upstream
            .forward(Forward {
                method,
                path_and_query: path,
                content_type,
                body,
                request_id: &request_id,
                actor: Some("backend"),
                timeout,
            })
            .await
            .map_err(|e| CallError::from_proxy(&e))?;
        if !(200..300).contains(&forwarded.status) {
            return Err(CallError::from_answer(forwarded.status, &forwarded.body));
        }
        serde_json::from_slice(&forwarded.body).map_err(|e| {
            tracing::error!(request_id, error = %e, path, "the tagging service sent an unreadable answer");
            CallError::from_proxy(&ProxyError::ServiceFailed)
        })
    }

    /// Whether the service answers its health check (`GET /healthz`).
    pub async fn healthy(&self) -> bool {
        self.upstream.healthy().await
    }

    /// The stored workflow and its version, read again when older than the ttl.
    pub async fn workflow(&self) -> Result<(i64, Workflow), CallError> {
        if let Ok(guard) = self.workflow.lock() {
            if let Some((at, version, workflow)) = guard.as_ref() {
                if at.elapsed() < self.ttl {
                    return Ok((*version, workflow.clone()));
                }
            }
        }
        let value = self.call(reqwest::Method::GET, "/v1/workflow", None, Bytes::new(), None).await?;
        let version = value.get("version").and_then(Value::as_i64).unwrap_or(0);
        let workflow: Workflow = value
            .get("workflow")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| {
                tracing::error!(error = %e, "the service's workflow cannot be read");
                CallError::from_proxy(&ProxyError::ServiceFailed)
            })?
            .unwrap_or_default();
        if let Ok(mut guard) = self.workflow.lock() {
            *guard = Some((Instant::now(), version, workflow.clone()));
        }
        Ok((version, workflow))
    }

    /// `POST /v1/assets/tag` with the `meta` JSON, the model input and, for the people step, the
    /// thumbnail.
    pub async fn tag(
        &self,
        meta: &Value,
        model_input: &[u8],
        thumbnail: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Value, CallError> {
        let meta = meta.to_string();
        let mut parts = vec![
            ("meta", "application/json", meta.as_bytes()),
            ("model_input", "application/octet-stream", model_input),
        ];
        parts.extend(thumbnail.map(|jpeg| ("thumbnail", "image/jpeg", jpeg)));
        let (content_type, body) = multipart(&parts);
        self.call(reqwest::Method::POST, "/v1/assets/tag", Some(&content_type), body, Some(timeout)).await
    }

    /// `POST /v1/assets/similar`: the stored assets nearest an image the service does not have,
    /// from its model input; `meta` is `{"limit", "folder", "recursive"}`.
    pub async fn similar_to_image(
        &self,
        meta: &Value,
        model_input: &[u8],
        timeout: Duration,
    ) -> Result<Value, CallError> {
        let meta = meta.to_string();
        let (content_type, body) = multipart(&[
            ("meta", "application/json", meta.as_bytes()),
            ("model_input", "application/octet-stream", model_input),
        ]);
        self.call(reqwest::Method::POST, "/v1/assets/similar", Some(&content_type), body, Some(timeout)).await
    }

    /// `GET /v1/assets?asset_id=…` (or `content_hash`).
    pub async fn asset(&self, asset_id: Option<&str>, content_hash: Option<&str>) -> Result<Value, CallError> {
        let mut query = Vec::new();
        if let Some(id) = asset_id {
            query.push(format!("asset_id={}", encode(id)));
        }
        if let Some(hash) = content_hash {
            query.push(format!("content_hash={}", encode(hash)));
        }
        self.call(reqwest::Method::GET, &format!("/v1/assets?{}", query.join("&")), None, Bytes::new(), None).await
    }

    /// A `GET` of a service route with the caller's query string as it came (the service checks
    /// it).
    pub async fn get_with_query(&self, path: &str, query: Option<&str>) -> Result<Value, CallError> {
        let path = match query.filter(|q| !q.is_empty()) {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        };
        self.call(reqwest::Method::GET, &path, None, Bytes::new(), None).await
    }

    /// Every asset under `folder` (all of them when `None`), page by page.
    pub async fn list_all(&self, folder: Option<&str>) -> Result<Vec<Value>, CallError> {
        let mut assets = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut path = "/v1/assets/list?limit=500&recursive=true".to_owned();
            if let Some(folder) = folder {
                path.push_str(&format!("&folder={}", encode(folder)));
            }
            if let Some(after) = &after {
                path.push_str(&format!("&after={}", encode(after)));
            }
            let page = self.call(reqwest::Method::GET, &path, None, Bytes::new(), None).await?;
            if let Some(items) = page.get("assets").and_then(Value::as_array) {
                assets.extend(items.iter().cloned());
            }
            match page.get("next") {
                Some(Value::String(next)) => after = Some(next.clone()),
                Some(Value::Number(next)) => after = Some(next.to_string()),
                _ => return Ok(assets),
            }
        }
    }

    /// `POST /v1/assets/retag`.
    pub async fn retag(&self, body: &Value, timeout: Duration) -> Result<Value, CallError> {
        self.call(
            reqwest::Method::POST,
            "/v1/assets/retag",
            Some("application/json"),
            Bytes::from(body.to_string()),
            Some(timeout),
        )
        .await
    }
}

/// Percent-encodes a query value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `multipart/form-data` body of `(name, content type, bytes)` parts: its content type (with
/// the boundary) and the bytes.
fn multipart(parts: &[(&str, &str, &[u8])]) -> (String, Bytes) {
    let boundary = format!("smart-tags-{}", crate::unique_id());
    let mut body = Vec::with_capacity(parts.iter().map(|p| p.2.len() + 128).sum::<usize>() + 64);
    for (name, content_type, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), Bytes::from(body))
}
