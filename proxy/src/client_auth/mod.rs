//! Who may call the browser API (`/api/v1/tag`, `/api/v1/assets…`, `/api/v1/taxonomy/suggest`):
//! a **widget token** that the host DAM's back end mints for its signed-in user (HS256 with a
//! secret shared with the proxy: [`widget_token`], format in `docs/widget-tokens.md`), a
//! **login session** of the standalone upload page (a cookie, [`session`]), or nobody at all in
//! **open mode** — neither widget secrets nor page users configured — which the configuration
//! allows only on a loopback address (the local demo). Every caller is rate limited
//! ([`rate_limit`]: per token subject, per page user, or per IP address in open mode), and
//! cross-origin pages are served only from the allow-list ([`cors`]).

pub mod cors;
pub mod rate_limit;
pub mod session;
pub mod widget_token;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use cors::Cors;
use rate_limit::RateLimiter;
use session::{SessionError, Sessions};
use widget_token::{WidgetClaims, WidgetKeys, WidgetTokenError};

/// The header a page may use instead of `Authorization: Bearer`.
pub const TOKEN_HEADER: &str = "x-smart-tags-token";

/// The browser API's access rules, built from the configuration.
#[derive(Debug)]
pub struct ClientAuth {
    /// The widget token secrets; `None`: no widget tokens.
    pub keys: Option<Arc<WidgetKeys>>,
    /// The upload page's login sessions; `None`: no sign-in.
    pub sessions: Option<Arc<Sessions>>,
    /// Open mode: no credentials needed (loopback only; checked by the configuration): neither
    /// widget secrets nor page users configured.
    pub open: bool,
    /// The origins besides the proxy's own that may use a session cookie.
    pub cors: Cors,
    pub limiter: RateLimiter,
    /// Login attempts per IP address.
    pub login_limiter: RateLimiter,
}

/// Login attempts per IP address: 5 a minute, 5 at once.
pub fn login_limiter() -> RateLimiter {
    RateLimiter::new(5.0 / 60.0, 5)
}

/// Who made a request, as the routes see it (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A widget token's issuer (the DAM) and subject (its user).
    Widget { issuer: String, subject: String },
    /// A signed-in user of the upload page.
    Session { user: String },
    /// Open mode: the peer's address.
    Open { peer: String },
}

impl Caller {
    /// The name the rate limiter and the change log use.
    pub fn key(&self) -> String {
        match self {
            Caller::Widget { issuer, subject } => format!("{issuer}/{subject}"),
            Caller::Session { user } => format!("user:{user}"),
            Caller::Open { peer } => format!("ip:{peer}"),
        }
    }
}

/// Why a browser request was refused.
#[derive(Debug, thiserror::Error)]
pub enum ClientAuthError {
    #[error("this page needs a widget token (Authorization: Bearer ...) from its host application, or a sign-in")]
    Missing,
    #[error("the widget token was refused: {0}")]
    Invalid(WidgetTokenError),
    #[error("the sign-in was refused: {0}")]
    Session(SessionError),
    #[error("the name or the password is wrong")]
    LoginFailed,
    #[error("sign-in is not available on this proxy")]
    LoginUnavailable,
    #[error("the login request is not json with a name and a password")]
    LoginBody,
    #[error("too many requests: try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("requests from {0} are not allowed: only the proxy's own pages and the CORS origins may call it")]
    Origin(String),
    #[error("without credentials the proxy answers only requests for localhost, 127.0.0.1 or [::1], not {0}")]
    Host(String),
}

