//! The proxy's one client of the tagging service. With a grant configured, every request carries
//! `Authorization: Bearer <access token>`; a 401 from the service drops the cached token,
//! refreshes once and sends the request once more (every body here is `Bytes`, so it replays).

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use smart_tags_core::Prediction;

use crate::error::ProxyError;
use crate::token::{TokenError, TokenManager};

/// A request to pass on to the service.
#[derive(Debug)]
pub struct Forward<'a> {
    pub method: reqwest::Method,
    /// Path and query on the service, e.g. `/v1/assets?content_hash=...`.
    pub path_and_query: &'a str,
    pub content_type: Option<&'a str>,
    pub body: axum::body::Bytes,
    pub request_id: &'a str,
    /// Who asks, for the service's change log.
    pub actor: Option<&'a str>,
    /// Replaces the client's timeout for this request.
    pub timeout: Option<Duration>,
}

/// Response headers of the service that reach the browser as they are (besides the content type):
/// a download's file name and the taxonomy version of an export.
pub const PASSED_HEADERS: [&str; 2] = ["content-disposition", "x-smart-tags-taxonomy-version"];

/// The service's answer to a forwarded request.
#[derive(Debug)]
pub struct Forwarded {
    pub status: u16,
    pub content_type: Option<String>,
    /// The [`PASSED_HEADERS`] the service sent, by name.
    pub headers: Vec<(&'static str, String)>,
    pub body: axum::body::Bytes,
}

#[derive(Debug, Clone)]
pub struct Upstream {
    client: reqwest::Client,
    base: String,
    timeout: Duration,
    /// Access tokens; `None` for a service in open mode.
    tokens: Option<Arc<TokenManager>>,
}

impl Upstream {
    pub fn new(base: &str, timeout: Duration) -> Result<Upstream, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(2)))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()?;
        Ok(Upstream { client, base: base.trim_end_matches('/').to_owned(), timeout, tokens: None })
    }

    /// Sends every request with an access token from `tokens`.
    pub fn with_tokens(mut self, tokens: Option<Arc<TokenManager>>) -> Upstream {
        self.tokens = tokens;
        self
    }

    /// The token manager, when a grant is configured.
    pub fn tokens(&self) -> Option<&Arc<TokenManager>> {
        self.tokens.as_ref()
    }

    /// Sends the request `build` makes, with a bearer token when a grant is configured; on a
    /// 401 drops the token, refreshes once and sends it once more.
    async fn send(
        &self,
        request_id: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ProxyError> {
        let Some(tokens) = &self.tokens else {
            return build().send().await.map_err(|e| classify(&e, request_id));
        };
        let token = tokens.token().await.map_err(|e| token_failed(&e, request_id))?;
        let response = build().bearer_auth(token.value()).send().await.map_err(|e| classify(&e, request_id))?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        tracing::warn!(request_id, "the tagging service refused the access token: refreshing it and trying once more");
        tokens.invalidate(&token);
        let token = tokens.token().await.map_err(|e| token_failed(&e, request_id))?;
        build().bearer_auth(token.value()).send().await.map_err(|e| classify(&e, request_id))
    }

    /// The configured longest wait for the service, per request.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Asks the service for the `top` classes of one model input.
    pub async fn predict(
        &self,
        model_input: axum::body::Bytes,
        top: usize,
        request_id: &str,
    ) -> Result<Prediction, ProxyError> {
        let url = format!("{}/v1/predict?top={top}", self.base);
        let response = self
            .send(request_id, || {
                self.client
                    .post(&url)
                    .header("content-type", "application/octet-stream")
                    .header("x-request-id", request_id)
                    .body(model_input.clone())
            })
            .await?;
        match response.status() {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(refused(response.status(), request_id)),
            s if s.is_success() => response.json::<Prediction>().await.map_err(|e| {
                tracing::error!(request_id, error = %e, "the tagging service sent an unreadable answer");
                ProxyError::ServiceFailed
            }),
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => Err(ProxyError::ServiceBusy),
            s if s.is_client_error() => {
                tracing::warn!(request_id, status = %s, "the tagging service refused the input");
                Err(ProxyError::ServiceRejected)
            }
            s => {
                tracing::error!(request_id, status = %s, "the tagging service failed");
                Err(ProxyError::ServiceFailed)
            }
        }
    }

    /// Sends one request on to the service and hands back its answer: successes and the service's
    /// own client errors (`{code, message}` about the caller's input) pass through unchanged;
    /// server errors and transport failures become the proxy's generic errors.
    pub async fn forward(&self, request: Forward<'_>) -> Result<Forwarded, ProxyError> {
        let url = format!("{}{}", self.base, request.path_and_query);
        let build = || {
            let mut builder =
                self.client.request(request.method.clone(), &url).header("x-request-id", request.request_id);
            if let Some(content_type) = request.content_type {
                builder = builder.header("content-type", content_type);
            }
            if let Some(actor) = request.actor {
                builder = builder.header("x-smart-tags-actor", actor);
            }
            if let Some(timeout) = request.timeout {
                builder = builder.timeout(timeout);
            }
            builder.body(request.body.clone())
        };
        let response = self.send(request.request_id, build).await?;
        let status = response.status();
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => return Err(refused(status, request.request_id)),
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => return Err(ProxyError::ServiceBusy),
            s if s.is_server_error() => {
                tracing::error!(request_id = request.request_id, status = %s, path = request.path_and_query, "the tagging service failed");
                return Err(ProxyError::ServiceFailed);
            }
            _ => {}
        }
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = header("content-type");
        let headers = PASSED_HEADERS.iter().filter_map(|&name| Some((name, header(name)?))).collect();
        let body = response.bytes().await.map_err(|e| classify(&e, request.request_id))?;
        Ok(Forwarded { status: status.as_u16(), content_type, headers, body })
    }

    /// True when the service answers its health check.
    pub async fn healthy(&self) -> bool {
        let url = format!("{}/healthz", self.base);
        matches!(self.client.get(url).send().await, Ok(r) if r.status().is_success())
    }
}

/// No access token could be had: the details go to the log, the browser gets a fixed message.
fn token_failed(error: &TokenError, request_id: &str) -> ProxyError {
    tracing::error!(request_id, %error, "no access token for the tagging service (run `smart-tags-proxy health`)");
    ProxyError::ServiceAuthorization
}

/// The service refused the proxy's credentials (401 after the one retry, or 403).
fn refused(status: StatusCode, request_id: &str) -> ProxyError {
    tracing::error!(request_id, %status, "the tagging service refused the proxy's access token (run `smart-tags-proxy health`)");
    ProxyError::ServiceAuthorization
}

fn classify(error: &reqwest::Error, request_id: &str) -> ProxyError {
    tracing::warn!(request_id, error = %error, "cannot reach the tagging service");
    if error.is_timeout() {
        ProxyError::ServiceTimeout
    } else {
        ProxyError::ServiceUnavailable
    }
}
