//! Access tokens: HS256 JWTs signed with a key kept in the store (`kid` names it), with `iss`
//! (the issuer), `sub` (technical account id), `client_id`, `org`, `scope` (space separated),
//! `iat`, `exp` and `jti`. Verification checks the signature, the expiry, the issuer and that
//! the integration is still active, so revoking one stops its tokens at once.

use serde::Serialize;
use serde_json::Value;
use smart_tags_credentials::hmac_token;
use smart_tags_credentials::jwt::{check_claims, Claims, Expectations};
use smart_tags_credentials::secret::random_hex;
use smart_tags_credentials::JwtError;

use super::error::{AccessError, AuthError};
use super::scope::{joined, Scope};
use super::server::{AuthServer, MAX_JWT_LIFETIME_SECONDS};
use crate::store::Integration;

/// A freshly issued access token.
#[derive(Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in_seconds: i64,
    pub scopes: Vec<Scope>,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("expires_in_seconds", &self.expires_in_seconds)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// Who an accepted access token speaks for (`GET /v1/auth/check` answers it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenIdentity {
    pub client_id: String,
    pub org_id: String,
    pub technical_account_id: String,
    pub scopes: Vec<Scope>,
    /// Unix seconds.
    pub expires_at: i64,
}

impl TokenIdentity {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

fn text_claim(claims: &Claims, name: &str) -> Result<String, AccessError> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| AccessError::Unauthorized(format!("the access token has no {name} claim")))
}

impl AuthServer {
    /// Signs an access token for `scopes` of `integration` and counts it.
    pub(crate) fn issue_access_token(
        &self,
        integration: &Integration,
        scopes: &[Scope],
    ) -> Result<IssuedToken, AuthError> {
        let now = self.now();
        let key = self.signing_key()?;
        let lifetime = self.config.access_token_seconds;
        let mut claims = Claims::new();
        claims.insert("iss".into(), Value::from(self.config.issuer.as_str()));
        claims.insert("sub".into(), Value::from(integration.technical_account_id.as_str()));
        claims.insert("client_id".into(), Value::from(integration.client_id.as_str()));
        claims.insert("org".into(), Value::from(integration.org_id.as_str()));
        claims.insert("scope".into(), Value::from(joined(scopes)));
        claims.insert("iat".into(), Value::from(now));
        claims.insert("exp".into(), Value::from(now + lifetime));
        claims.insert("jti".into(), Value::from(random_hex(16).map_err(|_| AuthError::Internal)?));
        let access_token = hmac_token::sign(&claims, &key.key, Some(&key.kid));
        self.store.record_token_issued(&integration.client_id, now)?;
        Ok(IssuedToken { access_token, expires_in_seconds: lifetime, scopes: scopes.to_vec() })
    }

    /// Checks an access token; answers who it speaks for.
    pub fn verify_access_token(&self, token: &str) -> Result<TokenIdentity, AccessError> {
        let parsed = smart_tags_credentials::jwt::parse(token).map_err(|e| AccessError::Unauthorized(e.to_string()))?;
        let key = match parsed.kid.as_deref() {
            Some(kid) => self.verifying_key(kid)?,
            None => None,
        };
        let claims = hmac_token::verify(token, |_| key.as_deref()).map_err(|e| match e {
            JwtError::UnknownKey(_) => {
                AccessError::Unauthorized("the access token was not issued by this server".to_owned())
            }
            JwtError::Signature => AccessError::Unauthorized("the access token's signature does not match".to_owned()),
            other => AccessError::Unauthorized(other.to_string()),
        })?;
        let expect = Expectations {
            now: self.now(),
            leeway: 0,
            max_lifetime: MAX_JWT_LIFETIME_SECONDS,
            audience: None,
            issuer: Some(&self.config.issuer),
        };
        let checked = check_claims(&claims, &expect).map_err(|e| match e {
            JwtError::Expired(_) => AccessError::Unauthorized("the access token expired".to_owned()),
            other => AccessError::Unauthorized(format!("the access token is invalid: {other}")),
        })?;
        let client_id = text_claim(&claims, "client_id")?;
        if !self.store.integration_is_active(&client_id)? {
            return Err(AccessError::Unauthorized("the integration is revoked".to_owned()));
        }
        let scopes = text_claim(&claims, "scope")?.split(' ').filter_map(Scope::parse).collect();
        Ok(TokenIdentity {
            org_id: text_claim(&claims, "org")?,
            technical_account_id: text_claim(&claims, "sub")?,
            client_id,
            scopes,
            expires_at: checked.exp,
        })
    }
}