impl IntoResponse for ClientAuthError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ClientAuthError::Missing => (StatusCode::UNAUTHORIZED, "widget_token_required"),
            ClientAuthError::Invalid(_) => (StatusCode::UNAUTHORIZED, "widget_token_invalid"),
            ClientAuthError::Session(SessionError::Origin(_)) => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            ClientAuthError::Session(_) => (StatusCode::UNAUTHORIZED, "session_invalid"),
            ClientAuthError::LoginFailed => (StatusCode::UNAUTHORIZED, "login_failed"),
            ClientAuthError::LoginUnavailable => (StatusCode::NOT_FOUND, "login_unavailable"),
            ClientAuthError::LoginBody => (StatusCode::BAD_REQUEST, "bad_request"),
            ClientAuthError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ClientAuthError::Origin(_) => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            ClientAuthError::Host(_) => (StatusCode::FORBIDDEN, "host_not_allowed"),
        };
        let body = serde_json::json!({ "code": code, "message": self.to_string(), "request_id": crate::request_id() });
        let mut response = (status, Json(body)).into_response();
        match &self {
            ClientAuthError::RateLimited { retry_after } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            ClientAuthError::Missing | ClientAuthError::Invalid(_) => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"smart-tags\""));
            }
            _ => {}
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
    pub fn authenticate(
        &self,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
        now: i64,
    ) -> Result<Caller, ClientAuthError> {
        let caller = if self.open {
            // No credential protects open mode, so any page the user's browser visits could call
            // it: only the proxy's own pages or an allowed origin (cross-site requests, CSRF),
            // and only for a loopback name (a foreign name resolving to 127.0.0.1, DNS rebinding).
            loopback_host(headers)?;
            session::origin_allowed(headers, &self.cors).map_err(|e| match e {
                SessionError::Origin(origin) => ClientAuthError::Origin(origin),
                other => ClientAuthError::Session(other),
            })?;
            Caller::Open { peer: peer_ip(peer) }
        } else if let (Some(keys), Some(token)) = (&self.keys, presented_token(headers)) {
            let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
            let WidgetClaims { issuer, subject, .. } =
                keys.verify(token, origin, now).map_err(ClientAuthError::Invalid)?;
            Caller::Widget { issuer, subject }
        } else if let (Some(sessions), Some(cookie)) = (&self.sessions, session::presented_cookie(headers)) {
            // CSRF: besides SameSite=Strict, a cookie only counts from the proxy's own pages or
            // an allowed origin.
            session::origin_allowed(headers, &self.cors).map_err(ClientAuthError::Session)?;
            Caller::Session { user: sessions.verify(cookie, now).map_err(ClientAuthError::Session)? }
        } else {
            return Err(ClientAuthError::Missing);
        };
        self.limiter
            .check(&caller.key(), std::time::Instant::now())
            .map_err(|retry_after| ClientAuthError::RateLimited { retry_after })?;
        Ok(caller)
    }
}

/// Refuses a `Host` that is not a loopback name (`localhost`, `127.x.y.z`, `[::1]`, any port).
/// A request without one (HTTP/1.0, scripts) is not a browser's, so it passes.
fn loopback_host(headers: &HeaderMap) -> Result<(), ClientAuthError> {
    let Some(host) = headers.get(header::HOST) else { return Ok(()) };
    let host = host.to_str().unwrap_or("(not text)");
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let loopback =
        name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(ClientAuthError::Host(host.chars().filter(|c| !c.is_control()).take(100).collect()))
    }
}

/// The address a peer is known by in rate limits and logs.
pub fn peer_ip(peer: Option<SocketAddr>) -> String {
    peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string())
}

/// Unix time now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The middleware on the browser API routes: authenticates, rate limits, and hands the
/// [`Caller`] to the route as an extension.
pub async fn require_client(State(auth): State<Arc<ClientAuth>>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    match auth.authenticate(request.headers(), peer, unix_now()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_host(host: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(host) = host {
            headers.insert(header::HOST, HeaderValue::from_str(host).unwrap_or(HeaderValue::from_static("x")));
        }
        headers
    }

    #[test]
    fn open_mode_answers_loopback_names_only() {
        for ok in [
            Some("localhost"),
            Some("LOCALHOST:8080"),
            Some("127.0.0.1:8080"),
            Some("127.8.9.1"),
            Some("[::1]:8080"),
            Some("[::1]"),
            None,
        ] {
            assert!(loopback_host(&with_host(ok)).is_ok(), "{ok:?}");
        }
        for refused in
            ["evil.example:8080", "10.0.0.1:8080", "[::2]:8080", "localhost.evil.example", "127.0.0.1.nip.io:8080"]
        {
            assert!(matches!(loopback_host(&with_host(Some(refused))), Err(ClientAuthError::Host(_))), "{refused}");
        }
    }
}
