//! Who may call the browser API (`/api/v1/tag`, `/api/v1/assets…`, `/api/v1/taxonomy/suggest`):
//! a **widget token** that the host DAM's back end mints for its signed-in user (HS256 with a
//! secret shared with the proxy: [`widget_token`], format in `docs/widget-tokens.md`), or nobody
//! at all in **open mode** — no widget secret configured — which the configuration allows only on
//! a loopback address (the local demo). Every caller is rate limited ([`rate_limit`]: per token
//! subject, or per IP address in open mode), and cross-origin pages are served only from the
//! allow-list ([`cors`]).

pub mod cors;
pub mod rate_limit;
pub mod widget_token;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use rate_limit::RateLimiter;
use widget_token::{WidgetClaims, WidgetKeys, WidgetTokenError};

/// The header a page may use instead of `Authorization: Bearer`.
pub const TOKEN_HEADER: &str = "x-smart-tags-token";

/// The browser API's access rules, built from the configuration.
#[derive(Debug)]
pub struct ClientAuth {
    /// `None`: open mode (loopback only; checked by the configuration).
    pub keys: Option<Arc<WidgetKeys>>,
    pub limiter: RateLimiter,
}

/// Who made a request, as the routes see it (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A widget token's issuer (the DAM) and subject (its user).
    Widget { issuer: String, subject: String },
    /// Open mode: the peer's address.
    Open { peer: String },
}

impl Caller {
    /// The name the rate limiter and the change log use.
    pub fn key(&self) -> String {
        match self {
            Caller::Widget { issuer, subject } => format!("{issuer}/{subject}"),
            Caller::Open { peer } => format!("ip:{peer}"),
        }
    }
}

/// Why a browser request was refused.
#[derive(Debug, thiserror::Error)]
pub enum ClientAuthError {
    #[error("this page needs a widget token (Authorization: Bearer ...) from its host application")]
    Missing,
    #[error("the widget token was refused: {0}")]
    Invalid(WidgetTokenError),
    #[error("too many requests: try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
}

impl IntoResponse for ClientAuthError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ClientAuthError::Missing => (StatusCode::UNAUTHORIZED, "widget_token_required"),
            ClientAuthError::Invalid(_) => (StatusCode::UNAUTHORIZED, "widget_token_invalid"),
            ClientAuthError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        };
        let body = serde_json::json!({ "code": code, "message": self.to_string(), "request_id": crate::request_id() });
        let mut response = (status, Json(body)).into_response();
        match &self {
            ClientAuthError::RateLimited { retry_after } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            _ => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"smart-tags\""));
            }
        }
        response
    }
}

/// The bearer token of a request: `Authorization: Bearer …` or [`TOKEN_HEADER`].
fn presented_token(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then_some(token.trim());
    }
    headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()).map(str::trim)
}

impl ClientAuth {
    /// Checks one request's credentials; `now` in unix seconds.
    pub fn authenticate(&self, headers: &HeaderMap, peer: Option<SocketAddr>, now: i64) -> Result<Caller, ClientAuthError> {
        let caller = match &self.keys {
            None => Caller::Open { peer: peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string()) },
            Some(keys) => {
                let token = presented_token(headers).ok_or(ClientAuthError::Missing)?;
                let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
                let WidgetClaims { issuer, subject, .. } = keys.verify(token, origin, now).map_err(ClientAuthError::Invalid)?;
                Caller::Widget { issuer, subject }
            }
        };
        self.limiter.check(&caller.key(), std::time::Instant::now()).map_err(|retry_after| ClientAuthError::RateLimited { retry_after })?;
        Ok(caller)
    }
}

/// The middleware on the browser API routes: authenticates, rate limits, and hands the
/// [`Caller`] to the route as an extension.
pub async fn require_client(State(auth): State<Arc<ClientAuth>>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    match auth.authenticate(request.headers(), peer, now) {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(error) => {
            tracing::info!(error = %error, "browser request refused");
            error.into_response()
        }
    }
}
