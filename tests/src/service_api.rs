//! Requests to the tagging service's router in process, as the API tests send them: one `send`
//! (JSON answer, or `{"raw": …}` when the body is not JSON) and one multipart tag request.

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::Prepared;

const BOUNDARY: &str = "smart-tags-api-test-boundary";

/// Sends one request as actor `it-test`; answers the status and the body as JSON.
pub async fn send(router: &Router, method: &str, uri: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    send_as(router, "it-test", method, uri, content_type, body).await
}

/// [`send`] as `actor` (`backend`: the proxy's back-end API, which hashed the bytes itself).
pub async fn send_as(
    router: &Router,
    actor: &str,
    method: &str,
    uri: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", content_type)
        .header("x-smart-tags-actor", actor)
        .body(Body::from(body))
        .expect("a well-formed request");
    let response = router.clone().oneshot(request).await.expect("the router answers");
    let status = response.status();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.expect("a readable body");
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&bytes) })))
}

/// A JSON request.
pub async fn call(router: &Router, method: &str, uri: &str, body: &Value) -> (StatusCode, Value) {
    send(router, method, uri, "application/json", body.to_string().into_bytes()).await
}

/// A `GET`.
pub async fn get(router: &Router, uri: &str) -> (StatusCode, Value) {
    send(router, "GET", uri, "", Vec::new()).await
}

/// The `POST /v1/assets/tag` body for a prepared photo: `meta` is its hash and colours with
/// `extra`'s fields added, then the model input and, when `thumbnail`, the 512-px thumbnail.
pub fn tag_body(photo: &Prepared, extra: &Value, thumbnail: bool) -> (String, Vec<u8>) {
    let mut meta = json!({ "content_hash": photo.content_hash, "colors": photo.colors });
    if let (Some(meta), Some(extra)) = (meta.as_object_mut(), extra.as_object()) {
        meta.extend(extra.clone());
    }
    let meta = meta.to_string().into_bytes();
    let mut parts: Vec<(&str, &str, &[u8])> =
        vec![("meta", "application/json", &meta), ("model_input", "application/octet-stream", &photo.model_input)];
    if thumbnail {
        parts.push(("thumbnail", "image/jpeg", &photo.thumbnail));
    }
    multipart(&parts)
}

/// A `multipart/form-data` body of `(name, content type, bytes)` parts: its content type and bytes.
pub fn multipart(parts: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, content_type, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\ncontent-type: {content_type}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// Tags a prepared photo (see [`tag_body`]).
pub async fn tag(router: &Router, photo: &Prepared, extra: &Value, thumbnail: bool) -> (StatusCode, Value) {
    let (content_type, body) = tag_body(photo, extra, thumbnail);
    send(router, "POST", "/v1/assets/tag", &content_type, body).await
}
