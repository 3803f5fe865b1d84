//! The bearer check of the `/v1/...` routes. [`required_scope`] says what each route needs:
//! `smart_tags` for tagging (predict, assets, moderation, re-tag, suggest, the token check) and every
//! GET; `smart_tags_admin` for everything else; nothing for `/v1/openapi.json` and for paths
//! outside `/v1/` (`/healthz`). The accepted token's
//! [`TokenIdentity`](super::TokenIdentity) goes into the request's extensions.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::error::AccessError;
use super::scope::Scope;
use super::server::AuthServer;

/// POST routes a tagging client (scope `smart_tags`) may call.
const TAGGING_POSTS: &[&str] = &["/v1/predict", "/v1/assets/tag", "/v1/assets/moderation", "/v1/assets/retag"];

/// The scope a request needs; `None`: open.
pub fn required_scope(method: &Method, path: &str) -> Option<Scope> {
    if !path.starts_with("/v1/") || path == "/v1/openapi.json" {
        return None;
    }
    if method == Method::GET || method == Method::HEAD || (method == Method::POST && TAGGING_POSTS.contains(&path)) {
        return Some(Scope::SmartTags);
    }
    Some(Scope::SmartTagsAdmin)
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Checks the bearer token of a request against its route's scope.
pub async fn require_token(State(auth): State<Arc<AuthServer>>, mut request: Request, next: Next) -> Response {
    let Some(scope) = required_scope(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let Some(token) = bearer(request.headers()).map(str::to_owned) else {
        return AccessError::Unauthorized("this route needs an access token: Authorization: Bearer <token>".to_owned())
            .into_response();
    };
    let checked = tokio::task::spawn_blocking(move || auth.verify_access_token(&token)).await;
    let identity = match checked {
        Ok(Ok(identity)) => identity,
        Ok(Err(refused)) => return refused.into_response(),
        Err(_) => return AccessError::Internal.into_response(),
    };
    if !identity.has(scope) {
        return AccessError::Forbidden(format!("the access token lacks the scope {}", scope.name())).into_response();
    }
    request.extensions_mut().insert(identity);
    next.run(request).await
}

/// `router` with the bearer check in front of its `/v1/...` routes.
pub fn protect(router: Router, auth: Arc<AuthServer>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(auth, require_token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_of_routes() {
        let tagging = [
            (Method::POST, "/v1/predict"),
            (Method::POST, "/v1/assets/tag"),
            (Method::GET, "/v1/assets"),
            (Method::POST, "/v1/assets/moderation"),
            (Method::POST, "/v1/assets/retag"),
            (Method::GET, "/v1/assets/list"),
            (Method::GET, "/v1/assets/similar"),
            (Method::GET, "/v1/assets/duplicates"),
            (Method::GET, "/v1/workflow"),
            (Method::GET, "/v1/folders"),
            (Method::GET, "/v1/folders/resolve"),
            (Method::GET, "/v1/taxonomy/suggest"),
            (Method::GET, "/v1/auth/check"),
            (Method::GET, "/v1/taxonomy"),
            (Method::GET, "/v1/training/models"),
        ];
        for (method, path) in tagging {
            assert_eq!(required_scope(&method, path), Some(Scope::SmartTags), "{method} {path}");
        }
        let admin = [
            (Method::PUT, "/v1/taxonomy"),
            (Method::POST, "/v1/links"),
            (Method::PUT, "/v1/settings/thresholds"),
            (Method::DELETE, "/v1/training/examples"),
            (Method::PUT, "/v1/workflow"),
            (Method::PUT, "/v1/folders"),
        ];
        for (method, path) in admin {
            assert_eq!(required_scope(&method, path), Some(Scope::SmartTagsAdmin), "{method} {path}");
        }
        assert_eq!(required_scope(&Method::GET, "/v1/openapi.json"), None);
        assert_eq!(required_scope(&Method::GET, "/healthz"), None);
        assert_eq!(required_scope(&Method::POST, "/ims/token/v3"), None);
    }

    #[test]
    fn reads_bearer_headers() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, "bearer  abc ".parse().unwrap());
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, "Bearer".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }
}
