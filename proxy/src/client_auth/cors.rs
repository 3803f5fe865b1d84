//! Cross-origin access for pages that embed the widget: only origins on the allow-list
//! (`SMART_TAGS_CORS_ORIGINS`, e.g. `https://dam.example.com`) get CORS headers; a preflight
//! from any other origin is refused with 403, so a browser never lets a foreign page call the
//! proxy. Same-origin requests (the proxy's own pages) need nothing.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The allowed origins, normalised (`scheme://host[:port]`, no trailing slash).
#[derive(Debug, Clone, Default)]
pub struct Cors {
    origins: Vec<String>,
}

/// Parses a comma- or space-separated list of origins (`scheme://host[:port]`); reports every
/// entry that is not one, naming the setting (`what`).
pub fn parse_origins(list: &str, what: &str) -> Result<Vec<String>, Vec<String>> {
    let mut origins = Vec::new();
    let mut problems = Vec::new();
    for entry in list.split([',', ' ']).map(str::trim).filter(|e| !e.is_empty()) {
        let origin = entry.trim_end_matches('/');
        let valid = reqwest::Url::parse(origin).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some()
                && u.path() == "/"
                && u.query().is_none()
                && u.origin().ascii_serialization() == origin
        });
        if valid {
            origins.push(origin.to_owned());
        } else {
            problems.push(format!("{what} {entry} is not an origin like https://dam.example.com"));
        }
    }
    if problems.is_empty() {
        Ok(origins)
    } else {
        Err(problems)
    }
}

impl Cors {
    /// Parses a comma- or space-separated list; reports every entry that is not an origin.
    pub fn parse(list: &str) -> Result<Cors, Vec<String>> {
        parse_origins(list, "cors origin").map(|origins| Cors { origins })
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }

    pub fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }
}

/// Answers preflights and adds `Access-Control-Allow-Origin` for allowed origins.
pub async fn cors(State(cors): State<Arc<Cors>>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let allowed = origin.as_deref().filter(|o| cors.allows(o)).and_then(|o| HeaderValue::from_str(o).ok());
    let preflight =
        request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let Some(allowed) = allowed else {
            return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
        };
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type, x-smart-tags-token"),
        );
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        headers.insert(header::VARY, HeaderValue::from_static("origin"));
        return response;
    }
    let mut response = next.run(request).await;
    if let Some(allowed) = allowed {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("content-disposition, retry-after, x-request-id"),
        );
        headers.append(header::VARY, HeaderValue::from_static("origin"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_parsed_strictly() {
        let cors = Cors::parse("https://dam.example.com, http://localhost:5173/").unwrap();
        assert!(cors.allows("https://dam.example.com") && cors.allows("http://localhost:5173"));
        assert!(!cors.allows("https://dam.example.com.evil.net") && !cors.allows("null"));
        assert_eq!(Cors::parse("dam.example.com https://x.example/path ftp://y").unwrap_err().len(), 3);
        assert!(Cors::parse("").unwrap().is_empty());
    }
}
