//! What the authorization-server tests share: a real SQLite file, a hand-moved clock, the auth
//! routes beside the store routes behind the bearer check, proxy key pairs and JWTs.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use smart_tags_credentials::certificate::self_signed;
use smart_tags_credentials::jwt::{self, Claims};
use smart_tags_credentials::{Certificate, KeyAlgorithm, PrivateKey};
use smart_tags_service::auth::issuing::{Registration, WithSecret};
use smart_tags_service::auth::middleware::protect;
use smart_tags_service::auth::{AuthConfig, AuthServer, ManualClock};
use smart_tags_service::store::Store;
use smart_tags_service::{auth_routes, open_store, store_routes};
use tower::ServiceExt;

pub const ISSUER: &str = "http://auth.test:7701";
pub const ADMIN_TOKEN: &str = "admin-token-0123456789abcdef";
/// The tests' "now" (2027-01-15).
pub const NOW: i64 = 1_800_000_000;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub clock: Arc<ManualClock>,
    pub auth: Arc<AuthServer>,
    pub router: Router,
}

pub fn fixture() -> Fixture {
    fixture_with(|config| config.admin_token = Some(ADMIN_TOKEN.to_owned()))
}

pub fn fixture_with(configure: impl FnOnce(&mut AuthConfig)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(&dir.path().join("data")).unwrap());
    let clock = Arc::new(ManualClock::new(NOW));
    let mut config = AuthConfig::new(ISSUER);
    configure(&mut config);
    let auth = Arc::new(AuthServer::with_clock(Arc::clone(&store), config, clock.clone()).unwrap());
    let router = protect(store_routes(Arc::clone(&store)), Arc::clone(&auth)).merge(auth_routes(Arc::clone(&auth)));
    Fixture { dir, store, clock, auth, router }
}

/// A proxy's key pair and its self-signed certificate.
pub struct ProxyKey {
    pub key: PrivateKey,
    pub pem: String,
    pub kid: String,
}

pub fn proxy_key(algorithm: KeyAlgorithm) -> ProxyKey {
    let key = PrivateKey::generate(algorithm).unwrap();
    let pem = self_signed(&key, "smart-tags-proxy", 365, NOW).unwrap();
    let kid = Certificate::from_pem(&pem).unwrap().kid().to_owned();
    ProxyKey { key, pem, kid }
}

pub fn p256() -> ProxyKey {
    proxy_key(KeyAlgorithm::P256)
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    #[track_caller]
    pub fn assert_ims(&self, status: StatusCode, code: &str) {
        assert_eq!((self.status, self.body["error"].as_str()), (status, Some(code)), "{}", self.text);
        // Lowercase prose (ids and algorithm names keep their case).
        assert!(
            self.body["error_description"].as_str().is_some_and(|d| d.starts_with(|c: char| c.is_ascii_lowercase())),
            "{}",
            self.text
        );
    }

    #[track_caller]
    pub fn assert_code(&self, status: StatusCode, code: &str) {
        assert_eq!((self.status, self.body["code"].as_str()), (status, Some(code)), "{}", self.text);
    }

    pub fn description(&self) -> &str {
        self.body["error_description"].as_str().unwrap_or_default()
    }
}

/// Percent-encodes a form value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Fixture {
    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    pub async fn form(&self, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
        let request = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))
            .unwrap();
        self.send(request).await
    }

    pub async fn exchange(&self, client_id: &str, secret: &str, jwt: &str) -> Answer {
        self.form("/ims/exchange/jwt", &[("client_id", client_id), ("client_secret", secret), ("jwt_token", jwt)]).await
    }

    pub async fn client_credentials(&self, client_id: &str, secret: &str, scope: Option<&str>) -> Answer {
        let mut fields =
            vec![("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)];
        if let Some(scope) = scope {
            fields.push(("scope", scope));
        }
        self.form("/ims/token/v3", &fields).await
    }

    /// A request with a bearer token (none: no header).
    pub async fn call(&self, method: Method, uri: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    pub async fn check(&self, token: &str) -> Answer {
        self.call(Method::GET, "/v1/auth/check", Some(token), None).await
    }

    pub async fn console(&self, method: Method, uri: &str, body: Option<Value>) -> Answer {
        self.call(method, uri, Some(ADMIN_TOKEN), body).await
    }

    /// Registers an integration for `key` (all scopes unless given).
    pub fn register(&self, key: &ProxyKey, scopes: Option<&[&str]>) -> WithSecret {
        let scopes: Option<Vec<String>> = scopes.map(|s| s.iter().map(|&n| n.to_owned()).collect());
        self.auth
            .register(&Registration { name: "proxy", certificate_pem: Some(&key.pem), scopes: scopes.as_deref() })
            .unwrap()
    }

    /// Registers an OAuth server-to-server integration (all scopes unless given).
    pub fn register_oauth(&self, scopes: Option<&[&str]>) -> WithSecret {
        let scopes: Option<Vec<String>> = scopes.map(|s| s.iter().map(|&n| n.to_owned()).collect());
        self.auth
            .register(&Registration { name: "dam back end", certificate_pem: None, scopes: scopes.as_deref() })
            .unwrap()
    }

    /// The claims a proxy signs: the console's payload, `exp` now + 300 s, `iat` now, a new `jti`.
    pub fn claims(&self, integration: &WithSecret) -> Claims {
        let Some(Value::Object(mut claims)) = integration.integration.jwt_payload.clone() else {
            panic!("the payload is an object")
        };
        let now = self.clock_now();
        claims.insert("exp".into(), json!(now + 300));
        claims.insert("iat".into(), json!(now));
        claims.insert("jti".into(), json!(smart_tags_credentials::secret::random_hex(16).unwrap()));
        claims
    }

    pub fn clock_now(&self) -> i64 {
        self.auth.now()
    }

    /// An access token through the JWT exchange.
    pub async fn token(&self, integration: &WithSecret, key: &ProxyKey) -> String {
        let jwt = sign(&self.claims(integration), key);
        let answer = self.exchange(&integration.integration.client_id, &integration.client_secret, &jwt).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body["access_token"].as_str().unwrap().to_owned()
    }
}

/// Signs claims with the key, naming its certificate's kid.
pub fn sign(claims: &Claims, key: &ProxyKey) -> String {
    jwt::sign(claims, &key.key, Some(&key.kid)).unwrap()
}
