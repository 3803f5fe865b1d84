//! The shared body of the routes that pass a request on to the service unchanged.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::{ErrorResponse, ProxyError};
use crate::upstream::{Forward, Forwarded};
use crate::{request_id, AppState};

/// Where a forwarding route goes and what it accepts.
pub(crate) struct Route<'a> {
    pub method: reqwest::Method,
    /// Path on the service, e.g. `/v1/assets`.
    pub service_path: &'a str,
    /// Required prefix of the request's content type, when the route takes a body.
    pub content_type: Option<&'static str>,
    /// Largest body, in bytes (also enforced by the route's body limit layer).
    pub max_bytes: usize,
    /// Who asks, for the service's change log.
    pub actor: Option<&'static str>,
    /// Longest wait for the service when longer than the configured one (uploads it works through
    /// photo by photo); `None`: the configured wait.
    pub timeout: Option<std::time::Duration>,
}

/// Checks the body and content type, forwards to `service_path` (with the request's query), and
/// answers what the service answered.
pub(crate) async fn forward(
    state: &AppState,
    route: Route<'_>,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ErrorResponse> {
    let id = request_id();
    let fail = |e: ProxyError| e.with_request_id(id.clone());
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if let Some(expected) = route.content_type {
        if !content_type.is_some_and(|c| c.starts_with(expected)) {
            return Err(fail(ProxyError::WrongMediaType { expected }));
        }
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            fail(ProxyError::TooLarge { limit: route.max_bytes })
        } else {
            fail(ProxyError::UnreadableBody)
        }
    })?;
    if body.len() > route.max_bytes {
        return Err(fail(ProxyError::TooLarge { limit: route.max_bytes }));
    }
    let path_and_query = match query.filter(|q| !q.is_empty()) {
        Some(q) => format!("{}?{q}", route.service_path),
        None => route.service_path.to_owned(),
    };
    let forwarded = state
        .upstream
        .forward(Forward {
            method: route.method,
            path_and_query: &path_and_query,
            content_type: route.content_type.and(content_type),
            body,
            request_id: &id,
            actor: route.actor,
            timeout: route.timeout,
        })
        .await
        .map_err(fail)?;
    Ok(into_response(forwarded, &id))
}

/// A body-less GET passed on to `service_path` with the request's query.
pub(crate) async fn get(
    state: &AppState,
    service_path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, ErrorResponse> {
    let route = Route {
        method: reqwest::Method::GET,
        service_path,
        content_type: None,
        max_bytes: 0,
        actor: None,
        timeout: None,
    };
    forward(state, route, query, headers, Ok(Bytes::new())).await
}

fn into_response(forwarded: Forwarded, request_id: &str) -> Response {
    let status = StatusCode::from_u16(forwarded.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (status, forwarded.body).into_response();
    let headers = response.headers_mut();
    let content_type = forwarded.content_type.as_deref().unwrap_or("application/json");
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    for (name, value) in forwarded.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", value);
    }
    response
}
